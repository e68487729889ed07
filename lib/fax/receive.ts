/**
 * One fax call received: answer, then run the T.30 receiver core, executing its actions on a
 * FaxReceiveTransport; hang up on every path. A non-ECM page is decoded as its data arrives
 * (the store's streaming T4Decoder: bad rows and their longest run feed the copy-quality
 * verdict) and re-coded at once, so no page bitmap is held; an ECM page is decoded once its
 * partial pages are complete. Each page is written and synced into the call's TIFF-F and PDF
 * (ReceivedFaxWriter) before MCF goes out, then handed out (FaxReception.pages), so a call that
 * breaks keeps every page confirmed before.
 *
 * The store runs beside the line, not in its way: storePage starts it, awaitStored waits for it
 * as long as the core allows. With ECM, a store slower than that (a slow disk, an onPage that
 * takes its time) is answered RNR, and each RR from the sender gets RNR again until the page is
 * on disk, then MCF (T.30 §A.4.5); the line is never silent past the sender's T4 meanwhile.
 */

import type { Class1Modem } from '../modem/index.js';
import { modulationLabel, type Modulation } from '../itu/modulation.js';
import type { Coding, Resolution } from '../itu/page.js';
import {
  ReceiveCapabilities,
  ReceiverOutcome,
  ReceiverTimerName,
  T30Receiver,
  type CopyQuality,
  type FailureKind,
  type PageVerdict,
  type ReceivedPageFormat,
  type ReceiverProgress,
  type T30ReceiverAction,
  type T30ReceiverEvent,
} from '../t30/index.js';
import { Class1ReceiveTransport } from './class1-receive.js';
import type { ReceivedFaxWriter, ReceivedPage } from './store.js';
import type { AnswerOptions, FaxReceiveTransport } from './receive-transport.js';
import { FaxTransportError } from './transport.js';

export type ReceiveProgress = { kind: 'ringing' } | ReceiverProgress;

export interface ReceiveFaxOptions {
  /** The line: a transport, or a Class 1 modem that is open and initialised (probed with +FRM=?). */
  transport?: FaxReceiveTransport;
  modem?: Class1Modem;
  /** Answer at once instead of waiting for RING. */
  answerNow?: boolean;
  /** RINGs before answering (default 1). */
  rings?: number;
  /** At each RING, with the caller ID so far; 'ignore' leaves the call unanswered (AnswerOptions). */
  onRing?: AnswerOptions['onRing'];
  /**
   * Where the pages go: each is stored (and synced) there before it is confirmed. A function is
   * called once the call is answered (so a service makes a call's files only for a call).
   */
  store: ReceivedFaxWriter | (() => Promise<ReceivedFaxWriter>);
  /** Our number for CSI. */
  localIdent: string;
  /** Narrow what the DIS offers (default: all the transport receives; fine, superfine; MH, MR, MMR; ECM). */
  capabilities?: Partial<Omit<ReceiveCapabilities, 'modulations'>> & { maxBitRate?: number };
  copyQuality?: Partial<CopyQuality>;
  tcfMinZeroRunMs?: number;
  /**
   * ECM: how long a page's store may hold the response before the answer is RNR (default 1000
   * ms, T30Receiver's STORE_WAIT_MS). A simulated line running faster than real time needs less.
   */
  storeWaitMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ReceiveProgress) => void;
  /**
   * Called with each page before it is stored and confirmed (it is written once this resolves,
   * then MCF goes out): a rejection ends the call (failure 'storage-failed') with the page
   * neither stored nor confirmed. The page also goes to `pages` once stored. The time it takes
   * is part of the store's (with ECM the sender hears RNR meanwhile).
   */
  onPage?: (page: ReceivedFaxPage) => Promise<void> | void;
  /** Every action and event, for logs. */
  trace?: (line: string) => void;
  clock?: () => number;
}

export interface ReceivedFaxPage {
  /** 0-based, in the order confirmed. */
  index: number;
  /** Rows of the page (bad ones included), as decoded and stored. */
  rows: number;
  resolution: Resolution;
  coding: Coding;
  width: number;
  ecm: boolean;
  /** Rows that did not decode (non-ECM: as received; ECM: rows spoiled by frames given up). */
  badRows: number;
  /** The longest run of bad rows. */
  longestBadRun: number;
  verdict: PageVerdict;
  /** ECM frames still missing when the sender gave up on a partial page (EOR). */
  missingFrames?: number;
  /** Why decoding stopped before the page's data ended (the rows before it are stored). */
  decodeError?: string;
}

