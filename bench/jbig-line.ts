/**
 * JBIG against MMR on the line: `node dist/bench/jbig-line.js [--speed F]` (part of
 * `npm run bench:jbig`). lpfax sends issue 17's three A4 fine pages (Ghostscript: dense text, a
 * ruled form, a grey field in Ghostscript's halftone screen) to lpfax over one simulated line in
 * pair mode (test/linesim --pair, two T.31 modems, V.17 14400, ECM), twice: first to a receiver
 * that offers no T.85 (so MMR), then to one that offers T.85 and T.85-L0. For each call: the
 * coding in the DCS, page octets, the simulated line time (linesim's durationSeconds, ATD to the
 * end of the call) and the wall time; every stored page must equal the page sent.
 */
import { readFileSync } from 'node:fs';
import { receiveFax, ReceivedFaxWriter, sendFax } from '../lib/fax/index.js';
import { Class1Modem } from '../lib/modem/index.js';
import { firstDifferentRow, readTiff, type Bitmap } from '../lib/t4/index.js';
import { startPair } from './harness.js';
import { faxPages } from '../test/fax/pages.js';
import { FORM_PS, gsRender, readPbm, Scratch, TEXT_PS } from '../test/t4/pages.js';

const PHOTO_PS = `%!PS
0 1 59 { /i exch def 0 1 79 { /j exch def
  i 7 div sin j 11 div cos mul 0.45 mul 0.5 add setgray
  30 i 9 mul add 40 j 9.5 mul add 9 9.5 rectfill } for } for
showpage
`;

async function main(): Promise<void> {
  const at = process.argv.indexOf('--speed');
  const speed = at > 0 ? Number(process.argv[at + 1]) : 4;
  const s = new Scratch();
  const pages: Bitmap[] = [TEXT_PS, FORM_PS, PHOTO_PS].map((ps, i) =>
    readPbm(new Uint8Array(readFileSync(gsRender(s, ps, 'pbmraw', `p${i}.pbm`)))),
  );
  const sim = await startPair(speed);
  const rows: string[][] = [];
  try {
    for (const jbig of [false, true]) {
      const a = await Class1Modem.open(sim.devicePath, { lock: false });
      const b = await Class1Modem.open(sim.devicePathB!, { lock: false });
      const trace: string[] = [];
      const t0 = performance.now();
      try {
        await a.init();
        await b.init();
        const store = await ReceivedFaxWriter.open(s.dir, `rx-${jbig ? 'jbig' : 'mmr'}`);
        const reception = receiveFax({
          modem: b,
          store,
          rings: 1,
          localIdent: '+1 555 0002',
          capabilities: { t85: jbig, t85L0: jbig },
        });
        const sent = await sendFax({
          modem: a,
          dialString: '0002',
          pages: faxPages(pages),
          localIdent: '+1 555 0001',
          resolution: 'fine',
          trace: (l) => trace.push(l),
        });
        for await (const p of reception.pages) void p;
        await reception.result;
        const files = await store.close();
        if (!sent.ok) throw new Error(`the ${jbig ? 'JBIG' : 'MMR'} call failed: ${JSON.stringify(sent)}`);
        const back = readTiff(new Uint8Array(readFileSync(files.tiff!)));
        back.forEach((p, i) => {
          if (firstDifferentRow(p.bitmap, pages[i]) !== -1) throw new Error(`page ${i + 1} differs`);
        });
        const octets = trace
          .filter((l) => l.includes('"pageReady"'))
          .map((l) => Number(/<(\d+) octets>/.exec(l)![1]));
        const call = await sim.nextCall();
        rows.push([
          sent.coding ?? '?',
          String(back.length),
          octets.join(' + '),
          String(octets.reduce((x, y) => x + y, 0)),
          call.durationSeconds?.toFixed(1) ?? '?',
          ((performance.now() - t0) / 1000).toFixed(1),
        ]);
      } finally {
        await a.close();
        await b.close();
      }
    }
  } finally {
    await sim.stop();
    s.remove();
  }
  console.log(`lpfax → lpfax, linesim --pair --speed ${speed}, V.17 14400 with ECM, 3 A4 fine pages:\n`);
  const head = ['coding', 'pages equal', 'octets per page', 'octets', 'line s', 'wall s'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
}

await main();
