/**
 * The job's progress in the scheduler's words: STATE: while dialling, INFO: for the status line
 * users see in `lpstat -l` and the web interface, PAGE: and ATTR: job-media-progress as pages are
 * confirmed, and DEBUG: for what only LogLevel debug shows.
 */
import type { CupsReporter } from '../cups/backend.js';
import type { FaxProgress, FaxResult } from '../fax/index.js';
import type { FaxPage } from '../t4/index.js';
import { describeRecipient, type CallRequest, type JobEvents, type JobRecipient } from './run.js';

/** "1 min 12 s", "45 s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

const RESOLUTION_WORD = { standard: 'standard', fine: 'fine', superfine: 'superfine' } as const;

/**
 * What a front end hears while a job runs: the job's steps (JobEvents) and the fax engine's
 * structured progress for each call. The CUPS backend renders it as scheduler lines
 * (StatusReporter); `lpfax send` as a terminal line.
 */
export interface JobStatus extends JobEvents {
  /** A step of a call: dialling, connected, training, page sent or confirmed … */
  progress(p: FaxProgress, request: CallRequest<FaxPage>): void;
  /** How the call ended, with its figures. */
  result(r: FaxResult): void;
  /** Something the user should know that does not stop the fax (sent without a subaddress …). */
  warn(text: string): void;
}

export class StatusReporter implements JobStatus {
  private delivered: { recipient: JobRecipient; pages: number; seconds: number }[] = [];
  private connecting = false;

  constructor(private readonly cups: CupsReporter) {}

  recipientStarted(recipient: JobRecipient, index: number, count: number): void {
    const of = count > 1 ? ` (recipient ${index + 1} of ${count})` : '';
    this.cups.log('INFO', `Preparing the fax for ${describeRecipient(recipient)}${of}…`);
  }

  recipientDelivered(recipient: JobRecipient, pages: number, seconds: number): void {
    this.delivered.push({ recipient, pages, seconds });
  }

  progress(p: FaxProgress, request: CallRequest<FaxPage>): void {
    const name = describeRecipient(request.recipient);
    switch (p.kind) {
      case 'dialing':
        this.connecting = true;
        this.cups.state('+connecting-to-device');
        this.cups.log('INFO', `Dialing ${name}…`);
        break;
      case 'remote-identified':
        if (p.remoteIdent) this.cups.log('DEBUG', `Remote station: ${p.remoteIdent}`);
        break;
      case 'trained': {
        this.endConnecting();
        const d = p.dcs;
        this.cups.log(
          'INFO',
          `Connected at ${d.modulation.bitRate} bit/s, ${d.ecm ? 'ECM, ' : ''}${RESOLUTION_WORD[d.resolution]} — sending to ${name}`,
        );
        break;
      }
      case 'page-sending': {
        const page = request.pageNumber(p.page);
        const again = p.attempt > 1 ? ' again' : '';
        this.cups.log('INFO', `Sending page ${page} of ${request.totalPages}${again}`);
        break;
      }
      case 'page-confirmed': {
        const page = request.pageNumber(p.page);
        this.cups.page(page);
        this.cups.attr('job-media-progress', Math.round((100 * page) / request.totalPages));
        break;
      }
      default:
        this.cups.log('DEBUG', `fax: ${JSON.stringify(p)}`);
    }
  }

  result(r: FaxResult): void {
    this.endConnecting();
    this.cups.log(
      'DEBUG',
      `call: ok=${r.ok} pages=${r.pagesConfirmed} ${r.modulation ?? ''} ecm=${r.ecm} coding=${r.coding ?? ''} ` +
        `resolution=${r.resolution ?? ''} remote=${r.remoteIdent ?? ''} ${r.durationMs} ms retrains=${r.retrains}`,
    );
  }

  /** Something the user should know that does not stop the fax (WARNING:). */
  warn(text: string): void {
    this.cups.log('WARNING', text);
  }

  done(): void {
    const pages = this.delivered.reduce((n, d) => n + d.pages, 0);
    const seconds = this.delivered.reduce((n, d) => n + d.seconds, 0);
    const who =
      this.delivered.length === 1
        ? describeRecipient(this.delivered[0].recipient)
        : `${this.delivered.length} recipients`;
    if (this.delivered.length === 0) this.cups.log('INFO', 'Everything had been delivered already.');
    else
      this.cups.log(
        'INFO',
        `Delivered ${pages} page${pages === 1 ? '' : 's'} to ${who} in ${formatDuration(seconds)}`,
      );
  }

  private endConnecting(): void {
    if (this.connecting) this.cups.state('-connecting-to-device');
    this.connecting = false;
  }
}
