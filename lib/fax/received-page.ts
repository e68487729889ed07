/**
 * Decoding a received page for the store. One small interface, so that the whole-page decoder
 * used today (lib/t4 decodePage, run when the page ends) can be swapped for a streaming decoder
 * that yields rows as the data arrives, without touching the call logic.
 */

import { DEFAULT_MAX_ROWS, createBitmap, decodePage, type Bitmap } from '../t4/index.js';
import type { ReceivedPageFormat } from '../t30/index.js';

export interface DecodedPage {
  bitmap: Bitmap;
  /** Rows decoded (the bitmap's height). */
  rows: number;
  /** Rows that did not decode (replaced by the row above, T.4 §4.1.2). */
  badRows: number;
  /** Longest run of bad rows, when the decoder counts it. */
  maxConsecutiveBadRows?: number;
  /** The coded data as received. */
  octets: number;
  /** Why the page could not be decoded at all (an MMR page with a coding error). */
  error?: string;
}

export interface PageDecoder {
  push(chunk: Uint8Array): void;
  /** The page so far; an MMR page that breaks keeps the rows before the break. */
  finish(): DecodedPage;
}

/** The rows a page of this length may have (T.4 §2.2; unlimited: the decoder's own limit). */
function maxRows(format: ReceivedPageFormat): number {
  return format.length === 'unlimited' ? DEFAULT_MAX_ROWS : DEFAULT_MAX_ROWS;
}

/** A decoder for one page in the format of the DCS in force. */
export function createPageDecoder(format: ReceivedPageFormat): PageDecoder {
  const chunks: Uint8Array[] = [];
  let octets = 0;
  return {
    push(chunk) {
      chunks.push(chunk.slice());
      octets += chunk.length;
    },
    finish() {
      const data = new Uint8Array(octets);
      let o = 0;
      for (const c of chunks) {
        data.set(c, o);
        o += c.length;
      }
      chunks.length = 0;
      let result;
      try {
        result = decodePage(data, {
          coding: format.coding,
          width: format.width,
          bitOrder: 'lsb-first',
          maxRows: maxRows(format),
        });
      } catch (e) {
        const bitmap = createBitmap(format.width, 0);
        return { bitmap, rows: 0, badRows: 0, octets, error: e instanceof Error ? e.message : String(e) };
      }
      return { bitmap: result.bitmap, rows: result.bitmap.height, badRows: result.badRows, octets };
    },
  };
}
