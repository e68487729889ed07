/**
 * Where a TSB-85 script expects one particular choice and T.30 leaves the choice to the
 * sender, the case is rewritten to accept every allowed choice; what the step checks
 * (that a TCF comes, at the rate its own DCS announced, within the timeout, followed by
 * page data at that rate) stays.
 *
 * Clause references. Checked against the T.30 texts the search tools hold (ITU's contents
 * pages of T.30 1988, 1993 and 1996; the CCITT 1988 text of Annex A; implementations that
 * quote T.30's definitions): 3.3 is "Phase E - Call release"; 5.2 holds the flow diagrams
 * (Figures 5-2a to 5-2v in the 1996 edition); 5.3.6 is the information field whose FCF
 * definitions include FTT, RTP, RTN and CRP (Annex A.4 refers to it); Table 2/T.30 is the
 * DIS/DTC/DCS bit table; Annex A.1.3 (1988) leaves ECM's fall-back after CTC to the
 * transmitter. NOT verified: the sub-clause numbers below 5.3.6 (5.3.6.1.x) of the
 * individual definitions, and the figure letter of each flow diagram; they are not quoted.
 *
 * The rate after FTT, RTP or RTN. T.30's definitions (5.3.6): RTN, the previous message
 * was not satisfactorily received, but further receptions may be possible provided
 * training is retransmitted; RTP, received, and more may follow after retraining and CFR;
 * FTT, training failed. The transmitter retrains; which rate, and the fall-back order,
 * are its decision (Annex A.1.3 says as much of ECM's CTC: fall back or keep the speed,
 * as the transmitting terminal decides). spandsp's scripts name the next lower rate in
 * spandsp's own order (e.g. V.17/9600 -> V.29/9600 in OTGC08). The tester accepts any
 * modem the tester's DIS offers at or below the rate of the previous TCF (modem "<=X"),
 * and takes page data at the rate trained (modem "="). A later TCF after CRP or an
 * unanswered DCS repeats the previous DCS (CRP: the previous command was received in
 * error and is to be repeated), so it too is "=".
 *
 * After RTN to the last page (EOP), then DCN in the script (MTGN28): RTN's definition
 * above lets the transmitter retrain and send the page again, as MTGN27 expects after
 * RTN to MPS, or end the call; HylaFAX (RTNHandlingMethod) and efax resend, spandsp
 * disconnects. The case gets an alternative branch at its DCN step (rtnAlternatives):
 * DCS, TCF at any offered rate up to the last, CFR, the page again at the rate trained,
 * the same post-message command, MCF, and then the script's own DCN and on-hook. Down
 * that branch the page is confirmed, so the sender must report success.
 *
 * After RTN to the last page of a document (EOM) the script goes on with the next document
 * (MTGN26); by the same definition the sender may instead send the rejected page again in the
 * phase B that EOM starts, and lpfax does (the far end has a poor copy: sending it again is
 * what RTN asks for). That case gets an alternative branch (rtnEomAlternatives): the page
 * again, EOM, MCF, the script's DIS, DCS, TCF and CFR, then the script's next page.
 *
 * A TCF after a DIS that does not offer the script's modem (MTGX12: a second DIS offering
 * V.27ter only, after which the script still expects V.29/9600): the DCS chooses among
 * what the DIS offers (Table 2/T.30), so the TCF may come at any rate that DIS offers
 * ("dis:X").
 *
 * The earliest moment of going on hook after DCN (R CLEAR timein="800"): phase E (3.3)
 * is the release of the call once DCN is sent, and no minimum delay was found in it;
 * on this simulated line the on-hook is the host's ATH, which reaches the tester
 * with no line delay at all. The latest moment (timeout) stays.
 */
import { flatSteps, type Alternative, type Node, type Step, type TestCase } from './tsb85.js';

/** Table 2/T.30 bits 11-14 of a DIS (hex as in tsb85.xml): does it offer this modem? */
export function disOffers(dis: string, modem: string): boolean {
  const octets = dis.split(/\s+/).map((h) => parseInt(h, 16));
  const o = octets[4] ?? 0;
  const bits = (o & 0x20 ? 8 : 0) | (o & 0x10 ? 4 : 0) | (o & 0x08 ? 2 : 0) | (o & 0x04 ? 1 : 0);
  if (modem.startsWith('V.27ter/')) return bits === 0 ? modem === 'V.27ter/2400' : (bits & 4) !== 0;
  if (modem.startsWith('V.29/')) return (bits & 8) !== 0;
  if (modem.startsWith('V.17/')) return bits === 0xd;
  return false;
}

