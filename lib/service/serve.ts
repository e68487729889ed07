/**
 * The fax service (issue 15): answers every configured line, files each call in the archive
 * (lib/archive) page by page, and hands each filed fax to delivery (lib/delivery).
 *
 * Per call: the record is begun (`beginReceive`) once the call is answered, before any page;
 * each page goes through ReceivedFaxWriter into the record's folder and is synced before the
 * receiver confirms it (receiveFax stores it before MCF); `finishReceive` files the call
 * with its facts, then delivery runs. At start, `recover()` files calls a crash cut off.
 * On stop (the signal): the call in progress is ended (DCN, hang-up), its pages are filed as a
 * partial fax, the modem is closed and its UUCP lock freed.
 *
 * Before answering (at the RING that would be answered): a caller ID on the reject list
 * (RejectCallers, screen.ts) or a spool short of MinFreeSpace (space.ts) leaves the call to ring
 * unanswered, logged, not filed. A TSI on the reject list ends the call right after it (DCN);
 * that call is filed as 'rejected' with no pages and not delivered. Caller ID (NMBR/NAME, which
 * the modem reports after the first RING once AT+VCID=1) is kept in the call's record.
 *
 * Sharing the line with senders (lib/modem/line-share.ts): until the answering RING the wait
 * for a call gives way to a send request; from that RING until the call is filed the line is
 * marked as receiving and does not. Delivery runs beside the line, so a sender waits for the
 * call only, not for its delivery.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FaxArchive, ReceiveInProgress } from '../archive/index.js';
import type { FaxSettings } from '../config/index.js';
import type { DeliveryRunner } from '../delivery/index.js';
import { receiveFax, type ReceiveResult } from '../fax/index.js';
import { ReceivedFaxWriter, type ReceivedFaxFiles } from '../fax/store.js';
import { receiveCapabilities } from '../job/receive.js';
import {
  Class1Modem,
  isModemError,
  markReceiving,
  sendRequested,
  waitForLineFree,
  type CallerId,
} from '../modem/index.js';
import { writePdf } from '../pdf/index.js';
import { readTiff } from '../t4/index.js';
import { rejectedBy } from './screen.js';
import { SpaceWatch, type StatFs } from './space.js';

export interface FaxServiceOptions {
  settings: FaxSettings;
  archive: FaxArchive;
  delivery?: DeliveryRunner;
  devices: readonly string[];
  rings: number;
  /** One line per event. */
  log: (line: string) => void;
  signal: AbortSignal;
  /** Seconds between retries of a line that cannot be opened, and of due deliveries (30). */
  retrySeconds?: number;
  /** The modem dialogue, for debugging. */
  trace?: (line: string) => void;
  /** RejectCallers: TSI and caller ID patterns refused (screen.ts). */
  rejectCallers?: readonly string[];
  /** The spool whose free space is checked before answering, and the minimum (MinFreeSpace). */
  spool?: string;
  minFreeBytes?: number;
  /** statfs(2), for tests. */
  statfs?: StatFs;
}

/** What the lines of one service share. */
interface ServiceState {
  space?: SpaceWatch;
  /** Deliveries under way (awaited before the service stops). */
  deliveries: Set<Promise<void>>;
}

