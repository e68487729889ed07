/**
 * Phase B choice of the session parameters (T.30 §5.3.6.2.1 and Table 2/T.30 DCS column): the
 * DCS a sender answers a DIS with, from what both ends can do and what the job asks for.
 */

import { MODULATIONS, type Modulation } from '../itu/modulation.js';
import type { Coding, PageWidth, Resolution } from '../itu/page.js';
import { DcsParameters, DisCapabilities, PageLength, dcsScanTime } from './dis.js';

/** What the sending side can do and wants. */
export interface LocalCapabilities {
  /** Requested vertical resolution of the pages; downgraded to what the far end accepts. */
  resolution: Resolution;
  /** Modulations the local transport can send (default: all); fastest first is not required. */
  modulations?: readonly Modulation[];
  /** Upper bound on the message speed in bit/s. */
  maxBitRate?: number;
  /** Use ECM (T.30 Annex A) when the far end supports it. */
  ecm: boolean;
  ecmFrameSize?: 256 | 64;
  /** Codings the local page codec can produce (default: MH, MR, MMR, T.85, T.85-L0). */
  codings?: readonly Coding[];
  pageWidth?: PageWidth;
  /** 'unlimited' for Letter/Legal pages (longer or other than A4), default 'a4'. */
  pageLength?: PageLength;
}

export type Negotiation =
  { ok: true; dcs: DcsParameters; candidates: Modulation[] } | { ok: false; reason: string };

/** The modulations both ends support, in the order a sender tries them (fastest first). */
export function commonModulations(remote: DisCapabilities, local: LocalCapabilities): Modulation[] {
  const localCodes = new Set((local.modulations ?? MODULATIONS).map((m) => m.code));
  return MODULATIONS.filter(
    (m) =>
      localCodes.has(m.code) &&
      remote.modulations.some((r) => r.code === m.code) &&
      m.bitRate <= (local.maxBitRate ?? Infinity),
  );
}

/** Picks the DCS for a DIS, or says why the far end cannot receive from us. */
export function chooseDcs(remote: DisCapabilities, local: LocalCapabilities): Negotiation {
  if (!remote.receiver)
    return { ok: false, reason: 'the far end does not offer to receive a fax (DIS bit 10)' };
  const candidates = commonModulations(remote, local);
  if (candidates.length === 0) return { ok: false, reason: 'no modulation in common with the far end' };

  const codings = local.codings ?? ['mh', 'mr', 'mmr', 't85', 't85-l0'];
  const ecm = local.ecm && remote.ecm;
  // Table 2/T.30: T.85 (bits 78, 79) and T.6 (MMR, bit 31) coding are allowed only with ECM.
  // JBIG first: it codes the same page in about a quarter of MMR's octets.
  const coding: Coding =
    ecm && remote.t85L0 && codings.includes('t85-l0')
      ? 't85-l0'
      : ecm && remote.t85 && codings.includes('t85')
        ? 't85'
        : ecm && remote.mmr && codings.includes('mmr')
          ? 'mmr'
          : remote.mr && codings.includes('mr')
            ? 'mr'
            : 'mh';

  let resolution = local.resolution;
  if (resolution === 'superfine' && !remote.superfine) resolution = 'fine';
  if (resolution === 'fine' && !remote.fine) resolution = 'standard';

  const wantedWidth = local.pageWidth ?? 1728;
  const width = Math.max(...remote.widths.filter((w) => w <= wantedWidth)) as PageWidth;

  const lengthOrder: PageLength[] = ['unlimited', 'b4', 'a4'];
  const wantedLength = local.pageLength ?? 'a4';
  const length =
    lengthOrder.slice(lengthOrder.indexOf(wantedLength)).find((l) => remote.lengths.includes(l)) ?? 'a4';

  // T.4 §A.1 (ECM): no minimum transmission time per line is needed, frames are buffered.
  const minScanTimeMs = ecm ? 0 : dcsScanTime(remote.minScanTimeMs[resolution]);

  return {
    ok: true,
    candidates,
    dcs: {
      modulation: candidates[0],
      resolution,
      coding,
      ecm,
      ecmFrameSize: local.ecmFrameSize ?? 256,
      width,
      length,
      minScanTimeMs,
    },
  };
}

/** The fewest bits a coded line may have (T.4 §4.1.2 fill): rate × minimum scan line time. */
export function minBitsPerRow(dcs: DcsParameters): number {
  return Math.ceil((dcs.modulation.bitRate * dcs.minScanTimeMs) / 1000);
}

/** The MR K factor (T.4 §4.2.1.3.1): 2 at standard, 4 at fine resolution, 8 above. */
export function mrKFactor(resolution: Resolution): number {
  return resolution === 'standard' ? 2 : resolution === 'fine' ? 4 : 8;
}
