/**
 * One fax call: dial, then run the T.30 sender core, executing its actions on a FaxTransport
 * and coding pages with lib/t4 as it asks for them; hang up on every path.
 */

import type { Class1Modem } from '../modem/index.js';

import type { FaxPage } from '../t4/index.js';

import {
  T30Action,
  T30Event,
  T30Outcome,
  T30Sender,
  TimerName,
  type FailureKind,
  type PageLength,
  type RtnHandling,
  type SenderProgress,
  type SubaddressFallback,
} from '../t30/index.js';

import { Class1Transport } from './class1.js';

import { PageSource, codePage } from './pages.js';

import { FaxTransport, FaxTransportError } from './transport.js';

import type { Coding, Resolution } from '../itu/page.js';
import { modulationLabel, type Modulation } from '../itu/modulation.js';

export type FaxProgress = { kind: 'dialing'; dialString: string } | { kind: 'connected' } | SenderProgress;

export interface SendFaxOptions {
  /** The line: a transport, or a Class 1 modem that is open and initialised (then probed with +FTM=?). */
  transport?: FaxTransport;
  modem?: Class1Modem;
  /** What to dial; without it the call must already be connected (receiving the far end's V.21). */
  dialString?: string;
  /** Pulse dialling (ATDP) instead of tone. */
  pulse?: boolean;
  pages: AsyncIterable<FaxPage>;
  /** Our number for TSI, e.g. "+49 30 1234567". */
  localIdent: string;
  /** Resolution the pages are rendered at (downgraded if the far end needs it). */
  resolution: Resolution;
  maxBitRate?: number;
  /** Use ECM when both ends can (default true). */
  ecm?: boolean;
  /** Octets per ECM frame (T.30 Annex A.1.3, default 256). */
  ecmFrameSize?: 256 | 64;
  /** Send T.85 (JBIG) pages when the far end offers them with ECM (default true). */
  jbig?: boolean;
  /** The codings we may choose from (default all; `jbig: false` leaves out T.85), e.g. to force T.85 over T.85-L0. */
  codings?: readonly Coding[];
  /** 'unlimited' for Letter/Legal pages; default 'a4'. */
  pageLength?: PageLength;
  rtnHandling?: RtnHandling;
  /** Retrains allowed after FTT, RTN or PIN in this call (default 3). */
  maxRetrains?: number;
  /** T.30 subaddress (SUB) for the far end to route the fax by; '' or absent: none. */
  subaddress?: string;
  /** When the far end does not offer subaddressing: end the call (default) or send without. */
  subaddressFallback?: SubaddressFallback;
  signal?: AbortSignal;
  onProgress?: (progress: FaxProgress) => void;
  /** Every action and event, for logs. */
  trace?: (line: string) => void;
  /** Milliseconds on a monotonic clock, for the T.30 timers (default: performance.now). */
  clock?: () => number;
}

export interface FaxResult {
  ok: boolean;
  failure?: { kind: FailureKind; message: string };
  pagesConfirmed: number;
  /** The page (0-based, in this call) sent but not confirmed when the call failed, if any. */
  pageInProgress?: number;
  remoteIdent?: string;
  /** "V.17 14400" */
  modulation?: string;
  bitRate?: number;
  ecm: boolean;
  coding?: Coding;
  resolution?: Resolution;
  durationMs: number;
  retrains: number;
  pageRetransmissions: number;
  frameRetransmissions: number;
}

function toResult(outcome: T30Outcome, durationMs: number): FaxResult {
  const dcs = outcome.dcs;
  return {
    ok: outcome.ok,
    failure: outcome.failure,
    pagesConfirmed: outcome.pagesConfirmed,
    pageInProgress: outcome.pageInProgress,
    remoteIdent: outcome.remoteIdent,
    modulation: dcs && modulationLabel(dcs.modulation),
    bitRate: dcs?.modulation.bitRate,
    ecm: dcs?.ecm ?? false,
    coding: dcs?.coding,
    resolution: dcs?.resolution,
    durationMs,
    retrains: outcome.retrains,
    pageRetransmissions: outcome.pageRetransmissions,
    frameRetransmissions: outcome.frameRetransmissions,
  };
}

function failureOf(e: unknown): { kind: FailureKind; message: string } {
  if (e instanceof FaxTransportError) return { kind: e.kind, message: e.message };
  return { kind: 'modem-error', message: e instanceof Error ? e.message : String(e) };
}

