/**
 * One call of a fax job over a Class 1 modem: open and lock the device, initialise it, send the
 * pages with lib/fax, hang up and unlock on every path. Failures of the modem, the line and the
 * far end become FaxJobErrors whose kind decides the CUPS exit code (lib/job/outcome).
 */
import type { FaxSettings } from '../config/index.js';
import {
  failureKindOf,
  sendFax,
  type FaxProgress,
  type FaxResult,
  type SendFaxOptions,
} from '../fax/index.js';
import {
  isModemError,
  LineBusyError,
  openForSending,
  type Class1Modem,
  type ModemError,
} from '../modem/index.js';
import type { FaxPage } from '../t4/index.js';
import { FaxJobError } from './outcome.js';
import type { CallRequest, CallSummary, JobRecipient } from './run.js';

/** Why the system could not open the device, in a few words (the errno behind open-failed). */
function openReason(e: ModemError): string | undefined {
  const code = (e.cause as { code?: string } | undefined)?.code;
  // serialport's errors carry the system's words, not always the code.
  if (code === 'ENOENT' || /no such file/i.test(e.message)) return 'no such device';
  if (code === 'EACCES' || code === 'EPERM' || /permission denied/i.test(e.message))
    return 'permission denied';
  return undefined;
}

/** A modem that failed while being opened and set up, before any call. */
function openFailure(device: string, e: ModemError): FaxJobError {
  const kind = failureKindOf(e.kind, 'open');
  return new FaxJobError(
    kind,
    {
      device,
      pid: e.pid,
      reason:
        kind === 'config-error'
          ? `The modem lock directory cannot be used: ${e.message}`
          : e instanceof LineBusyError
            ? `Line busy: receiving a fax on ${device}`
            : openReason(e),
      detail: e.message,
    },
    e,
  );
}

/**
 * What a call takes from the settings: the port, the modem's reset and class, and the fax
 * session's parameters. One place, so a test can prove each lpfax.conf key reaches the call.
 */
export function callPlan(settings: FaxSettings, recipient: JobRecipient) {
  return {
    device: settings.modem.device,
    open: { baudRate: settings.modem.baud, lockDir: settings.modem.lockDirectory || undefined },
    // ModemInit (lpfax.conf) is the reset that starts each call: the class is set after it.
    init: { resetCommand: settings.modem.init, serviceClass: settings.modem.modemClass },
    send: {
      dialString: recipient.dialString,
      pulse: settings.dialRules.dialMode === 'pulse',
      localIdent: settings.identity.stationId,
      resolution: settings.page.resolution,
      maxBitRate: settings.modem.maxSpeed,
      ecm: settings.page.ecm,
      ecmFrameSize: settings.page.ecmFrameSize,
      jbig: settings.page.jbig,
      pageLength: settings.page.paper === 'a4' ? ('a4' as const) : ('unlimited' as const),
      rtnHandling: settings.retry.rtn,
      maxRetrains: settings.retry.maxRetrains,
      subaddress: recipient.subaddress,
      subaddressFallback: settings.subaddressFallback,
    } satisfies Partial<SendFaxOptions>,
  };
}

export interface ModemCallOptions {
  settings: FaxSettings;
  /** Modem tracing and progress, for DEBUG: lines and the status line. */
  trace?: (line: string) => void;
  onProgress?: (progress: FaxProgress, request: CallRequest<FaxPage>) => void;
  onResult?: (result: FaxResult) => void;
  /** Something the user should know that does not stop the call. */
  onWarning?: (text: string) => void;
}

/** Places one call; resolves when every page was confirmed, else throws a FaxJobError. */
export async function callOverModem(
  request: CallRequest<FaxPage>,
  options: ModemCallOptions,
): Promise<CallSummary> {
  const { settings } = options;
  const plan = callPlan(settings, request.recipient);
  const { device } = plan;
  let modem: Class1Modem;
  try {
    // The fax service yields a line it is waiting on (lib/modem/line-share.ts).
    modem = await openForSending(device, {
      ...plan.open,
      onWait: (text) => options.onWarning?.(text),
      trace: options.trace ? (dir, text) => options.trace?.(`${dir} ${text}`) : undefined,
    });
  } catch (e) {
    throw isModemError(e)
      ? openFailure(device, e)
      : new FaxJobError('modem-missing', { device, detail: String(e) }, e);
  }
  let result: FaxResult;
  try {
    try {
      await modem.init(plan.init);
    } catch (e) {
      throw isModemError(e) ? openFailure(device, e) : e;
    }
    result = await sendFax({
      modem,
      ...plan.send,
      pages: request.pages,
      signal: request.signal,
      trace: options.trace,
      onProgress: (p) => {
        const { subaddress } = request.recipient;
        if (p.kind === 'remote-identified' && subaddress && !p.capabilities.subaddressing) {
          // With SubaddressFallback fail the call ends now, with its own sentence.
          if (settings.subaddressFallback === 'send-without') {
            options.onWarning?.(
              `The far end does not accept a subaddress: sending without #${subaddress} (SubaddressFallback).`,
            );
          }
        }
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
  // Page numbers in the whole fax (the page plan's numbering).
  throw new FaxJobError(
    failure.kind,
    {
      pagesConfirmed: request.pageNumber(result.pagesConfirmed) - 1,
      page: result.pageInProgress !== undefined ? request.pageNumber(result.pageInProgress) : undefined,
      totalPages: request.totalPages,
      device,
      detail: failure.message,
    },
    failure,
  );
}
