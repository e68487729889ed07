/**
 * Receiving calls on the configured modem, as `lpfax receive` runs it: open the modem (taking
 * its UUCP lock, as the backend does), answer, receive with lib/fax, and keep each call's pages
 * as a TIFF-F file and a PDF that grow page by page (lib/fax ReceivedFaxWriter: each page synced
 * before it is confirmed), so a call that breaks keeps every page confirmed.
 */
import { mkdir } from 'node:fs/promises';
import type { FaxSettings } from '../config/index.js';
import { FAILURE_TABLE, failureSentence, type FailureFacts, type FailureKind } from '../failure/index.js';
import {
  failureKindOf,
  receiveFax,
  ReceivedFaxStoreError,
  ReceivedFaxWriter,
  type ReceiveFaxOptions,
  type ReceiveProgress,
  type ReceiveResult,
} from '../fax/index.js';
import { Class1Modem, isModemError, type ModemError } from '../modem/index.js';

/** What lpfax offers in its DIS when it answers, from the settings (MaxSpeed, JBIG). */
export function receiveCapabilities(settings: FaxSettings): ReceiveFaxOptions['capabilities'] {
  return {
    maxBitRate: settings.modem.maxSpeed,
    ...(settings.page.jbig ? {} : { t85: false, t85L0: false }),
  };
}

/** Why the modem could not be used: its kind in the failure table, and the table's sentence. */
export class ReceiveSetupError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ReceiveSetupError';
  }
}

/** A modem error while opening or initialising: the table's kind and sentence (lpfax front). */
function setupError(device: string, e: ModemError): ReceiveSetupError {
  const kind = failureKindOf(e.kind, 'open');
  const facts: FailureFacts = { device, ...(e.kind === 'locked' && e.pid ? { pid: e.pid } : {}) };
  if (kind === 'modem-missing') facts.reason = e.message;
  return new ReceiveSetupError(kind, failureSentence(kind, facts, 'lpfax'));
}

/** One received call: its facts, and where its pages went. */
export interface ReceivedCall {
  result: ReceiveResult;
  /** The TIFF-F file with the call's pages, or null when no page came. */
  tiff: string | null;
  /** The PDF of the same pages, or null when no page came (or it could not be finished). */
  pdf: string | null;
  /** When the call was answered. */
  started: Date;
}

export interface ReceiveCallsOptions {
  settings: FaxSettings;
  /** Folder for the TIFF and PDF files (made, private, if missing). */
  outputDir: string;
  /** Answer the first call at once (without waiting for RING). */
  answerNow?: boolean;
  rings?: number;
  /** Stop after this many calls (default: until the signal). */
  calls?: number;
  signal: AbortSignal;
  onCall?: (call: ReceivedCall) => void;
  onProgress?: (progress: ReceiveProgress) => void;
  trace?: (line: string) => void;
}

/** "fax-20261207T180300Z" for a call answered then. */
function baseName(date: Date): string {
  return `fax-${date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

/** Answers calls until `calls` were received or the signal ends it; resolves with every call. */
export async function receiveCalls(o: ReceiveCallsOptions): Promise<ReceivedCall[]> {
  const { settings } = o;
  const device = settings.modem.device;
  await mkdir(o.outputDir, { recursive: true, mode: 0o700 });
  let modem: Class1Modem;
  try {
    modem = await Class1Modem.open(device, {
      baudRate: settings.modem.baud,
      lockDir: settings.modem.lockDirectory || undefined,
      trace: o.trace ? (dir, text) => o.trace?.(`${dir} ${text}`) : undefined,
    });
  } catch (e) {
    throw isModemError(e)
      ? setupError(device, e)
      : new ReceiveSetupError(
          'modem-missing',
          failureSentence('modem-missing', { device, reason: String(e) }, 'lpfax'),
        );
  }
  const calls: ReceivedCall[] = [];
  try {
    while (!o.signal.aborted && (o.calls === undefined || calls.length < o.calls)) {
      try {
        await modem.init({ resetCommand: settings.modem.init });
      } catch (e) {
        throw isModemError(e) ? setupError(device, e) : e;
      }
      const started = new Date();
      const store = await openStore(o.outputDir, baseName(started));
      const reception = receiveFax({
        modem,
        store,
        answerNow: o.answerNow && calls.length === 0,
        rings: o.rings,
        localIdent: settings.identity.stationId,
        capabilities: receiveCapabilities(settings),
        signal: o.signal,
        onProgress: o.onProgress,
        trace: o.trace,
      });
      for await (const page of reception.pages) void page; // stored by receiveFax, before MCF
      const result = await reception.result;
      const files = await store.close();
      // A call that never came (cancelled while waiting for RING) is no call.
      if (result.failure?.kind === 'cancelled' && result.durationMs === 0) break;
      const call: ReceivedCall = { result, tiff: files.tiff ?? null, pdf: files.pdf ?? null, started };
      calls.push(call);
      o.onCall?.(call);
    }
  } finally {
    await modem.close();
  }
  return calls;
}

/** The call's files, named for when the wait for it began (-2, -3 … when that name is taken). */
async function openStore(dir: string, base: string): Promise<ReceivedFaxWriter> {
  for (let n = 1; ; n++) {
    try {
      return await ReceivedFaxWriter.open(dir, n === 1 ? base : `${base}-${n}`);
    } catch (e) {
      if (!(e instanceof ReceivedFaxStoreError && e.kind === 'file-exists') || n >= 99) throw e;
    }
  }
}

/**
 * The one sentence for a received call that failed: the failure table's clause for the kind,
 * worded from the called side where the table speaks as the caller (a caller that is no fax
 * machine, a sender that hangs up), with the pages kept.
 */
export function receiveFailureSentence(kind: FailureKind, pagesReceived: number): string {
  const pages = `${pagesReceived} page${pagesReceived === 1 ? '' : 's'}`;
  const after = pagesReceived > 0 ? ` after ${pages}` : ' before the first page';
  switch (kind) {
    case 'not-a-fax':
      return 'The caller is not a fax machine: it sent no fax signal after we answered.';
    case 'remote-disconnected':
      return `The sender hung up${after}.`;
    default: {
      const clause = FAILURE_TABLE[kind].what({ pagesConfirmed: pagesReceived });
      return `${clause.replace(/[.\s]+$/, '')}.`;
    }
  }
}

/** The JSON object `lpfax receive --json` prints for a call. */
export function callJson(call: ReceivedCall): Record<string, unknown> {
  const r = call.result;
  return {
    result: r.ok ? 'received' : (r.failure?.kind ?? 'failed'),
    message: r.failure ? receiveFailureSentence(r.failure.kind, r.pages) : null,
    detail: r.failure?.message ?? null,
    pages: r.pages,
    tiff: call.tiff,
    pdf: call.pdf,
    remoteId: r.remoteIdent ?? null,
    subaddress: r.subaddress ?? null,
    bitRate: r.bitRate ?? null,
    modulation: r.modulation ?? null,
    ecm: r.ecm,
    coding: r.coding ?? null,
    resolution: r.resolution ?? null,
    badLines: r.badRowsPerPage,
    pagesRejected: r.pagesRejected,
    startedAt: call.started.toISOString(),
    durationSeconds: Math.round(r.durationMs / 100) / 10,
  };
}