/** Sends a fax. Never rejects: every failure is a FaxResult with a typed failure. */
export async function sendFax(options: SendFaxOptions): Promise<FaxResult> {
  const clock = options.clock ?? (() => performance.now());
  const started = clock();
  const transport =
    options.transport ??
    (options.modem && (await Class1Transport.probe(options.modem).catch(() => undefined)));
  const empty: T30Outcome = {
    ok: false,
    pagesConfirmed: 0,
    retrains: 0,
    pageRetransmissions: 0,
    frameRetransmissions: 0,
  };
  if (!transport) {
    return toResult(
      { ...empty, failure: { kind: 'modem-error', message: 'no transport or modem given' } },
      0,
    );
  }
  const pages = new PageSource(options.pages);
  pages.prefetch(1); // rasterise the first pages while dialling
  const finish = async (outcome: T30Outcome) => {
    await transport.hangup().catch(() => undefined);
    await pages.close();
    return toResult(outcome, Math.round(clock() - started));
  };

  if (options.signal?.aborted)
    return finish({ ...empty, failure: { kind: 'cancelled', message: 'cancelled before dialling' } });
  if (options.dialString !== undefined) {
    options.onProgress?.({ kind: 'dialing', dialString: options.dialString });
    try {
      await transport.dial(options.dialString, { pulse: options.pulse });
    } catch (e) {
      return finish({ ...empty, failure: failureOf(e) });
    }
  }
  options.onProgress?.({ kind: 'connected' });

  const core = new T30Sender({
    localIdent: options.localIdent,
    resolution: options.resolution,
    maxBitRate: options.maxBitRate,
    ecm: (options.ecm ?? true) && transport.ecm,
    ecmFrameSize: options.ecmFrameSize,
    ...(options.codings
      ? { codings: options.codings }
      : options.jbig === false
        ? { codings: ['mh', 'mr', 'mmr'] as const }
        : {}),
    modulations: transport.modulations,
    pageLength: options.pageLength,
    rtnHandling: options.rtnHandling,
    maxRetrains: options.maxRetrains,
    subaddress: options.subaddress,
    subaddressFallback: options.subaddressFallback,
  });
  const outcome = await new CallDriver(core, transport, pages, options).run();
  return finish(outcome);
}

/** Executes the core's actions in order and feeds back how the last one ended. */
class CallDriver {
  private readonly deadlines = new Map<TimerName, number>();
  private cancelled = false;
  private readonly now: () => number;

  constructor(
    private readonly core: T30Sender,
    private readonly transport: FaxTransport,
    private readonly pages: PageSource,
    private readonly options: SendFaxOptions,
  ) {
    this.now = options.clock ?? (() => performance.now());
  }

  async run(): Promise<T30Outcome> {
    let actions = this.feed({ type: 'connected' });
    for (;;) {
      const ending = actions.some((a) => a.type === 'hangup');
      let next: T30Event | undefined;
      for (const action of actions) {
        if (action.type === 'hangup') return action.outcome;
        if (!ending && !this.cancelled && this.options.signal?.aborted) {
          this.cancelled = true;
          next = { type: 'cancel' };
          break;
        }
        try {
          next = (await this.execute(action)) ?? next;
        } catch (e) {
          if (ending) continue; // Phase E is best effort: the line may already be gone
          next = { type: 'transportError', ...failureOf(e) };
          break;
        }
      }
      // Every batch ends in an action that reports back; if not, that is a core bug, reported as such.
      next ??= { type: 'transportError', kind: 'protocol-error', message: 'the T.30 core stalled' };
      actions = this.feed(next);
    }
  }

  private feed(event: T30Event): T30Action[] {
    this.options.trace?.(`event ${describe(event)}`);
    return this.core.handle(event);
  }

  private async execute(action: T30Action): Promise<T30Event | undefined> {
    this.options.trace?.(`action ${describe(action)}`);
    const t = this.transport;
    switch (action.type) {
      case 'sendFrames':
        return void (await t.sendFrames(action.frames));
      case 'receiveFrame':
        return this.receive(action.timeoutMs);
      case 'silence':
        return void (await t.silence(action.ms));
      case 'sendTraining':
        return void (await t.sendTraining(action.modulation, action.durationMs));
      case 'preparePage':
        return this.preparePage(action.page, action.coding);
      case 'sendImage':
        return void (await t.sendImage(action.modulation, action.data, action.shortTraining));
      case 'sendImageFrames':
        return void (await t.sendImageFrames(action.modulation, action.frames, action.shortTraining));
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

  /** A receive ends at its own timeout or at the earliest armed timer, whichever is first. */
  private async receive(timeoutMs: number): Promise<T30Event> {
    let limit = timeoutMs;
    let timer: TimerName | undefined;
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

  private async preparePage(page: number, coding: Parameters<typeof codePage>[1]): Promise<T30Event> {
    try {
      const got = await this.pages.get(page);
      if (!got)
        return {
          type: 'pageFailed',
          page,
          message: page === 0 ? 'the job has no pages' : `no page ${page + 1}`,
        };
      return {
        type: 'pageReady',
        page,
        data: codePage(got.page, coding),
        morePages: got.morePages,
        documentEnds: got.documentEnds,
      };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { type: 'pageFailed', page, message: `page ${page + 1}: ${message}` };
    }
  }
}

/** One line for traces: frames as hex, data as lengths. */
function describe(x: T30Action | T30Event): string {
  return JSON.stringify(x, (key, value: unknown) => {
    if (value instanceof Uint8Array) {
      return value.length > 32
        ? `<${value.length} octets>`
        : Array.from(value, (b) => b.toString(16).padStart(2, '0')).join(' ');
    }
    if (key === 'capabilities') return undefined;
    if (key === 'modulation' && value && typeof value === 'object')
      return modulationLabel(value as Modulation);
    return value;
  });
}