export interface ReceiveResult {
  /** The sender ended with EOP and every page was confirmed. */
  ok: boolean;
  failure?: { kind: FailureKind; message: string };
  pages: number;
  pagesRejected: number;
  remoteIdent?: string;
  subaddress?: string;
  /** "V.17 14400" */
  modulation?: string;
  bitRate?: number;
  ecm: boolean;
  coding?: Coding;
  resolution?: Resolution;
  badRowsPerPage: number[];
  /** From answering to hanging up. */
  durationMs: number;
  retrains: number;
  frameRetransmissions: number;
}

export interface FaxReception {
  /** Each page as soon as it is confirmed; ends when the call does. */
  pages: AsyncIterable<ReceivedFaxPage>;
  /** The call's result, once it has hung up. Never rejects. */
  result: Promise<ReceiveResult>;
}

/** A queue of pages the call fills and the caller drains at its own pace. */
class PageQueue implements AsyncIterable<ReceivedFaxPage> {
  private readonly items: ReceivedFaxPage[] = [];
  private waiting?: () => void;
  private closed = false;

  push(page: ReceivedFaxPage): void {
    this.items.push(page);
    this.waiting?.();
  }

  close(): void {
    this.closed = true;
    this.waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ReceivedFaxPage> {
    for (;;) {
      const next = this.items.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }
}

function failureOf(e: unknown): { kind: FailureKind; message: string } {
  if (e instanceof FaxTransportError) return { kind: e.kind, message: e.message };
  return { kind: 'modem-error', message: e instanceof Error ? e.message : String(e) };
}

/** Answers one call and receives it. */
export function receiveFax(options: ReceiveFaxOptions): FaxReception {
  const queue = new PageQueue();
  const result = runReception(options, queue).finally(() => queue.close());
  return { pages: queue, result };
}

async function runReception(options: ReceiveFaxOptions, queue: PageQueue): Promise<ReceiveResult> {
  const clock = options.clock ?? (() => performance.now());
  const empty: ReceiverOutcome = {
    ok: false,
    pagesConfirmed: 0,
    pagesRejected: 0,
    completed: false,
    retrains: 0,
    pageRetransmissions: 0,
    frameRetransmissions: 0,
  };
  const transport =
    options.transport ??
    (options.modem && (await Class1ReceiveTransport.probe(options.modem).catch(() => undefined)));
  if (!transport)
    return toResult(
      { ...empty, failure: { kind: 'modem-error', message: 'no transport or modem given' } },
      [],
      0,
    );
  if (!options.answerNow) options.onProgress?.({ kind: 'ringing' });
  try {
    await transport.answer({
      now: options.answerNow,
      rings: options.rings,
      signal: options.signal,
      onRing: options.onRing,
    });
  } catch (e) {
    await transport.hangup().catch(() => undefined);
    const failure = options.signal?.aborted
      ? { kind: 'cancelled' as const, message: 'cancelled before a call came' }
      : failureOf(e);
    return toResult({ ...empty, failure }, [], 0);
  }
  const started = clock();
  let store: ReceivedFaxWriter;
  try {
    store = typeof options.store === 'function' ? await options.store() : options.store;
  } catch (e) {
    await transport.hangup().catch(() => undefined);
    const message = `the fax could not be stored: ${e instanceof Error ? e.message : String(e)}`;
    return toResult({ ...empty, failure: { kind: 'storage-failed', message } }, [], 0);
  }
  const c = options.capabilities ?? {};
  const maxBitRate = c.maxBitRate ?? Infinity;
  const core = new T30Receiver({
    localIdent: options.localIdent,
    capabilities: {
      modulations: transport.modulations.filter((m) => m.bitRate <= maxBitRate),
      fine: c.fine ?? true,
      superfine: c.superfine ?? true,
      mr: c.mr ?? true,
      mmr: c.mmr ?? true,
      t85: c.t85 ?? true,
      t85L0: c.t85L0 ?? true,
      ecm: c.ecm ?? true,
      widths: c.widths ?? [1728, 2048, 2432],
      lengths: c.lengths ?? ['a4', 'b4', 'unlimited'],
      minScanTimeMs: c.minScanTimeMs ?? 0,
    },
    copyQuality: options.copyQuality,
    tcfMinZeroRunMs: options.tcfMinZeroRunMs,
    storeWaitMs: options.storeWaitMs,
  });
  const driver = new ReceiveDriver(core, transport, queue, store, options);
  const outcome = await driver.run();
  driver.dropPage();
  await transport.hangup().catch(() => undefined);
  // A store still under way when the call ended (the sender hung up during RNR) finishes first.
  await driver.settle();
  return toResult(outcome, driver.badRows, Math.round(clock() - started));
}

function toResult(outcome: ReceiverOutcome, badRowsPerPage: number[], durationMs: number): ReceiveResult {
  const dcs = outcome.dcs;
  return {
    ok: outcome.ok && outcome.completed,
    failure: outcome.failure,
    pages: outcome.pagesConfirmed,
    pagesRejected: outcome.pagesRejected,
    remoteIdent: outcome.remoteIdent,
    subaddress: outcome.subaddress,
    modulation: dcs && modulationLabel(dcs.modulation),
    bitRate: dcs?.modulation.bitRate,
    ecm: dcs?.ecm ?? false,
    coding: dcs?.coding,
    resolution: dcs?.resolution,
    badRowsPerPage,
    durationMs,
    retrains: outcome.retrains,
    frameRetransmissions: outcome.frameRetransmissions,
  };
}

/** Executes the receiver's actions in order and feeds back how the last one ended. */
class ReceiveDriver {
  private readonly deadlines = new Map<ReceiverTimerName, number>();
  private readonly now: () => number;
  private cancelled = false;
  /** The non-ECM page last received (decoded, not yet stored), until the core says to keep it. */
  private lastPage?: ReceivedPage;
  /** The store under way (storePage), with what it ends as: pageStored or storage-failed. */
  private storing?: { page: number; done: Promise<T30ReceiverEvent> };
  readonly badRows: number[] = [];

  constructor(
    private readonly core: T30Receiver,
    private readonly transport: FaxReceiveTransport,
    private readonly queue: PageQueue,
    private readonly pageStore: ReceivedFaxWriter,
    private readonly options: ReceiveFaxOptions,
  ) {
    this.now = options.clock ?? (() => performance.now());
  }

  async run(): Promise<ReceiverOutcome> {
    let actions = this.feed({ type: 'connected' });
    for (;;) {
      const ending = actions.some((a) => a.type === 'hangup');
      let next: T30ReceiverEvent | undefined;
      for (const action of actions) {
        if (action.type === 'hangup') return action.outcome;
        if (!ending && !this.cancelled && this.options.signal?.aborted) {
          this.cancelled = true;
          next = { type: 'cancel' };
          break;
        }
        try {
          const got = await this.execute(action);
          // A page that could not be stored is not confirmed: the rest of the batch (MCF) is dropped.
          if (got?.type === 'transportError') {
            next = got;
            break;
          }
          next = got ?? next;
        } catch (e) {
          if (ending) continue; // Phase E is best effort: the line may already be gone
          next = { type: 'transportError', ...failureOf(e) };
          break;
        }
      }
      next ??= { type: 'transportError', kind: 'protocol-error', message: 'the T.30 receiver stalled' };
      actions = this.feed(next);
    }
  }

  private feed(event: T30ReceiverEvent): T30ReceiverAction[] {
    this.options.trace?.(`event ${describe(event)}`);
    return this.core.handle(event);
  }

  private async execute(action: T30ReceiverAction): Promise<T30ReceiverEvent | undefined> {
    this.options.trace?.(`action ${describe(action)}`);
    const t = this.transport;
    switch (action.type) {
      case 'sendFrames':
        return void (await t.sendFrames(action.frames));
      case 'receiveFrame':
        return this.receive(action.timeoutMs);
      case 'awaitSilence':
        return void (await t.awaitSilence(action.ms));
      case 'silence':
        return void (await t.silence(action.ms));
      case 'receiveTraining': {
        const got = await t.receiveTraining(action.modulation, action.durationMs);
        return typeof got === 'string'
          ? { type: 'signalMissed', reason: got }
          : { type: 'trainingReceived', data: got };
      }
      case 'receiveImage':
        return this.receiveImage(action.modulation, action.shortTraining, action.format);
      case 'receiveImageFrames': {
        const got = await t.receiveImageFrames(action.modulation, action.shortTraining);
        return typeof got === 'string'
          ? { type: 'signalMissed', reason: got }
          : { type: 'imageFramesReceived', frames: got };
      }
      case 'storePage':
        this.storing = { page: action.page, done: this.store(action) };
        return undefined;
      case 'awaitStored':
        return this.awaitStored(action.page, action.timeoutMs);
      case 'armTimer':
        this.deadlines.set(action.timer, this.now() + action.ms);
        return undefined;
      case 'cancelTimer':
        this.deadlines.delete(action.timer);
        return undefined;
      case 'progress':
        this.options.onProgress?.(action.progress);
        return undefined;
      case 'hangup':
        return undefined;
    }
  }

  private async receiveImage(
    modulation: Modulation,
    shortTraining: boolean,
    format: ReceivedPageFormat,
  ): Promise<T30ReceiverEvent> {
    this.dropPage(); // a page answered RTN: the sender sends it again, or another
    const page = this.pageStore.beginPage(format);
    this.lastPage = page;
    const got = await this.transport.receiveImage(modulation, shortTraining, (chunk) => page.push(chunk));
    if (got !== 'ended') {
      this.dropPage();
      return { type: 'signalMissed', reason: got };
    }
    const summary = page.finish();
    return {
      type: 'pageDataReceived',
      rows: summary.rows,
      badRows: summary.badRows,
      maxConsecutiveBadRows: summary.longestBadRun,
    };
  }

  /** Forgets a non-ECM page that was not confirmed (RTN, a missed carrier, the call's end). */
  dropPage(): void {
    if (this.lastPage && !this.lastPage.done) this.lastPage.discard();
    this.lastPage = undefined;
  }

  /** The store's end (pageStored or storage-failed), or storePending once timeoutMs passes. */
  private async awaitStored(page: number, timeoutMs?: number): Promise<T30ReceiverEvent> {
    const storing = this.storing;
    if (!storing || storing.page !== page)
      return {
        type: 'transportError',
        kind: 'protocol-error',
        message: `page ${page + 1} is not being stored`,
      };
    if (timeoutMs === undefined) return this.stored(await storing.done);
    let timer: NodeJS.Timeout | undefined;
    const pending = new Promise<T30ReceiverEvent>((resolve) => {
      timer = setTimeout(() => resolve({ type: 'storePending', page }), timeoutMs);
    });
    try {
      const got = await Promise.race([storing.done, pending]);
      return got.type === 'storePending' ? got : this.stored(got);
    } finally {
      clearTimeout(timer);
    }
  }

  private stored(event: T30ReceiverEvent): T30ReceiverEvent {
    this.storing = undefined;
    return event;
  }

  /** Waits for a store still under way (the call has ended). */
  async settle(): Promise<void> {
    await this.storing?.done;
    this.storing = undefined;
  }

  /**
   * Stores a confirmed page (synced before MCF goes out) and hands it to the caller; ECM pages
   * are decoded here, from their frames joined. Never rejects: a failure is the event.
   */
  private async store(action: Extract<T30ReceiverAction, { type: 'storePage' }>): Promise<T30ReceiverEvent> {
    const stored: T30ReceiverEvent = { type: 'pageStored', page: action.page };
    const format = action.format;
    let page: ReceivedPage | undefined;
    if (action.data) {
      this.dropPage();
      page = this.pageStore.beginPage(format);
      page.push(action.data);
    } else {
      page = this.lastPage;
      this.lastPage = undefined;
    }
    if (!page) return stored;
    // Let the line go on first: storePage returns before the decode (ECM) and the writes start.
    await Promise.resolve();
    const summary = page.finish();
    const received: ReceivedFaxPage = {
      index: action.page,
      rows: summary.rows,
      resolution: format.resolution,
      coding: format.coding,
      width: format.width,
      ecm: format.ecm,
      badRows: summary.badRows,
      longestBadRun: summary.longestBadRun,
      verdict: action.verdict,
      ...(action.missingFrames ? { missingFrames: action.missingFrames } : {}),
      ...(page.error ? { decodeError: page.error } : {}),
    };
    try {
      if (summary.rows === 0) throw new Error(page.error ?? 'the page has no rows');
      await this.options.onPage?.(received);
      // Written and synced before the MCF that follows this action.
      await page.store();
    } catch (e) {
      if (!page.done) page.discard();
      const message = `page ${action.page + 1} could not be stored: ${e instanceof Error ? e.message : String(e)}`;
      return { type: 'transportError', kind: 'storage-failed', message };
    }
    this.badRows.push(summary.badRows);
    this.queue.push(received);
    return stored;
  }

  /** A receive ends at its own timeout or at the earliest armed timer, whichever is first. */
  private async receive(timeoutMs: number): Promise<T30ReceiverEvent> {
    let limit = timeoutMs;
    let timer: ReceiverTimerName | undefined;
    for (const [name, deadline] of this.deadlines) {
      const left = deadline - this.now();
      if (left <= limit) [limit, timer] = [left, name];
    }
    if (timer && limit <= 0) {
      this.deadlines.delete(timer);
      return { type: 'timerExpired', timer };
    }
    const got = await this.transport.receiveFrame(limit);
    if (got) return { type: 'frameReceived', frame: got.frame, fcsOk: got.fcsOk };
    if (timer && this.now() >= this.deadlines.get(timer)! - 50) {
      this.deadlines.delete(timer);
      return { type: 'timerExpired', timer };
    }
    return { type: 'receiveTimeout' };
  }
}

/** One line for traces: frames as hex, data as lengths. */
function describe(x: T30ReceiverAction | T30ReceiverEvent): string {
  return JSON.stringify(x, (key, value: unknown) => {
    if (value instanceof Uint8Array) {
      return value.length > 32
        ? `<${value.length} octets>`
        : Array.from(value, (b) => b.toString(16).padStart(2, '0')).join(' ');
    }
    if (key === 'frames' && Array.isArray(value) && value.length > 8) return `<${value.length} frames>`;
    if (key === 'modulation' && value && typeof value === 'object')
      return modulationLabel(value as Modulation);
    return value;
  });
}
