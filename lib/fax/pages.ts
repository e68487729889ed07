/**
 * Pages for one call: pulled lazily from the caller's async iterator (so the call can start
 * before every page is rasterised), kept until the far end has confirmed them (RTN may ask for
 * a page again), and coded for the session parameters the T.30 core asks for.
 */

import { convertResolution, encodePage, type Bitmap, type FaxPage } from '../t4/index.js';
import { DEFAULT_STRIPE_ROWS, encodeT85 } from '../t85/index.js';
import type { PageCoding } from '../t30/index.js';

export class PageSource {
  private readonly iterator: AsyncIterator<FaxPage>;
  /** pages[i] is page number first + i. */
  private pages: Promise<IteratorResult<FaxPage>>[] = [];
  private first = 0;

  constructor(pages: AsyncIterable<FaxPage>) {
    this.iterator = pages[Symbol.asyncIterator]();
  }

  /** Starts pulling pages up to number `last` (0-based) in the background. */
  prefetch(last: number): void {
    while (this.first + this.pages.length <= last) {
      const previous =
        this.pages[this.pages.length - 1] ?? Promise.resolve({ done: false, value: undefined });
      // One pull at a time, in order; after the end, stay at the end.
      const next = previous.then((r) => (r.done ? r : this.iterator.next()));
      next.catch(() => undefined); // observed by get(); avoid an unhandled rejection meanwhile
      this.pages.push(next);
    }
  }

  /**
   * Page `n`, whether another follows and whether that one starts another document (which
   * needs page n + 1 pulled, so the core knows whether to send MPS, EOM or EOP); undefined past
   * the end. Pages before n are released.
   */
  async get(n: number): Promise<{ page: FaxPage; morePages: boolean; documentEnds: boolean } | undefined> {
    if (n < this.first) throw new RangeError(`page ${n + 1} was already released`);
    this.pages = this.pages.slice(n - this.first);
    this.first = n;
    this.prefetch(n + 2);
    const current = await this.pages[0];
    if (current.done) return undefined;
    const following = await this.pages[1];
    return {
      page: current.value,
      morePages: !following.done,
      documentEnds: !following.done && (following.value.document ?? 0) !== (current.value.document ?? 0),
    };
  }

  /** Lets the iterator clean up (a rasteriser may hold a child process). */
  async close(): Promise<void> {
    await this.iterator.return?.().catch(() => undefined);
  }
}

/** Nearest-neighbour horizontal scaling to the negotiated width (T.4 §2.2 widths). */
export function fitWidth(bitmap: Bitmap, width: number): Bitmap {
  if (bitmap.width === width) return bitmap;
  const stride = Math.ceil(width / 8);
  const data = new Uint8Array(stride * bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = Math.floor(((x + 0.5) * bitmap.width) / width);
      if (bitmap.data[y * bitmap.stride + (sx >> 3)] & (0x80 >> (sx & 7)))
        data[y * stride + (x >> 3)] |= 0x80 >> (x & 7);
    }
  }
  return { width, height: bitmap.height, stride, data };
}

/** The page coded as the core asked: resolution, width, coding, fill, in line bit order. */
export function codePage(page: FaxPage, coding: PageCoding): Uint8Array {
  let bitmap = page.bitmap;
  if (page.resolution !== coding.resolution)
    bitmap = convertResolution(bitmap, page.resolution, coding.resolution);
  bitmap = fitWidth(bitmap, coding.width);
  if (coding.coding === 't85' || coding.coding === 't85-l0') {
    // T.85: stripes of 128 rows, unless the far end offered the optional L0 (T.30 bit 79):
    // then the page is one stripe. The BIE's octets go into the ECM frames as they are, so each
    // goes on the line least significant bit first like every HDLC octet (what HylaFAX's Class 1
    // receiver and libtiff read, and spandsp sends; checked by bench/hylafax-jbig.ts).
    const stripeRows = coding.coding === 't85' ? DEFAULT_STRIPE_ROWS : Math.max(1, bitmap.height);
    return encodeT85(bitmap, { stripeRows });
  }
  return encodePage(bitmap, {
    coding: coding.coding,
    kFactor: coding.kFactor,
    minBitsPerRow: coding.minBitsPerRow,
    ecm: coding.ecm,
    bitOrder: 'lsb-first',
  });
}
