/**
 * Fuzzing the decoders: random streams and mutated valid streams (bit flips, truncation,
 * inserted, deleted, repeated and zeroed spans) through MH, MR and MMR decoding in both bit
 * orders and through readTiff. Every outcome must be a bitmap within the limits or a typed error.
 * Used by the test suite (fixed seed, bounded) and by bench/fuzz-t4.ts for long runs.
 */
import { concatBytes } from '../../lib/itu/bytes.js';
import {
  decodePage,
  encodePage,
  firstDifferentRow,
  readTiff,
  T4DecodeError,
  T4Decoder,
  T4Error,
  TiffError,
  writeTiffF,
} from '../../lib/t4/index.js';
import type { Bitmap, DecodeResult } from '../../lib/t4/index.js';
import type { T4Coding as Coding } from '../../lib/itu/page.js';

export interface FuzzReport {
  runs: number;
  decoded: number;
  typedErrors: number;
  badRows: number;
  /** Inputs that produced an untyped exception or broke an invariant: base64 input and message. */
  untyped: { input: string; target: string; message: string }[];
}

const CODINGS: Coding[] = ['mh', 'mr', 'mmr'];
const MAX_ROWS = 3000;

export function mutate(rand: () => number, src: Uint8Array): Uint8Array {
  let data: Uint8Array = src.slice();
  const edits = 1 + Math.floor(rand() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * Math.max(1, data.length));
    const span = 1 + Math.floor(rand() * 64);
    switch (Math.floor(rand() * 6)) {
      case 0: // bit flips
        for (let k = 0; k < 1 + rand() * 8; k++) {
          const i = Math.floor(rand() * data.length);
          if (data.length) data[i] ^= 1 << Math.floor(rand() * 8);
        }
        break;
      case 1:
        data = data.slice(0, at);
        break;
      case 2: {
        const ins = Uint8Array.from({ length: span }, () => Math.floor(rand() * 256));
        data = concatBytes([data.subarray(0, at), ins, data.subarray(at)]);
        break;
      }
      case 3:
        data = concatBytes([data.subarray(0, at), data.subarray(at + span)]);
        break;
      case 4:
        data = concatBytes([
          data.subarray(0, at + span),
          data.subarray(at, at + span),
          data.subarray(at + span),
        ]);
        break;
      default:
        data.fill(rand() < 0.5 ? 0 : 0xff, at, at + span);
    }
  }
  return data;
}

function b64(d: Uint8Array): string {
  return Buffer.from(d).toString('base64');
}

export function fuzzDecoders(rand: () => number, samples: Bitmap[], iterations: number): FuzzReport {
  const report: FuzzReport = { runs: 0, decoded: 0, typedErrors: 0, badRows: 0, untyped: [] };
  const pick = <T>(a: T[]): T => a[Math.floor(rand() * a.length)];
  const encoded = samples.flatMap((b) =>
    CODINGS.map((coding) => ({
      coding,
      width: b.width,
      data: encodePage(b, { coding, bitOrder: 'lsb-first', kFactor: 4 }),
    })),
  );
  const tiffs = CODINGS.map((coding) =>
    writeTiffF(
      samples.slice(0, 2).map((bitmap) => ({ bitmap, resolution: 'fine' })),
      { coding },
    ),
  );

  const attempt = (target: string, input: Uint8Array, fn: () => void) => {
    report.runs++;
    try {
      fn();
      report.decoded++;
    } catch (e) {
      if (e instanceof T4Error || e instanceof TiffError) report.typedErrors++;
      else report.untyped.push({ input: b64(input), target, message: String((e as Error)?.stack ?? e) });
    }
  };
  const check = (b: Bitmap, width: number) => {
    if (b.width !== width || b.height > MAX_ROWS || b.data.length !== b.height * b.stride) {
      throw new Error(`invariant broken: ${b.width}x${b.height}, ${b.data.length} bytes`);
    }
  };

  for (let i = 0; i < iterations; i++) {
    const mode = rand();
    let input: Uint8Array;
    let width: number;
    if (mode < 0.15) {
      input = Uint8Array.from({ length: Math.floor(rand() * 3000) }, () => Math.floor(rand() * 256));
      width = rand() < 0.5 ? 1728 : 1 + Math.floor(rand() * 3000);
    } else if (mode < 0.85) {
      const e = pick(encoded);
      input = mutate(rand, e.data);
      width = e.width;
    } else {
      const t = mutate(rand, pick(tiffs));
      attempt('readTiff', t, () => {
        for (const p of readTiff(t)) {
          check(p.bitmap, p.bitmap.width);
          report.badRows += p.badRows;
        }
      });
      continue;
    }
    for (const coding of CODINGS) {
      for (const bitOrder of ['lsb-first', 'msb-first'] as const) {
        attempt(`${coding}/${bitOrder}/${width}`, input, () => {
          const r = decodePage(input, { coding, width, bitOrder, maxRows: MAX_ROWS });
          check(r.bitmap, width);
          report.badRows += r.badRows;
        });
      }
    }
  }
  return report;
}

