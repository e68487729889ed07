/**
 * Fuzzing the T.85 decoder: random octets and mutated BIEs (lib/t4's mutations: bit flips,
 * truncation, inserted, deleted, repeated and zeroed spans), each decoded in one piece and in
 * random pieces. Every outcome must be a bitmap within the limits or a T85Error, the same both
 * ways; anything else is reported.
 */
import { decodeT85, encodeT85, T85Decoder, T85Error } from '../../lib/t85/index.js';
import type { Bitmap } from '../../lib/t4/index.js';
import { mutate } from '../t4/fuzz.js';

export interface T85FuzzReport {
  runs: number;
  decoded: number;
  typedErrors: number;
  /** Untyped exceptions, broken invariants, or a piecewise outcome unlike the one-piece one. */
  failures: { input: string; message: string }[];
}

const MAX_ROWS = 600;

function outcome(fn: () => Bitmap): string {
  try {
    const b = fn();
    if (b.height > MAX_ROWS || b.data.length !== b.height * b.stride || b.width < 1)
      return `invariant broken: ${b.width}x${b.height}, ${b.data.length} octets`;
    return `ok ${b.width}x${b.height} ${Buffer.from(b.data).toString('base64').slice(0, 64)}`;
  } catch (e) {
    if (e instanceof T85Error) return `error ${e.kind}`;
    return `untyped ${String((e as Error)?.stack ?? e)}`;
  }
}

export function fuzzT85(rand: () => number, samples: Bitmap[], iterations: number): T85FuzzReport {
  const report: T85FuzzReport = { runs: 0, decoded: 0, typedErrors: 0, failures: [] };
  const encoded = samples.flatMap((b) => [
    encodeT85(b),
    encodeT85(b, { stripeRows: 1 + Math.floor(rand() * 40), tpbon: false }),
    encodeT85(b, { streamed: true, stripeRows: 1 + Math.floor(rand() * 40) }),
  ]);
  for (let i = 0; i < iterations; i++) {
    let input: Uint8Array;
    if (rand() < 0.15) {
      input = Uint8Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256));
      if (rand() < 0.5 && input.length >= 20) input.set(encoded[0].subarray(0, 20)); // a valid BIH
    } else {
      input = mutate(rand, encoded[Math.floor(rand() * encoded.length)]);
    }
    report.runs++;
    const whole = outcome(() => decodeT85(input, { maxRows: MAX_ROWS }));
    const pieces = outcome(() => {
      const dec = new T85Decoder({ maxRows: MAX_ROWS });
      for (let at = 0; at < input.length;) {
        const n = rand() < 0.3 ? 1 : 1 + Math.floor(rand() * 300);
        dec.push(input.subarray(at, at + n));
        at += n;
      }
      dec.finish();
      return dec.takeBitmap();
    });
    if (whole.startsWith('ok')) report.decoded++;
    else if (whole.startsWith('error')) report.typedErrors++;
    if (!whole.startsWith('ok') && !whole.startsWith('error'))
      report.failures.push({ input: Buffer.from(input).toString('base64'), message: whole });
    else if (whole !== pieces)
      report.failures.push({
        input: Buffer.from(input).toString('base64'),
        message: `one piece: ${whole}; in pieces: ${pieces}`,
      });
  }
  return report;
}
