/**
 * TIA TSB-85 test cases as scripted in spandsp's tsb85.xml: reading the XML, the
 * sender-side selection, the case file tsb85tester reads, and what each case expects
 * of the sender's own outcome.
 *
 * The XML is not part of the project; its path comes from LPFAX_TSB85_XML.
 */
import { readFile } from 'node:fs/promises';

/** The groups where the device under test sends (TSB-85 Annex B). */
export const SENDER_GROUPS = ['MTGN', 'OTGC', 'OTEN', 'MTGX'] as const;
export type SenderGroup = (typeof SENDER_GROUPS)[number];

export interface Step {
  kind: 'step';
  /** 1-based position among the case's steps, as the tester reports it. */
  index: number;
  attrs: Record<string, string>;
}
export interface Repeat {
  kind: 'repeat';
  min: number;
  max: number;
  body: Node[];
}
export type Node = Step | Repeat;

/**
 * A choice the sender may make at one step of the case where the script names another
 * (deviations.ts): the tester enters the branch when a frame matches its first step instead
 * of step `at`, and when the branch ends goes on at step `at`.
 */
export interface Alternative {
  /** The index of the main-script step (an R HDLC step) it stands in for. */
  at: number;
  nodes: Node[];
}

export interface TestCase {
  name: string;
  group: string;
  nodes: Node[];
  alternatives?: Alternative[];
}

/** What the sender should report once the call is over (see expectedOutcome). */
export type ExpectedOutcome = 'delivered' | 'not-delivered' | 'unchecked';

export type Tsb85ErrorKind = 'xml-missing' | 'xml-malformed';
export class Tsb85Error extends Error {
  constructor(
    readonly kind: Tsb85ErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'Tsb85Error';
  }
}

function attributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/([A-Za-z_][\w-]*)\s*=\s*"([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

/** Parse the tests of tsb85.xml (its small, regular subset of XML: tests, steps, repeats). */
export function parseTsb85(xml: string): TestCase[] {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  const cases: TestCase[] = [];
  for (const t of text.matchAll(/<test\s+([^>]*)>([\s\S]*?)<\/test>/g)) {
    const name = attributes(t[1]).name;
    if (!name) throw new Tsb85Error('xml-malformed', 'a <test> without a name');
    const root: Node[] = [];
    const stack: Node[][] = [root];
    let index = 0;
    for (const tag of t[2].matchAll(/<(\/?)(step|repeat)\b([^>]*?)(\/?)>/g)) {
      const [, closing, element, attrText, selfClosing] = tag;
      const top = stack[stack.length - 1];
      if (element === 'step' && !closing) {
        top.push({ kind: 'step', index: ++index, attrs: attributes(attrText) });
      } else if (element === 'repeat' && !closing && !selfClosing) {
        const a = attributes(attrText);
        const rep: Repeat = { kind: 'repeat', min: Number(a.min ?? 0), max: Number(a.max ?? 1e6), body: [] };
        top.push(rep);
        stack.push(rep.body);
      } else if (element === 'repeat' && closing) {
        if (stack.length === 1) throw new Tsb85Error('xml-malformed', `${name}: </repeat> without <repeat>`);
        stack.pop();
      }
    }
    if (stack.length !== 1) throw new Tsb85Error('xml-malformed', `${name}: unclosed <repeat>`);
    cases.push({ name, group: name.slice(0, 4), nodes: root });
  }
  if (cases.length === 0) throw new Tsb85Error('xml-malformed', 'no <test> elements');
  return cases;
}

export async function loadTsb85(path: string): Promise<TestCase[]> {
  let xml: string;
  try {
    xml = await readFile(path, 'utf8');
  } catch {
    throw new Tsb85Error('xml-missing', `cannot read ${path}`);
  }
  return parseTsb85(xml);
}

export function senderCases(all: TestCase[]): TestCase[] {
  return all.filter((c) => (SENDER_GROUPS as readonly string[]).includes(c.group));
}

export function flatSteps(nodes: Node[]): Step[] {
  return nodes.flatMap((n) => (n.kind === 'step' ? [n] : flatSteps(n.body)));
}

const FIELDS = [
  'dir',
  'type',
  'modem',
  'tag',
  'value',
  'timein',
  'timeout',
  'crc_error',
  'frame_size',
  // what a calling tester sends (receiver cases): script.c reads them after the others
  'compression',
  'min_bits',
  'block',
  'pattern',
  'bad_rows',
  // an R HDLC step's second acceptable frame (MRGN04 "MCF or RTP": value MCF, xxx RTP)
  'xxx',
];