/** The archive's result word for a call. */
export function resultOf(r: ReceiveResult, rejected = false): string {
  if (rejected) return 'rejected';
  if (r.ok) return 'received';
  if (r.pages > 0) return 'partial';
  return r.failure?.kind ?? 'failed';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function describeCaller(c: CallerId | undefined): string {
  if (!c?.number && !c?.name) return 'an unknown caller';
  return [c.number, c.name && `"${c.name}"`].filter(Boolean).join(' ');
}

/**
 * Receives one call on an open modem and files it. Until the RING it answers, a send request
 * (lib/modem/line-share.ts) ends the wait: 'yield'. 'stopped' when the signal ended the wait.
 */
async function serveOneCall(
  modem: Class1Modem,
  device: string,
  o: FaxServiceOptions,
  state: ServiceState,
): Promise<'call' | 'yield' | 'stopped'> {
  const { archive, log } = o;
  const lockOptions = { lockDir: o.settings.modem.lockDirectory || undefined };
  const reject = o.rejectCallers ?? [];
  const call = new AbortController();
  const stop = () => call.abort();
  o.signal.addEventListener('abort', stop, { once: true });
  if (o.signal.aborted) call.abort();
  let yielded = false;
  // From the answering RING on, the line is this call's: no yield.
  let committed = false;
  let marked: Promise<void> = Promise.resolve();
  let callerId: CallerId | undefined;
  let rejectedTsi: string | undefined;
  const askYield = () => {
    if (committed || call.signal.aborted) return;
    void sendRequested(device, lockOptions).then((asked) => {
      if (asked && !committed && !call.signal.aborted) {
        yielded = true;
        call.abort();
      }
    });
  };
  askYield();
  const poll = setInterval(askYield, 500);
  state.space?.roomToAnswer(); // logs a shortage now rather than at the next call
  let record: ReceiveInProgress | undefined;
  let writer: ReceivedFaxWriter | undefined;
  const startedAt = new Date();
  let answeredAt = startedAt;
  const begin = (): ReceiveInProgress => {
    if (!record) {
      committed = true;
      answeredAt = new Date();
      record = archive.beginReceive({
        startedAt: answeredAt,
        modem: device,
        callerId: callerId?.number,
        callerName: callerId?.name,
      });
      log(
        `${device}: call answered, fax ${record.id}` +
          (callerId ? ` (caller ${describeCaller(callerId)})` : ''),
      );
    }
    return record;
  };
  const reception = receiveFax({
    modem,
    rings: o.rings,
    localIdent: o.settings.identity.stationId,
    capabilities: receiveCapabilities(o.settings),
    signal: call.signal,
    onRing: (ring) => {
      if (ring.callerId) callerId = ring.callerId;
      if (!ring.answering) return;
      const by = rejectedBy(reject, [callerId?.number, callerId?.name]);
      if (by !== undefined) {
        log(`${device}: call from ${describeCaller(callerId)} refused (RejectCallers "${by}"): not answered`);
        return 'ignore';
      }
      if (state.space && !state.space.roomToAnswer()) return 'ignore';
      committed = true;
      marked = markReceiving(device, true, lockOptions);
    },
    store: async () => {
      await marked;
      const r = begin();
      writer = await ReceivedFaxWriter.open(r.dir, 'fax', { title: `Fax ${r.id}` });
      return writer;
    },
    onProgress: (p) => {
      if (p.kind === 'ringing') return;
      const r = begin();
      if (p.kind === 'command-received' && p.remoteIdent) {
        log(`${device}: fax ${r.id} from "${p.remoteIdent}"`);
        const by = rejectedTsi === undefined ? rejectedBy(reject, [p.remoteIdent]) : undefined;
        if (by !== undefined) {
          rejectedTsi = by;
          log(
            `${device}: fax ${r.id}: sender "${p.remoteIdent}" refused (RejectCallers "${by}"): hanging up`,
          );
          call.abort();
        }
      } else if (p.kind === 'page-received') log(`${device}: fax ${r.id} page ${p.page} (${p.verdict})`);
    },
    trace: o.trace,
  });
  let result: ReceiveResult;
  try {
    for await (const page of reception.pages) void page; // stored by receiveFax, before MCF
    result = await reception.result;
  } finally {
    clearInterval(poll);
    o.signal.removeEventListener('abort', stop);
  }
  if (!record && result.failure?.kind === 'cancelled' && result.durationMs === 0) {
    await marked;
    if (committed) await markReceiving(device, false, lockOptions);
    return yielded && !o.signal.aborted ? 'yield' : 'stopped';
  }
  const r = begin();
  let files: ReceivedFaxFiles = { pages: [] };
  if (writer) {
    try {
      files = await writer.close();
    } catch (e) {
      log(`${device}: fax ${r.id}: closing its files failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const rejected = rejectedTsi !== undefined;
  const fax = archive.finishReceive(r.id, {
    result: resultOf(result, rejected),
    remoteId: result.remoteIdent ?? null,
    subaddress: result.subaddress ?? null,
    pages: files.pages.length,
    bitRate: result.bitRate ?? null,
    coding: result.coding ?? null,
    ecm: result.ecm,
    resolution: result.resolution ?? null,
    badLines: result.badRowsPerPage.reduce((a, b) => a + b, 0),
    durationSeconds: Math.round((Date.now() - answeredAt.getTime()) / 100) / 10,
    tiff: files.tiff ?? null,
    pdf: files.pdf ?? null,
    failureSentence: rejected
      ? `The sender is on the reject list (${rejectedTsi}).`
      : result.ok
        ? null
        : (result.failure?.message ?? null),
    deliver: !rejected && files.pages.length > 0 && o.delivery !== undefined,
  });
  // The call is filed: a waiting sender may have the line now.
  await marked;
  await markReceiving(device, false, lockOptions);
  log(
    `${device}: fax ${fax.id} filed: ${fax.result}, ${fax.pages} page${fax.pages === 1 ? '' : 's'}` +
      (fax.remoteId ? ` from "${fax.remoteId}"` : '') +
      (result.ok || rejected ? '' : ` (${result.failure?.message ?? 'failed'})`),
  );
  if (o.delivery && fax.pages > 0 && !rejected) {
    const delivery = o.delivery;
    const done = delivery
      .deliver(fax.id)
      .then(
        () => undefined,
        (e: unknown) => log(`fax ${fax.id}: delivery: ${String(e)}`),
      )
      .finally(() => state.deliveries.delete(done));
    state.deliveries.add(done);
  }
  return 'call';
}

/** Answers calls on one line until the signal; the modem is held only between open and close. */
async function serveLine(device: string, o: FaxServiceOptions, state: ServiceState): Promise<void> {
  const retryMs = (o.retrySeconds ?? 30) * 1000;
  const lockOptions = { lockDir: o.settings.modem.lockDirectory || undefined };
  while (!o.signal.aborted) {
    let modem: Class1Modem;
    try {
      modem = await Class1Modem.open(device, {
        baudRate: o.settings.modem.baud,
        lockDir: o.settings.modem.lockDirectory || undefined,
        trace: o.trace ? (dir, text) => o.trace?.(`${device} ${dir} ${text}`) : undefined,
      });
    } catch (e) {
      if (isModemError(e) && e.kind === 'locked') {
        // A sender has the line: take it back once it is done.
        o.log(`${device}: in use by process ${e.pid ?? '?'}; waiting for it`);
        await waitForLineFree(device, { ...lockOptions, signal: o.signal });
        continue;
      }
      o.log(`${device}: cannot open the modem (${String(e)}); trying again in ${retryMs / 1000} s`);
      await sleep(retryMs, o.signal);
      continue;
    }
    let yielded = false;
    try {
      o.log(`${device}: waiting for a call`);
      while (!o.signal.aborted) {
        await modem.init({ resetCommand: o.settings.modem.init, callerId: true });
        const how = await serveOneCall(modem, device, o, state);
        if (how === 'stopped') break;
        if (how === 'yield') {
          yielded = true;
          break;
        }
      }
    } catch (e) {
      o.log(`${device}: ${isModemError(e) ? e.message : String(e)}; opening it again`);
    } finally {
      await modem.close();
    }
    if (yielded) {
      o.log(`${device}: line handed to a sender`);
      await waitForLineFree(device, { ...lockOptions, signal: o.signal });
    } else if (!o.signal.aborted) await sleep(1000, o.signal);
  }
  o.log(`${device}: modem closed`);
}

/** Runs the service until the signal: recovers, answers every line, retries due deliveries. */
export async function runFaxService(o: FaxServiceOptions): Promise<void> {
  const recovered = await o.archive.recover({ deliver: o.delivery !== undefined, rebuildPdf });
  for (const fax of recovered)
    o.log(`fax ${fax.id} cut off by a stop of the service, filed as ${fax.result} (${fax.pages} pages)`);
  if (o.devices.length === 0) o.log('no modem configured for receiving (ReceiveDevices)');
  const retry = (async () => {
    if (!o.delivery) return;
    while (!o.signal.aborted) {
      await o.delivery.retryDue().catch((e: unknown) => o.log(`delivery retry: ${String(e)}`));
      await sleep((o.retrySeconds ?? 30) * 1000, o.signal);
    }
  })();
  // Until the signal, even with no line to answer (a service is always there).
  const stopped = new Promise<void>((resolve) => {
    if (o.signal.aborted) resolve();
    else {
      // A timer keeps the process alive while nothing else is pending (no line configured).
      const alive = setInterval(() => undefined, 3_600_000);
      o.signal.addEventListener(
        'abort',
        () => {
          clearInterval(alive);
          resolve();
        },
        { once: true },
      );
    }
  });
  const state: ServiceState = {
    deliveries: new Set(),
    space:
      o.spool !== undefined && (o.minFreeBytes ?? 0) > 0
        ? new SpaceWatch(o.spool, o.minFreeBytes ?? 0, o.log, o.statfs)
        : undefined,
  };
  await Promise.all([...o.devices.map((d) => serveLine(d, o, state)), retry, stopped]);
  await Promise.all([...state.deliveries]);
  o.log('service stopped');
}

/** A PDF of the pages a cut-off call left in its TIFF (recover's rebuildPdf); null when unreadable. */
export async function rebuildPdf(tiffPath: string, dir: string): Promise<string | null> {
  try {
    const pages = readTiff(await readFile(tiffPath));
    if (pages.length === 0) return null;
    const pdf = join(dir, 'fax.pdf');
    await writeFile(pdf, writePdf(pages, { producer: 'lpfax' }), { mode: 0o600 });
    return pdf;
  } catch {
    return null;
  }
}
