/**
 * One call of a fax job over a Class 1 modem: open and lock the device, initialise it, send the
 * pages with lib/fax, hang up and unlock on every path. Failures of the modem, the line and the
 * far end become FaxJobErrors whose kind decides the CUPS exit code (lib/job/outcome).
 */
import type { FaxSettings } from '../config/index.js';
import { sendFax, type FaxProgress, type FaxResult } from '../fax/index.js';
import { Class1Modem, isModemError, type ModemError } from '../modem/index.js';
import type { FailureKind as T30FailureKind } from '../t30/index.js';
import type { FaxPage } from '../t4/index.js';
import { FaxJobError, type FailureKind } from './outcome.js';
import type { CallRequest, CallSummary } from './run.js';

/** The fax engine's failure kinds as job failures. */
const JOB_FAILURE: Record<T30FailureKind, FailureKind> = {
  busy: 'busy',
  'no-answer': 'no-answer',
  'no-dial-tone': 'no-dialtone',
  'no-carrier': 'no-carrier',
  'not-a-fax': 'not-a-fax-machine',
  incompatible: 'remote-rejected',
  'training-failed': 'training-failed',
  'remote-disconnected': 'remote-disconnected',
  'page-rejected': 'remote-rejected',
  'protocol-timeout': 'protocol-timeout',
  'protocol-error': 'protocol-timeout',
  'page-error': 'bad-document',
  'modem-error': 'modem-error',
  cancelled: 'cancelled',
};

/** The sentence for the user, per failure of the call. */
const SENTENCE: Partial<Record<T30FailureKind, string>> = {
  busy: 'The line is busy; CUPS will try again.',
  'no-answer': 'Nobody answered; CUPS will try again.',
  'no-dial-tone': 'The modem hears no dial tone: is the phone line plugged in?',
  'no-carrier': 'The call failed before the far end answered with fax tones; CUPS will try again.',
  'not-a-fax': 'The number answered, but not as a fax machine; CUPS will try again.',
  incompatible: 'The far fax machine cannot receive these pages (no common speed, width or coding).',
  'training-failed': 'The line was too poor to send even at the slowest speed; CUPS will try again.',
  'remote-disconnected': 'The far fax machine hung up during the call; CUPS will try again.',
  'page-rejected': 'The far fax machine kept rejecting a page as unreadable; CUPS will try again.',
  'protocol-timeout': 'The far fax machine stopped answering; CUPS will try again.',
  'protocol-error': 'The far fax machine answered something unexpected; CUPS will try again.',
  cancelled: 'The fax was cancelled.',
};

function openFailure(device: string, e: ModemError): FaxJobError {
  switch (e.kind) {
    case 'locked':
      return new FaxJobError(
        'modem-locked',
        `The modem ${device} is in use by another program${e.pid ? ` (process ${e.pid})` : ''}; CUPS will try again.`,
        e,
      );
    case 'open-failed':
    case 'device-gone':
      return new FaxJobError('modem-missing', `Cannot open the modem ${device}: ${e.message}.`, e);
    case 'no-response':
    case 'timeout':
      return new FaxJobError('modem-not-responding', `The modem ${device} does not answer AT commands.`, e);
    default:
      return new FaxJobError('modem-error', `The modem ${device} failed: ${e.message}.`, e);
  }
}

export interface ModemCallOptions {
  settings: FaxSettings;
  /** Modem tracing and progress, for DEBUG: lines and the status line. */
  trace?: (line: string) => void;
  onProgress?: (progress: FaxProgress, request: CallRequest<FaxPage>) => void;
  onResult?: (result: FaxResult) => void;
}

/** Places one call; resolves when every page was confirmed, else throws a FaxJobError. */
export async function callOverModem(
  request: CallRequest<FaxPage>,
  options: ModemCallOptions,
): Promise<CallSummary> {
  const { settings } = options;
  const device = settings.modem.device;
  let modem: Class1Modem;
  try {
    modem = await Class1Modem.open(device, {
      baudRate: settings.modem.baud,
      lockDir: settings.modem.lockDirectory || undefined,
      trace: options.trace ? (dir, text) => options.trace?.(`${dir} ${text}`) : undefined,
    });
  } catch (e) {
    throw isModemError(e) ? openFailure(device, e) : new FaxJobError('modem-missing', String(e), e);
  }
  let result: FaxResult;
  try {
    try {
      // ModemInit (lpfax.conf) is the reset that starts each call: Class 1 is set after it.
      await modem.init({ resetCommand: settings.modem.init });
    } catch (e) {
      throw isModemError(e) ? openFailure(device, e) : e;
    }
    result = await sendFax({
      modem,
      dialString: request.recipient.dialString,
      pulse: settings.dialRules.dialMode === 'pulse',
      pages: request.pages,
      localIdent: settings.identity.stationId,
      resolution: settings.page.resolution,
      maxBitRate: settings.modem.maxSpeed,
      ecm: settings.page.ecm,
      ecmFrameSize: settings.page.ecmFrameSize,
      pageLength: settings.page.paper === 'a4' ? 'a4' : 'unlimited',
      rtnHandling: settings.retry.rtn,
      signal: request.signal,
      trace: options.trace,
      onProgress: (p) => {
        if (p.kind === 'page-confirmed') void request.onPageConfirmed(request.pageNumber(p.page));
        options.onProgress?.(p, request);
      },
    });
  } finally {
    await modem.close().catch(() => undefined);
  }
  options.onResult?.(result);
  if (result.ok) return { pagesConfirmed: result.pagesConfirmed, seconds: result.durationMs / 1000 };
  const failure = result.failure ?? { kind: 'modem-error' as const, message: 'the call failed' };
  const page = request.pageNumber(result.pagesConfirmed);
  const where = result.pagesConfirmed > 0 || failure.kind === 'page-rejected' ? ` (at page ${page})` : '';
  const sentence = SENTENCE[failure.kind] ?? `The fax failed: ${failure.message}.`;
  const message = where ? `${sentence.replace(/[.?]$/, '')}${where}.` : sentence;
  throw new FaxJobError(JOB_FAILURE[failure.kind], message, failure);
}