export interface StreamFuzzReport extends FuzzReport {
  /** Inputs whose decoding in pieces differed from decoding in one piece. */
  mismatches: { input: string; target: string; cuts: number[]; message: string }[];
}

/** Outcome of a decode for comparison: the summary and pixels, or the typed error. */
function outcome(fn: () => DecodeResult): { result?: DecodeResult; error?: string } {
  try {
    return { result: fn() };
  } catch (e) {
    if (e instanceof T4DecodeError) return { error: `${e.kind} at ${e.row}` };
    if (e instanceof T4Error) return { error: e.kind };
    throw e;
  }
}

/**
 * T4Decoder fed mutated line data in random pieces (single octets, runs of them, large blocks)
 * against decodePage of the same octets: the same rows, bad rows, longest run, end and pixels,
 * or the same typed error. Anything else is reported.
 */
export function fuzzStreaming(rand: () => number, samples: Bitmap[], iterations: number): StreamFuzzReport {
  const report: StreamFuzzReport = {
    runs: 0,
    decoded: 0,
    typedErrors: 0,
    badRows: 0,
    untyped: [],
    mismatches: [],
  };
  const encoded = samples.flatMap((b) =>
    CODINGS.map((coding) => ({
      coding,
      width: b.width,
      data: encodePage(b, {
        coding,
        bitOrder: 'lsb-first',
        kFactor: 1 + Math.floor(rand() * 6),
        minBitsPerRow: coding === 'mmr' ? 0 : Math.floor(rand() * 400),
      }),
    })),
  );
  for (let i = 0; i < iterations; i++) {
    const e = encoded[Math.floor(rand() * encoded.length)];
    const input = rand() < 0.1 ? e.data : mutate(rand, e.data);
    for (const coding of CODINGS) {
      for (const bitOrder of ['lsb-first', 'msb-first'] as const) {
        const options = { coding, width: e.width, bitOrder, maxRows: MAX_ROWS };
        const cuts: number[] = [];
        for (let at = 0; at < input.length;) {
          at += rand() < 0.3 ? 1 : 1 + Math.floor(rand() * 400);
          cuts.push(Math.min(at, input.length));
        }
        const target = `${coding}/${bitOrder}`;
        report.runs++;
        try {
          const whole = outcome(() => decodePage(input, options));
          const pieces = outcome(() => {
            const d = new T4Decoder(options);
            let at = 0;
            for (const c of cuts) {
              d.push(input.subarray(at, c));
              at = c;
            }
            return { ...d.finish(), bitmap: d.takeBitmap() };
          });
          if (whole.error) report.typedErrors++;
          else {
            report.decoded++;
            report.badRows += whole.result!.badRows;
          }
          const a = whole.result;
          const b = pieces.result;
          const differ =
            whole.error !== pieces.error ||
            (a &&
              b &&
              (a.rows !== b.rows ||
                a.badRows !== b.badRows ||
                a.longestBadRun !== b.longestBadRun ||
                a.end !== b.end ||
                firstDifferentRow(a.bitmap, b.bitmap) !== -1));
          if (differ)
            report.mismatches.push({
              input: b64(input),
              target,
              cuts,
              message: `${JSON.stringify(whole.error ?? a?.end)} vs ${JSON.stringify(pieces.error ?? b?.end)}`,
            });
        } catch (err) {
          report.untyped.push({ input: b64(input), target, message: String((err as Error)?.stack ?? err) });
        }
      }
    }
  }
  return report;
}