const RETRAIN_RESPONSES = new Set(['FTT', 'RTP', 'RTN']);
const RESPONSES = new Set([
  'CFR',
  'FTT',
  'MCF',
  'RTP',
  'RTN',
  'PPR',
  'CRP',
  'RNR',
  'CTR',
  'ERR',
  'DIS',
  'DCN',
]);

export interface Deviated {
  testCase: TestCase;
  /** One line per rewritten step, for the report. */
  notes: string[];
}

function rewrite(nodes: Node[], modem: Map<Step, string>, timein: Map<Step, string>): Node[] {
  return nodes.map((n) => {
    if (n.kind === 'repeat') return { ...n, body: rewrite(n.body, modem, timein) };
    const attrs = { ...n.attrs };
    if (modem.has(n)) attrs.modem = modem.get(n)!;
    if (timein.has(n)) delete attrs.timein;
    return { ...n, attrs };
  });
}

function step(index: number, attrs: Record<string, string>): Step {
  return { kind: 'step', index, attrs };
}

/** The tester's reply in the case's own form: a short wait, then one V.21 frame. */
function reply(index: number, tag: string, value: string): Step[] {
  return [
    step(index, { type: 'WAIT', value: '75' }),
    step(index + 1, { dir: 'T', type: 'PREAMBLE', modem: 'V.21' }),
    step(index + 2, { dir: 'T', type: 'HDLC', tag, value }),
    step(index + 3, { dir: 'T', type: 'POSTAMBLE' }),
  ];
}

/**
 * RTN to the last page, then the script's DCN (MTGN28): the sender may instead retrain and
 * send the page again. The branch: DCS, TCF at any offered rate up to the last, CFR, the
 * page at the rate trained, the same post-message command, MCF; then the script's DCN and
 * the rest of the case. Step indices go on after the case's last.
 */
function rtnAlternatives(steps: Step[]): { alternatives: Alternative[]; notes: string[] } {
  const alternatives: Alternative[] = [];
  const notes: string[] = [];
  let next = Math.max(0, ...steps.map((s) => s.index)) + 1;
  const rSteps = steps.filter((s) => s.attrs.dir === 'R');
  for (const rtn of steps.filter((s) => s.attrs.dir === 'T' && s.attrs.tag === 'RTN')) {
    const before = rSteps.filter((s) => s.index < rtn.index);
    const command = before.at(-1);
    const after = rSteps.find((s) => s.index > rtn.index);
    const dcs = before.filter((s) => s.attrs.tag === 'DCS+').at(-1);
    const tcf = before.filter((s) => s.attrs.type === 'TCF').at(-1);
    const msg = before.filter((s) => s.attrs.type === 'MSG').at(-1);
    if (
      !command ||
      !/^(PRI-)?EOP\+?$/.test(command.attrs.tag ?? '') ||
      !/^DCN\+?$/.test(after?.attrs.tag ?? '')
    )
      continue;
    if (!dcs || !tcf || !msg) continue;
    const first = next;
    const nodes: Node[] = [
      step(next++, { ...dcs.attrs }),
      step(next++, { ...tcf.attrs, modem: `<=${tcf.attrs.modem}` }),
      ...reply(next, 'CFR', 'FF C8 21'),
      step((next += 4), { ...msg.attrs, modem: '=' }),
      step(++next, { ...command.attrs }),
      ...reply(++next, 'MCF', 'FF C8 31'),
    ];
    next += 4;
    alternatives.push({ at: after!.index, nodes });
    notes.push(
      `step ${after!.index}: after RTN to ${command.attrs.tag}, retraining and sending the page again ` +
        `(steps ${first}-${next - 1}) in place of DCN`,
    );
  }
  return { alternatives, notes };
}

/**
 * RTN to the last page of a document (EOM), then the script's next document (MTGN26): after
 * EOM the call is back in phase B, and the sender may send the rejected page again there
 * before going on (as lpfax does) instead of dropping it. The branch, at the script's
 * post-message command after the next document's first page (which then came as the page
 * again, followed by EOM): EOM, MCF, the script's DIS, DCS and TCF, CFR, the page at the rate
 * trained; then the script goes on with its post-message command.
 */
