/**
 * lpfax → HylaFAX with JBIG (issue 17's independent far end):
 * `node dist/bench/hylafax-jbig.js [--speed F] [--only off|t85|t85-l0|mmr] [--mmr] [--keep]`, wrapped by
 * `bench/hylafax-jbig.sh`. Needs Debian's hylafax-server 6.0.7 (faxgetty), jbigkit-bin (jbgtopbm),
 * libtiff-tools (tiffinfo), Ghostscript and test/linesim. Not part of CI.
 *
 * One simulated line in pair mode (test/linesim --pair: two T.31 modems). HylaFAX's faxgetty
 * answers on pty B from a private spool (a copy of /var/spool/hylafax in a temporary folder,
 * `faxgetty -q SPOOL`) with the Class 1 modem config Debian ships (config/class1) plus
 * `Class1JBIGSupport: true`. First, with that line left out, lpfax calls only to see the DIS
 * (it must offer neither T.85 bit) and hangs up. Then lpfax sends issue 17's three A4 fine pages (dense text, a ruled form,
 * a grey field in Ghostscript's halftone screen) from pty A with the TS API. Once per variant:
 * T.85-L0 (lpfax's default choice when the DIS offers bit 79) and T.85 (lpfax forced to leave
 * T.85-L0 out of its codings); with `--mmr` also a call with T.85 left out (MMR), for the line
 * time beside it. For each call it checks HylaFAX's DIS (bits 78 and 79, T.30
 * Table 2), lpfax's DCS, the call result, then decodes every page HylaFAX filed in
 * recvq/faxNNNNN.tif and compares it with the page sent, pixel for pixel.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sendFax } from '../lib/fax/index.js';
import { Class1Modem } from '../lib/modem/index.js';
import { decodeDcs, decodeDis } from '../lib/t30/index.js';
import type { Coding } from '../lib/itu/page.js';
import { decodeT85 } from '../lib/t85/index.js';
import { firstDifferentRow, readTiff, type Bitmap } from '../lib/t4/index.js';
import { repoRoot, startPair } from './harness.js';
import { faxPages } from '../test/fax/pages.js';
import { FORM_PS, gsRender, readPbm, Scratch, TEXT_PS } from '../test/t4/pages.js';

const PHOTO_PS = `%!PS
0 1 59 { /i exch def 0 1 79 { /j exch def
  i 7 div sin j 11 div cos mul 0.45 mul 0.5 add setgray
  30 i 9 mul add 40 j 9.5 mul add 9 9.5 rectfill } for } for
showpage
`;

const SYSTEM_SPOOL = '/var/spool/hylafax';

/** 'off': HylaFAX without Class1JBIGSupport; lpfax hangs up once it has the DIS. */
type Variant = 't85' | 't85-l0' | 'mmr' | 'off';

async function main(): Promise<void> {
  const arg = (name: string): string | undefined => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const speed = Number(arg('--speed') ?? 1);
  const only = arg('--only') as Variant | undefined;
  const keep = process.argv.includes('--keep');
  const withMmr = process.argv.includes('--mmr');
  for (const tool of ['faxgetty', 'tiffinfo', 'jbgtopbm', 'gs']) {
    try {
      execFileSync('which', [tool], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `${tool} is missing (apt-get install hylafax-server libtiff-tools jbigkit-bin ghostscript)`,
      );
    }
  }
  const s = new Scratch();
  chmodSync(s.dir, 0o755); // faxgetty runs as uucp and must reach its spool inside
  const pages: Bitmap[] = [TEXT_PS, FORM_PS, PHOTO_PS].map((ps, i) =>
    readPbm(new Uint8Array(readFileSync(gsRender(s, ps, 'pbmraw', `p${i}.pbm`)))),
  );
  execFileSync(join(repoRoot, 'test/linesim/build.sh'), { stdio: 'ignore' });
  const rows: string[][] = [];
  let failed = false;
  try {
    const variants: Variant[] = only
      ? [only]
      : ['off', 't85-l0', 't85', ...(withMmr ? (['mmr'] as const) : [])];
    for (const variant of variants) {
      const r = await oneCall(s.dir, variant, pages, speed);
      rows.push(r.row);
      if (!r.ok) failed = true;
    }
  } finally {
    if (keep) console.log(`kept ${s.dir}`);
    else s.remove();
  }
  console.log(
    `\nlpfax → HylaFAX 6.0.7 faxgetty (Class1JBIGSupport: true), linesim --pair --speed ${speed}:\n`,
  );
  const head = [
    'forced',
    'DIS 78/79',
    'DCS coding',
    'result',
    'pages equal',
    'TIFF compression',
    'octets per page',
    'line s',
    'wall s',
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) console.log(r.map((c, i) => c.padStart(widths[i])).join('  '));
  if (failed) process.exit(1);
}