/** The case file of tsb85tester (test/conformance/src/script.c). */
export function caseFile(c: TestCase): string {
  const lines = [`CASE\t${c.name}`];
  const walk = (nodes: Node[]): void => {
    for (const n of nodes) {
      if (n.kind === 'repeat') {
        lines.push(`REPEAT\t${n.min}\t${n.max}`);
        walk(n.body);
        lines.push('END');
      } else {
        const f = FIELDS.map((k) => (n.attrs[k] ?? '').replace(/[\t\n]/g, ' ').trim() || '-');
        lines.push(['S', String(n.index), ...f].join('\t'));
      }
    }
  };
  walk(c.nodes);
  for (const alt of c.alternatives ?? []) {
    lines.push(`BRANCH\t${alt.at}`);
    walk(alt.nodes);
    lines.push('ENDBRANCH');
  }
  return lines.join('\n') + '\n';
}

/** The case as run when the sender took the alternative at step `at`: its steps spliced in before that step. */
export function withBranch(c: TestCase, at: number): TestCase {
  const alt = c.alternatives?.find((a) => a.at === at);
  if (!alt) return c;
  const splice = (nodes: Node[]): Node[] =>
    nodes.flatMap((n) =>
      n.kind === 'repeat' ? [{ ...n, body: splice(n.body) }] : n.index === at ? [...alt.nodes, n] : [n],
    );
  return { ...c, nodes: splice(c.nodes), alternatives: undefined };
}

/** The pages of one ETSI test image name. */
function imagePages(file: string): Array<'white' | 'impress'> {
  if (file.includes('impress_white')) return ['impress', 'white'];
  if (file.includes('impress')) return ['impress'];
  if (file.includes('white_2p')) return ['white', 'white'];
  return ['white'];
}

/**
 * The documents the DUT sends: the ANSWER step's, then any SET TXFILE's (spandsp's
 * scripts queue a second document that way; the DUT should send it after EOM in the
 * same call, T.30's EOM). Each document is a list of test pages.
 */
export function documentsOf(c: TestCase): Array<Array<'white' | 'impress'>> {
  const steps = flatSteps(c.nodes);
  const answer = steps.find((s) => s.attrs.type === 'ANSWER');
  const docs = [imagePages(answer?.attrs.value ?? 'etsi_300_242_a4_white.tif')];
  for (const s of steps) {
    if (s.attrs.type === 'SET' && s.attrs.tag === 'TXFILE' && s.attrs.value)
      docs.push(imagePages(s.attrs.value));
  }
  return docs;
}

/** All pages the DUT sends, in order. */
export function pagesOf(c: TestCase): Array<'white' | 'impress'> {
  return documentsOf(c).flat();
}

const POST_PAGE_RESPONSES = new Set(['MCF', 'RTP', 'RTN', 'PPR', 'CRP', 'RNR', 'CTR', 'ERR', 'DCN', 'DCN+']);

/**
 * The outcome the sender must report. The script's STATUS is spandsp's own T.30
 * completion code, which an external sender cannot show; what it can show is whether it
 * considers the document delivered (exit status 0) or not. A document is delivered when
 * the tester's last response to a post-message command was MCF or RTP (T.30's
 * definitions of both, 5.3.6: they confirm the page). A case that ends before the call does (no R CLEAR and no
 * T CLEAR) leaves the outcome unchecked.
 */
export function expectedOutcome(c: TestCase): ExpectedOutcome {
  const steps = flatSteps(c.nodes);
  const ends = steps.some((s) => s.attrs.type === 'CLEAR');
  if (!ends) return 'unchecked';
  let last: string | undefined;
  for (const s of steps) {
    if (s.attrs.dir === 'T' && s.attrs.type === 'HDLC' && POST_PAGE_RESPONSES.has(s.attrs.tag ?? '')) {
      last = s.attrs.tag;
    }
  }
  return last === 'MCF' || last === 'RTP' ? 'delivered' : 'not-delivered';
}

/** The STATUS step's value (spandsp's completion code name), for the report. */
export function statusOf(c: TestCase): string | undefined {
  return flatSteps(c.nodes).find((s) => s.attrs.type === 'STATUS')?.attrs.value;
}

/**
 * Does the case wait on one of the sender's own timers (T.30 T1, T2, T4, T5: a command
 * repeated after no, a corrupted or a CRP response, a sender giving up after silence or a
 * dropped line)? A sender's timers run in wall-clock time, so such cases must run with
 * the line at real speed; the others may run faster.
 */
