/**
 * Decoding of what a V.250 / T.31 modem sends to the DTE (pure, no I/O): text lines with result
 * codes in command state, DLE-shielded data after a CONNECT that starts a receive
 * (+FRH, +FRM, or ATD in Class 1, T.31 §8.3.2 / §8.3.5), and XON/XOFF flow control.
 */
import { DC1, DC3, DleUnshielder } from './dle.js';

/** Final result codes (V.250 §5.7.1, T.31 §8.2). RING is unsolicited, never final. */
export type ResultCode =
  | 'OK'
  | 'CONNECT'
  | 'ERROR'
  | 'BUSY'
  | 'NO CARRIER'
  | 'NO DIALTONE'
  | 'NO ANSWER'
  | '+FCERROR'
  | 'DELAYED'
  | 'BLACKLISTED';

export type AtEvent =
  /** A final result code line. */
  | { type: 'result'; code: ResultCode; text: string }
  /** RING: an incoming call, outside any command. */
  | { type: 'ring' }
  /** An information text line (or an echo, or noise: the channel decides). */
  | { type: 'line'; text: string }
  /** Unshielded data received after CONNECT. */
  | { type: 'data'; bytes: Uint8Array }
  /** DLE ETX: the end of received data; the decoder is back in command (line) state. */
  | { type: 'data-end' }
  | { type: 'xon' }
  | { type: 'xoff' };

/** Classifies one text line; undefined for information text. */
export function parseResultCode(line: string): ResultCode | 'RING' | undefined {
  const t = line.trim().toUpperCase();
  if (t === 'OK') return 'OK';
  if (t === 'CONNECT' || t.startsWith('CONNECT ')) return 'CONNECT';
  if (t === 'RING') return 'RING';
  if (t === 'ERROR') return 'ERROR';
  if (t === 'BUSY') return 'BUSY';
  if (t === 'NO CARRIER') return 'NO CARRIER';
  if (t === 'NO DIALTONE' || t === 'NO DIAL TONE') return 'NO DIALTONE';
  if (t === 'NO ANSWER') return 'NO ANSWER';
  if (t === '+FCERROR' || t === '+F4') return '+FCERROR';
  if (t === 'DELAYED' || t.startsWith('DELAYED ')) return 'DELAYED';
  if (t === 'BLACKLISTED') return 'BLACKLISTED';
  return undefined;
}

const CR = 0x0d;
const LF = 0x0a;
/** A line longer than this is noise; it is cut so a babbling device cannot grow memory. */
const MAX_LINE = 512;

export class AtParser {
  private mode: 'line' | 'data' = 'line';
  private line: number[] = [];
  private armed: boolean | 'hdlc' = false;
  /** In data mode for an HDLC frame, and no octet of it seen yet. */
  private frameStart = false;
  /** A line came where an HDLC frame should have started; the frame may still follow. */
  private beforeFrame = false;
  /** The CONNECT line ended with CR at a chunk end: its LF may open the next chunk. */
  private skipLf = false;
  private readonly unshielder = new DleUnshielder();

  /**
   * The next CONNECT switches to data mode (a receive: +FRH, +FRM, or ATD in Class 1). 'hdlc':
   * a frame follows, whose first octet is its address (0xFF, T.30 §5.3.4); a CR or LF there
   * instead starts a result line (NO CARRIER when the carrier went before any frame).
   */
  armDataOnConnect(on: boolean | 'hdlc'): void {
    this.armed = on;
    this.beforeFrame = false;
  }

  get inDataMode(): boolean {
    return this.mode === 'data';
  }

  /**
   * Leaves data mode without DLE ETX: after the DTE aborted a receive (T.31 §8.3.2), whatever
   * the DCE still sends is read as lines so its final OK is found.
   */
  forceLineMode(): void {
    this.mode = 'line';
    this.armed = false;
    this.frameStart = false;
    this.beforeFrame = false;
    this.skipLf = false;
    this.unshielder.reset();
  }

  push(chunk: Uint8Array): AtEvent[] {
    const events: AtEvent[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (this.mode === 'data') {
        if (this.skipLf) {
          this.skipLf = false;
          if (rest[0] === LF) rest = rest.subarray(1);
          if (rest.length === 0) break;
        }
        if (this.frameStart) {
          this.frameStart = false;
          if (rest[0] === CR || rest[0] === LF) {
            this.mode = 'line';
            this.line = [];
            this.beforeFrame = true;
            continue;
          }
        }
        const r = this.unshielder.push(rest);
        if (r.data.length > 0) events.push({ type: 'data', bytes: r.data });
        if (!r.ended) break;
        events.push({ type: 'data-end' });
        this.mode = 'line';
        this.line = [];
        rest = r.rest;
        continue;
      }
      rest = this.pushLines(rest, events);
    }
    return events;
  }

  /** Consumes line-mode octets; returns what follows a CONNECT that switched to data mode. */
  private pushLines(chunk: Uint8Array, events: AtEvent[]): Uint8Array {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === DC1) {
        events.push({ type: 'xon' });
      } else if (b === DC3) {
        events.push({ type: 'xoff' });
      } else if (b === CR || b === LF) {
        if (this.line.length === 0) continue;
        const text = String.fromCharCode(...this.line).trim();
        this.line = [];
        if (text === '') continue;
        const code = parseResultCode(text);
        if (code === 'RING') events.push({ type: 'ring' });
        else if (code === undefined) events.push({ type: 'line', text });
        else if (code === 'CONNECT' && this.beforeFrame) {
          // CONNECT again where the frame should start (T.31 §8.3.5: CONNECT once the flags are
          // heard): a DCE that reported the flags twice, or a CONNECT that crossed our +FRH.
          // It answers nothing new; the frame still follows. Read as lines, the frame would be
          // lost and its DC3 octets (FF 13 …) taken for XOFF.
          events.push({ type: 'line', text });
          this.beforeFrame = false;
          this.frameStart = true;
          this.mode = 'data';
          this.unshielder.reset();
          if (b === CR && i + 1 === chunk.length) this.skipLf = true;
          const next = b === CR && chunk[i + 1] === LF ? i + 2 : i + 1;
          return chunk.slice(next);
        } else {
          this.beforeFrame = false;
          events.push({ type: 'result', code, text });
          if (code === 'CONNECT' && this.armed) {
            this.frameStart = this.armed === 'hdlc';
            this.armed = false;
            this.mode = 'data';
            this.unshielder.reset();
            // A CR LF pair: the LF belongs to the CONNECT line, not to the data.
            if (b === CR && i + 1 === chunk.length) this.skipLf = true;
            const next = b === CR && chunk[i + 1] === LF ? i + 2 : i + 1;
            return chunk.slice(next);
          }
        }
      } else if (b >= 0x20 && b < 0x7f) {
        if (this.line.length < MAX_LINE) this.line.push(b);
      }
      // Other control octets (a stray DLE ETX, NUL, parity noise) never belong to a line.
    }
    return new Uint8Array(0);
  }
}
