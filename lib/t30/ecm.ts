/**
 * ECM image blocks (T.4 Annex A, T.30 Annex A): a coded page cut into frames of 256 (or 64)
 * octets, at most 256 frames per partial page (block), frames numbered 0–255 within a block.
 */

import { buildFcd, buildRcp } from './frames.js';

/** T.4 §A.3.6: at most 256 frames in a partial page. */
export const MAX_FRAMES_PER_BLOCK = 256;
/** T.4 §A.3.6.2: RCP is sent three times to end a partial page. */
export const RCP_REPEATS = 3;

/** A coded page as blocks of frame payloads. The last frame of the page may be short. */
export function splitPage(data: Uint8Array, frameSize: number): Uint8Array[][] {
  const blocks: Uint8Array[][] = [];
  const blockOctets = frameSize * MAX_FRAMES_PER_BLOCK;
  for (let start = 0; start < data.length || blocks.length === 0; start += blockOctets) {
    const block: Uint8Array[] = [];
    const end = Math.min(start + blockOctets, data.length);
    for (let f = start; f < end; f += frameSize) block.push(data.subarray(f, Math.min(f + frameSize, end)));
    blocks.push(block);
  }
  return blocks;
}

/** The HDLC frames for the given frame numbers of a block, then RCP ×3. */
export function blockFrames(block: Uint8Array[], frameNumbers: Iterable<number>): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (const n of frameNumbers) if (n < block.length) frames.push(buildFcd(n, block[n]));
  for (let i = 0; i < RCP_REPEATS; i++) frames.push(buildRcp());
  return frames;
}