export function dependsOnSenderTimers(c: TestCase): boolean {
  const steps = flatSteps(c.nodes);
  if (c.nodes.some((n) => n.kind === 'repeat')) return true;
  for (let i = 0; i < steps.length; i++) {
    const a = steps[i].attrs;
    if (a.crc_error !== undefined || a.tag === 'GARBAGE') return true;
    // CRP asks for the command again; a sender may do so at once or when its T4 runs out
    if (a.dir === 'T' && a.tag === 'CRP') return true;
    if (a.type === 'WAIT' && Number(a.value) >= 2000) return true;
    if (a.dir === 'T' && a.type === 'CLEAR') return true;
    const prevR = steps
      .slice(0, i)
      .reverse()
      .find((s) => s.attrs.type !== 'WAIT' && s.attrs.type !== 'SET');
    if (a.dir === 'R' && a.type === 'HDLC' && prevR?.attrs.dir === 'R') {
      // a command again with nothing sent in between: the sender's T4 ran out
      if (prevR.attrs.type === 'TCF' || (prevR.attrs.type === 'HDLC' && prevR.attrs.tag === a.tag))
        return true;
    }
    if (a.dir === 'T' && a.type === 'PREAMBLE' && steps[i + 1]?.attrs.dir === 'R') return true;
  }
  return false;
}

/** The groups where the device under test receives: the tester calls it (TSB-85 Annex B). */
export const RECEIVER_GROUPS = ['MRGN', 'ORGC', 'OREN', 'MRGX'] as const;
export type ReceiverGroup = (typeof RECEIVER_GROUPS)[number];

export function receiverCases(all: TestCase[]): TestCase[] {
  return all.filter((c) => (RECEIVER_GROUPS as readonly string[]).includes(c.group));
}

/** Does the tester place the call (the script begins with CALL)? Then the DUT answers and receives. */
export function testerCalls(c: TestCase): boolean {
  return flatSteps(c.nodes)[0]?.attrs.type === 'CALL';
}

/** A page the calling tester sends (pages.ts), in place of an ETSI image (not distributed). */
export type TxPage = 'white' | 'impress' | 'stairstep' | 'error';

/**
 * The generated page that stands in for an ETSI test image of a receiver case: "white" for the
 * white pages (the first page of white_2p: a T MSG step sends the first page of its file, as in
 * spandsp's tester), "stairstep" for stairstep and the diagonal test charts (diago1, diago2),
 * "error" (text-like marks, 404 rows, so that MRGN04's bad rows are 4.7% and 15.1% of the page,
 * the shares TSB-85 names) for error, and "impress" for impress and the duration charts.
 */
export function txPageOf(image: string): TxPage {
  if (image.includes('error')) return 'error';
  if (image.includes('white')) return 'white';
  if (image.includes('stairstep') || image.includes('diago')) return 'stairstep';
  return 'impress';
}

/** The case with each T MSG / T PP step's image replaced by the path of its generated page. */
export function withTxPages(c: TestCase, pathOf: (page: TxPage) => string): TestCase {
  const map = (nodes: Node[]): Node[] =>
    nodes.map((n) => {
      if (n.kind === 'repeat') return { ...n, body: map(n.body) };
      const a = n.attrs;
      if (a.dir === 'T' && (a.type === 'MSG' || a.type === 'PP') && a.value)
        return { ...n, attrs: { ...a, value: pathOf(txPageOf(a.value)) } };
      return n;
    });
  return { ...c, nodes: map(c.nodes) };
}

const POST_PAGE_COMMANDS = new Set(['MPS', 'EOP', 'EOM', 'PRI-MPS', 'PRI-EOP', 'PRI-EOM']);

/**
 * What the receiver must report once the call is over: 'received' when the tester's last
 * post-page command was EOP (or a PPS ending the page with EOP) and the script has the DUT
 * answer it with MCF: every page was confirmed and the document ended (T.30 5.3.6). Otherwise
 * the script's own checks are the verdict and the DUT's exit status is reported, not compared
 * (a receiver may keep pages of a broken call and say so in its own way).
 */
export function receiverExpected(c: TestCase): 'received' | 'unchecked' {
  const steps = flatSteps(c.nodes);
  if (!steps.some((s) => s.attrs.type === 'CLEAR')) return 'unchecked';
  let lastCommand = -1;
  steps.forEach((s, i) => {
    const a = s.attrs;
    if (
      a.dir === 'T' &&
      a.type === 'HDLC' &&
      (POST_PAGE_COMMANDS.has(a.tag ?? '') || /^PPS/.test(a.tag ?? ''))
    )
      lastCommand = i;
  });
  if (lastCommand < 0 || !/EOP$/.test(steps[lastCommand].attrs.tag ?? '')) return 'unchecked';
  const answer = steps.slice(lastCommand + 1).find((s) => s.attrs.dir === 'R' && s.attrs.type === 'HDLC');
  return answer?.attrs.tag === 'MCF' ? 'received' : 'unchecked';
}
