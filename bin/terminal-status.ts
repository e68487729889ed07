/**
 * `lpfax send`'s progress on the terminal, from the engine's structured events (JobStatus): one
 * redrawn line with a bar on a terminal, plain lines otherwise. The wording follows the CUPS
 * status lines (lib/job/status.ts).
 */
import type { FaxProgress, FaxResult } from '../lib/fax/index.js';
import { describeRecipient, type CallRequest, type JobRecipient } from '../lib/job/run.js';
import { formatDuration, type JobStatus } from '../lib/job/status.js';
import type { FaxPage } from '../lib/t4/index.js';

export class TerminalStatus implements JobStatus {
  private readonly delivered: { recipient: JobRecipient; pages: number; seconds: number }[] = [];
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly verbose = false,
  ) {
    this.tty = out.isTTY === true;
  }

  /** One status line: redrawn in place on a terminal. */
  private line(text: string): void {
    this.out.write(this.tty ? `\r\x1b[K${text}` : `${text}\n`);
  }

  /** A line that stays (a debug line, an error): on a terminal, below the status line. */
  note(text: string): void {
    this.out.write(this.tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  warn(text: string): void {
    this.note(`lpfax: warning: ${text}`);
  }

  recipientStarted(recipient: JobRecipient, index: number, count: number): void {
    const of = count > 1 ? ` (recipient ${index + 1} of ${count})` : '';
    this.line(`Preparing the fax for ${describeRecipient(recipient)}${of}…`);
  }

  recipientDelivered(recipient: JobRecipient, pages: number, seconds: number): void {
    this.delivered.push({ recipient, pages, seconds });
  }

  progress(p: FaxProgress, request: CallRequest<FaxPage>): void {
    const name = describeRecipient(request.recipient);
    switch (p.kind) {
      case 'dialing':
        return this.line(`Dialing ${name}…`);
      case 'trained': {
        const d = p.dcs;
        return this.line(
          `Connected at ${d.modulation.bitRate} bit/s, ${d.ecm ? 'ECM, ' : ''}${d.resolution} — sending to ${name}`,
        );
      }
      case 'page-sending': {
        // p.page counts from 0 within the call; the fax's pages go from request.firstPage.
        const page = request.firstPage + p.page;
        const again = p.attempt > 1 ? ' again' : '';
        return this.line(
          `${this.bar(page - 1, request.totalPages)}Sending page ${page} of ${request.totalPages}${again}`,
        );
      }
      case 'page-confirmed': {
        const page = request.firstPage + p.page;
        if (this.tty)
          this.line(`${this.bar(page, request.totalPages)}Page ${page} of ${request.totalPages} confirmed`);
        return;
      }
      default:
        if (this.verbose) this.note(`fax: ${JSON.stringify(p)}`);
    }
  }

  result(r: FaxResult): void {
    if (this.verbose)
      this.note(
        `call: ok=${r.ok} pages=${r.pagesConfirmed} ${r.modulation ?? ''} ecm=${r.ecm} ` +
          `${r.durationMs} ms retrains=${r.retrains}`,
      );
  }

  /** The last line of a delivered job. */
  done(): void {
    const pages = this.delivered.reduce((n, d) => n + d.pages, 0);
    const seconds = this.delivered.reduce((n, d) => n + d.seconds, 0);
    const who =
      this.delivered.length === 1
        ? describeRecipient(this.delivered[0]!.recipient)
        : `${this.delivered.length} recipients`;
    this.note(
      this.delivered.length === 0
        ? 'Everything had been delivered already.'
        : `Delivered ${pages} page${pages === 1 ? '' : 's'} to ${who} in ${formatDuration(seconds)}`,
    );
  }

  /** "[#####...............] " on a terminal, nothing in a log. */
  private bar(done: number, total: number): string {
    if (!this.tty || total <= 0) return '';
    return `[${'#'.repeat(Math.round((20 * done) / total)).padEnd(20, '.')}] `;
  }
}