function rtnEomAlternatives(steps: Step[], next: number): { alternatives: Alternative[]; notes: string[] } {
  const alternatives: Alternative[] = [];
  const notes: string[] = [];
  const rSteps = steps.filter((s) => s.attrs.dir === 'R');
  for (const rtn of steps.filter((s) => s.attrs.dir === 'T' && s.attrs.tag === 'RTN')) {
    const command = rSteps.filter((s) => s.index < rtn.index).at(-1);
    if (!/^(PRI-)?EOM\+?$/.test(command?.attrs.tag ?? '')) continue;
    const later = steps.filter((s) => s.index > rtn.index);
    const dis = later.find((s) => s.attrs.dir === 'T' && s.attrs.tag === 'DIS');
    const dcs = later.find((s) => s.attrs.tag === 'DCS+');
    const tcf = later.find((s) => s.attrs.type === 'TCF');
    const msg = later.find((s) => s.attrs.type === 'MSG');
    const at = msg && rSteps.find((s) => s.index > msg.index);
    if (!dis || !dcs || !tcf || !msg || !at) continue;
    const first = next;
    const nodes: Node[] = [
      step(next++, { ...command!.attrs }),
      ...reply(next, 'MCF', 'FF C8 31'),
      ...reply((next += 4), 'DIS', dis.attrs.value),
      step((next += 4), { ...dcs.attrs }),
      step(++next, { ...tcf.attrs }),
      ...reply(++next, 'CFR', 'FF C8 21'),
      step((next += 4), { ...msg.attrs, modem: '=' }),
    ];
    next++;
    alternatives.push({ at: at.index, nodes });
    notes.push(
      `step ${at.index}: after RTN to ${command!.attrs.tag}, the page again in the next phase B ` +
        `(steps ${first}-${next - 1}) before the next document`,
    );
  }
  return { alternatives, notes };
}

export function applyDeviations(c: TestCase): Deviated {
  const map = new Map<Step, string>();
  const timein = new Map<Step, string>();
  const notes: string[] = [];
  let lastResponse: string | undefined;
  let lastDis: string | undefined;
  let deviated = false; // a TCF of this case has been opened to a choice
  for (const s of flatSteps(c.nodes)) {
    const a = s.attrs;
    if (a.dir === 'T' && a.type === 'HDLC' && a.tag && RESPONSES.has(a.tag.replace('+', ''))) {
      lastResponse = a.tag.replace('+', '');
      if (a.tag === 'DIS' && a.crc_error === undefined) lastDis = a.value;
    }
    if (a.dir === 'R' && a.type === 'CLEAR' && Number(a.timein ?? 0) > 0) {
      timein.set(s, a.timein);
      notes.push(`step ${s.index}: going on hook after DCN may come sooner than ${a.timein} ms`);
      continue;
    }
    if (a.dir !== 'R' || !a.modem || a.modem === 'V.21') continue;
    if (a.type === 'TCF') {
      if (lastDis && !disOffers(lastDis, a.modem)) {
        map.set(s, `dis:${a.modem}`);
        notes.push(`step ${s.index}: TCF at any rate the last DIS offers, which lacks ${a.modem}`);
        deviated = true;
      } else if (lastResponse && RETRAIN_RESPONSES.has(lastResponse)) {
        map.set(s, `<=${a.modem}`);
        notes.push(
          `step ${s.index}: TCF after ${lastResponse} at any offered rate up to the previous one (script: ${a.modem})`,
        );
        deviated = true;
      } else if (deviated && lastResponse !== 'DIS') {
        map.set(s, '=');
        notes.push(`step ${s.index}: TCF repeats the previous rate (script: ${a.modem})`);
      } else {
        deviated = false;
      }
      lastResponse = undefined;
    } else if ((a.type === 'MSG' || a.type === 'PP') && deviated) {
      map.set(s, '=');
      notes.push(`step ${s.index}: ${a.type} at the rate trained (script: ${a.modem})`);
    }
  }
  const steps = flatSteps(c.nodes);
  const rtn = rtnAlternatives(steps);
  const nextIndex =
    Math.max(
      0,
      ...steps.map((s) => s.index),
      ...rtn.alternatives.flatMap((a) => a.nodes.map((n) => (n.kind === 'step' ? n.index : 0))),
    ) + 1;
  const eom = rtnEomAlternatives(steps, nextIndex);
  const nodes = rewrite(c.nodes, map, timein);
  const alternatives = [...rtn.alternatives, ...eom.alternatives];
  return {
    testCase: { ...c, nodes, ...(alternatives.length ? { alternatives } : {}) },
    notes: [...notes, ...rtn.notes, ...eom.notes],
  };
}