async function oneCall(
  dir: string,
  variant: Variant,
  pages: Bitmap[],
  speed: number,
): Promise<{ ok: boolean; row: string[] }> {
  const sim = await startPair(speed);
  const spool = join(dir, `spool-${variant}`);
  const devId = sim.devicePathB.replace(/^\/dev\//, '').replace(/\//g, '_');
  makeSpool(spool, devId, variant !== 'off');
  const log = join(dir, `faxgetty-${variant}.out`);
  const getty = spawn('faxgetty', ['-q', spool, sim.devicePathB], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  getty.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
  getty.stderr!.on('data', (d: Buffer) => out.push(d.toString()));
  const trace: string[] = [];
  const t0 = performance.now();
  try {
    await waitFor(() => status(spool, devId).startsWith('Running and idle'), 60, 'faxgetty to be idle');
    const a = await Class1Modem.open(sim.devicePath, { lock: false });
    let sent;
    const hangUp = new AbortController();
    try {
      await a.init();
      const codings: Coding[] =
        variant === 'mmr' || variant === 'off'
          ? ['mh', 'mr', 'mmr']
          : variant === 't85'
            ? ['mh', 'mr', 'mmr', 't85']
            : ['mh', 'mr', 'mmr', 't85', 't85-l0'];
      sent = await sendFax({
        modem: a,
        dialString: '0002',
        pages: faxPages(pages),
        localIdent: '+1 555 0001',
        resolution: 'fine',
        codings,
        signal: hangUp.signal,
        trace: (l) => {
          trace.push(l);
          if (variant === 'off' && /"ff 13 80 /.test(l)) hangUp.abort();
        },
      });
    } finally {
      await a.close();
    }
    const call = await sim.nextCall();
    const wall = (performance.now() - t0) / 1000;
    writeFileSync(join(dir, `lpfax-${variant}.trace`), trace.join('\n') + '\n');
    // The far end's frames as lpfax received them: the last DIS before our DCS, and our DCS.
    const frames = trace.flatMap((l) => [...l.matchAll(/"(ff 1[03](?: [0-9a-f]{2})+)"/g)].map((m) => m[1]));
    const bytes = (f: string) => Uint8Array.from(f.split(' ').map((h) => parseInt(h, 16)));
    const dis = frames.map(bytes).filter((f) => (f[2] & 0xfe) === 0x80);
    const dcs = frames.map(bytes).filter((f) => (f[2] & 0xfe) === 0x82);
    const disFif = dis.at(-1)?.subarray(3);
    const disCaps = disFif ? decodeDis(disFif) : undefined;
    const dcsCoding = dcs.length ? decodeDcs(dcs.at(-1)!.subarray(3)).coding : undefined;
    console.log(
      `${variant}: DIS ${disFif ? Array.from(disFif, (b) => b.toString(16).padStart(2, '0')).join(' ') : 'none'}` +
        ` (last octet 0x${disFif?.at(-1)?.toString(16) ?? '?'}), DCS coding ${dcsCoding}, sent.ok ${sent.ok}`,
    );
    if (variant === 'off') {
      const ok = disCaps !== undefined && !disCaps.t85 && !disCaps.t85L0;
      if (!ok) console.log(`off: FAILED, the DIS offers T.85 without Class1JBIGSupport`);
      const row = ['(no Class1JBIGSupport)', disCaps ? `${+disCaps.t85}/${+disCaps.t85L0}` : '?'];
      return { ok, row: [...row, '-', 'hung up after DIS', '-', '-', '-', '-', '-'] };
    }
    // faxgetty files the page while receiving; the file is complete once it is idle again.
    await waitFor(() => status(spool, devId).startsWith('Running and idle'), 60, 'faxgetty to file the fax');
    const filed = readdirSync(join(spool, 'recvq')).filter((f) => /^fax\d+\.tif$/.test(f));
    let equal = 0;
    let compression = '?';
    if (filed.length === 1) {
      const tif = join(spool, 'recvq', filed[0]);
      const got = readFiled(tif, dir, variant);
      compression = got.compression;
      got.pages.forEach((p, i) => {
        const d = i < pages.length ? firstDifferentRow(p, pages[i]) : 0;
        if (d === -1) equal++;
        else console.log(`${variant}: page ${i + 1} differs from row ${d} (${p.width}×${p.height} filed)`);
      });
      if (got.pages.length !== pages.length)
        console.log(`${variant}: HylaFAX filed ${got.pages.length} pages`);
    } else console.log(`${variant}: recvq holds ${filed.join(', ') || 'nothing'}`);
    const octets = trace
      .filter((l) => l.includes('"pageReady"'))
      .map((l) => Number(/<(\d+) octets>/.exec(l)?.[1] ?? 0));
    const ok =
      sent.ok &&
      disCaps?.t85 === true &&
      dcsCoding === variant &&
      equal === pages.length &&
      filed.length === 1;
    if (!ok)
      console.log(
        `${variant}: FAILED; faxgetty said:\n${out.join('')}\nsession logs in ${join(spool, 'log')}`,
      );
    return {
      ok,
      row: [
        variant,
        disCaps ? `${disCaps.t85 ? 1 : 0}/${disCaps.t85L0 ? 1 : 0}` : '?',
        dcsCoding ?? '?',
        sent.ok ? 'ok' : `failed: ${JSON.stringify(sent.failure)}`,
        `${equal}/${pages.length}`,
        compression,
        octets.join(' + '),
        call.durationSeconds?.toFixed(1) ?? '?',
        wall.toFixed(1),
      ],
    };
  } finally {
    const gone = new Promise((r) => getty.once('exit', r));
    getty.kill('SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
    writeFileSync(log, out.join(''));
    await sim.stop();
  }
}

/**
 * A private HylaFAX spool: the package's spool (bin/ scripts, config/ modem templates, empty queues)
 * copied, with etc/config and etc/config.DEVID written here; owned by uucp as Debian's is.
 */
function makeSpool(spool: string, devId: string, jbig: boolean): void {
  cpSync(SYSTEM_SPOOL, spool, { recursive: true });
  mkdirSync(join(spool, 'etc'), { recursive: true });
  cpSync('/etc/hylafax/dialrules', join(spool, 'etc/dialrules'));
  writeFileSync(
    join(spool, 'etc/config'),
    ['LogFacility: daemon', 'CountryCode: 1', 'AreaCode: 555', 'DialStringRules: etc/dialrules', ''].join(
      '\n',
    ),
  );
  // Debian's Class 1 template without its comments, then what this line needs.
  const class1 = readFileSync(join(spool, 'config/class1'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trimEnd())
    .filter((l) => l !== '');
  writeFileSync(
    join(spool, `etc/config.${devId}`),
    [
      ...class1,
      'CountryCode: 1',
      'AreaCode: 555',
      'FAXNumber: +1.555.0002',
      'LocalIdentifier: "+1 555 0002"',
      'ModemRate: 19200',
      'ModemFlowControl: xonxoff',
      'RingsBeforeAnswer: 1',
      'SessionTracing: 0xFFF',
      'LogFileMode: 0644',
      'RecvFileMode: 0644',
      `UUCPLockDir: ${join(spool, 'tmp')}`,
      ...(jbig ? ['Class1JBIGSupport: true'] : []),
      '',
    ].join('\n'),
  );
  execFileSync('chown', ['-R', 'uucp:uucp', spool]);
}

function status(spool: string, devId: string): string {
  const f = join(spool, 'status', devId);
  return existsSync(f) ? readFileSync(f, 'utf8') : '';
}

async function waitFor(cond: () => boolean, seconds: number, what: string): Promise<void> {
  for (let i = 0; i < seconds * 4; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * The pages of HylaFAX's TIFF. JBIG pages (Compression "ISO JBIG", libtiff's COMPRESSION_JBIG) hold
 * the BIE as received in their strips; each page's strip octets are read from the file (offsets
 * from `tiffinfo -s`) and decoded by jbigkit's jbgtopbm and by lpfax's lib/t85, and the page is
 * also read through libtiff (`tiffcp -c none`); all three must agree. Other codings (`--mmr`) are read by lpfax's readTiff.
 */
function readFiled(tif: string, dir: string, variant: Variant): { compression: string; pages: Bitmap[] } {
  const info = execFileSync('tiffinfo', ['-s', tif], { encoding: 'utf8' });
  const comp = [...info.matchAll(/Compression Scheme: (.+)/g)].map((m) => m[1].trim());
  const file = readFileSync(tif);
  const out: Bitmap[] = [];
  // tiffinfo -s lists each directory's strips as "  N: [offset, bytecount]".
  const dirs = info.split(/TIFF Directory at offset/).slice(1);
  dirs.forEach((d, i) => {
    const strips = [...d.matchAll(/^\s+\d+: \[\s*(\d+),\s*(\d+)\]/gm)].map((m) => [
      Number(m[1]),
      Number(m[2]),
    ]);
    const data = Buffer.concat(strips.map(([o, n]) => file.subarray(o, o + n)));
    // HylaFAX files the octets as the modem gave them (first bit on the line in bit 0), with
    // FillOrder 2, which is how libtiff's JBIG codec wants a BIE that needs no reversing.
    if (/jbig/i.test(comp[i] ?? '')) {
      const bie = join(dir, `${variant}-filed-${i + 1}.jbg`);
      writeFileSync(bie, data);
      const pbm = join(dir, `${variant}-filed-${i + 1}.pbm`);
      execFileSync('jbgtopbm', [bie, pbm]);
      const byJbigkit = readPbm(new Uint8Array(readFileSync(pbm)));
      const byLpfax = decodeT85(new Uint8Array(data));
      if (firstDifferentRow(byJbigkit, byLpfax) !== -1)
        throw new Error(`page ${i + 1}: jbgtopbm and lib/t85 disagree`);
      // and libtiff itself (built with libjbig), as HylaFAX's faxrcvd, tiff2pdf and viewers read it
      const plain = join(dir, `${variant}-filed-${i + 1}.tif`);
      execFileSync('tiffcp', ['-c', 'none', `${tif},${i}`, plain]);
      const byLibtiff = readTiff(new Uint8Array(readFileSync(plain)))[0].bitmap;
      if (firstDifferentRow(byJbigkit, byLibtiff) !== -1 || byLibtiff.height !== byJbigkit.height)
        throw new Error(`page ${i + 1}: libtiff reads ${byLibtiff.height} rows, other than jbgtopbm`);
      out.push(byJbigkit);
    } else {
      out.push(readTiff(new Uint8Array(readFileSync(tif)))[i].bitmap);
    }
  });
  return { compression: [...new Set(comp)].join(', '), pages: out };
}

await main();
