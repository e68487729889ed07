/**
 * Receiving calls on the configured modem, as `lpfax receive` runs it: open the modem (taking
 * its UUCP lock, as the backend does), answer, receive with lib/fax, and keep each call's pages
 * as a TIFF-F file that grows page by page, so a call that breaks keeps every page confirmed.
 */
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaxSettings } from '../config/index.js';
import { receiveFax, type ReceiveProgress, type ReceiveResult, type ReceivedFaxPage } from '../fax/index.js';
import { Class1Modem, isModemError, type ModemError } from '../modem/index.js';
import { writeTiffF, type FaxPage } from '../t4/index.js';

/** Why the modem could not be used, as one sentence and a kind. */
export class ReceiveSetupError extends Error {
  constructor(
    readonly kind: 'modem-locked' | 'modem-missing' | 'modem-not-responding' | 'modem-error',
    message: string,
  ) {
    super(message);
    this.name = 'ReceiveSetupError';
  }
}

function setupError(device: string, e: ModemError): ReceiveSetupError {
  switch (e.kind) {
    case 'locked':
      return new ReceiveSetupError(
        'modem-locked',
        `The modem ${device} is in use by another program${e.pid ? ` (process ${e.pid})` : ''}.`,
      );
    case 'open-failed':
    case 'device-gone':
      return new ReceiveSetupError('modem-missing', `Cannot open the modem ${device}: ${e.message}.`);
    case 'no-response':
    case 'timeout':
      return new ReceiveSetupError(
        'modem-not-responding',
        `The modem ${device} does not answer AT commands.`,
      );
    default:
      return new ReceiveSetupError('modem-error', `The modem ${device} failed: ${e.message}.`);
  }
}

/** One received call: its facts, and where its pages went. */
export interface ReceivedCall {
  result: ReceiveResult;
  /** The TIFF-F file with the call's pages, or null when no page came. */
  tiff: string | null;
  /** When the call was answered. */
  started: Date;
}

export interface ReceiveCallsOptions {
  settings: FaxSettings;
  /** Folder for the TIFF files (made, private, if missing). */
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

/** Writes the pages so far as TIFF-F (MMR), replacing the file in one step. */
async function writePages(path: string, pages: FaxPage[]): Promise<void> {
  const tmp = `${path}.part`;
  await writeFile(tmp, writeTiffF(pages, { coding: 'mmr', software: 'lpfax' }), { mode: 0o600 });
  await rename(tmp, path);
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
    throw isModemError(e) ? setupError(device, e) : new ReceiveSetupError('modem-missing', String(e));
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
      const tiff = join(o.outputDir, `${baseName(started)}.tif`);
      const pages: FaxPage[] = [];
      const reception = receiveFax({
        modem,
        answerNow: o.answerNow && calls.length === 0,
        rings: o.rings,
        localIdent: settings.identity.stationId,
        capabilities: { maxBitRate: settings.modem.maxSpeed },
        signal: o.signal,
        onProgress: o.onProgress,
        // On disk before MCF: a page the sender saw confirmed is never lost.
        onPage: async (p: ReceivedFaxPage) => {
          await writePages(tiff, [...pages, { bitmap: p.bitmap, resolution: p.resolution }]);
          pages.push({ bitmap: p.bitmap, resolution: p.resolution });
        },
        trace: o.trace,
      });
      for await (const page of reception.pages) void page; // kept by onPage
      const result = await reception.result;
      // A call that never came (cancelled while waiting for RING) is no call.
      if (result.failure?.kind === 'cancelled' && result.durationMs === 0) break;
      if (pages.length > 0) await chmod(tiff, 0o600);
      else await rm(tiff, { force: true });
      const call: ReceivedCall = { result, tiff: pages.length > 0 ? tiff : null, started };
      calls.push(call);
      o.onCall?.(call);
    }
  } finally {
    await modem.close();
  }
  return calls;
}

/** The JSON object `lpfax receive --json` prints for a call. */
export function callJson(call: ReceivedCall): Record<string, unknown> {
  const r = call.result;
  return {
    result: r.ok ? 'received' : (r.failure?.kind ?? 'failed'),
    message: r.failure?.message ?? null,
    pages: r.pages,
    tiff: call.tiff,
    // The PDF writer (lib/pdf) is not part of this branch yet.
    pdf: null,
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
