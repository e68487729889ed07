/**
 * Backend benchmark: `npm run bench:backend` (or `node dist/bench/backend.js [--skip-raster]
 * [--speed 8] [--pages 200]`).
 *
 * 1. Seconds from the backend's start to ATD (its DEBUG trace line `> ATDT…`), for a 1-page and a
 *    50-page PDF; the job is cancelled (SIGTERM, as cupsd does) once it dials. Goal < 1.5 s for both:
 *    dialling does not wait for the rasterising.
 * 2. Pages/s of lib/raster against bare gs: bench/raster.ts on its 200-page document.
 * 3. Peak RSS of the backend process (VmHWM in /proc/PID/status, and VmRSS sampled every 200 ms with
 *    the page being sent) for a 20-page and a 200-page PDF sent to the simulated line at standard
 *    resolution. Goal ≤ 150 MB, and no growth with the page count.
 *
 * The backend runs as cupsd starts it (CUPS backend(7)): argv `JOB USER TITLE COPIES OPTIONS FILE`,
 * DEVICE_URI, a small environment, and as user lp when the benchmark runs as root (install.sh
 * installs it so that cupsd runs it as lp).
 */
import { execa } from 'execa';
import { chmodSync, chownSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  backendBin,
  benchConfig,
  generatedText,
  repoRoot,
  runTimed,
  startSim,
  type TimedLine,
} from './harness.js';

const MB = 1024;

/** cupsd's user for the backend: lp when we are root, else ourselves. */
const lp = ((): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('lp:'));
  const [, , uid, gid] = line!.split(':');
  return { uid: Number(uid), gid: Number(gid) };
})();

/** Makes a file or folder the backend's own (lp), as cupsd's spool and the modem's group would. */
function share(file: string): void {
  if (!lp) return;
  chownSync(file, lp.uid, lp.gid);
  chmodSync(file, 0o755);
}
const argv = process.argv.slice(2);
const option = (name: string, fallback: number): number =>
  argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback;

async function pdfOf(dir: string, pages: number): Promise<string> {
  const ps = path.join(dir, `doc${pages}.ps`);
  const pdf = path.join(dir, `doc${pages}.pdf`);
  await writeFile(ps, generatedText(pages));
  await execa('ps2pdf', ['-sPAPERSIZE=a4', ps, pdf]);
  return pdf;
}

/** kB from a /proc/PID/status line such as `VmHWM:   81234 kB`; undefined once the process is gone. */
function procStatus(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return undefined;
  }
}

interface BackendResult {
  code: number | null;
  lines: TimedLine[];
  /** Peak VmHWM seen, kB. */
  hwm: number;
  /** [page being sent, VmRSS kB] samples. */
  samples: [number, number][];
}

async function runBackend(
  dir: string,
  device: string,
  pdf: string,
  config: string,
  killOn?: RegExp,
): Promise<BackendResult> {
  const tmp = await mkdtemp(path.join(dir, 'tmp-'));
  share(tmp);
  if (lp) chmodSync(device, 0o666);
  let hwm = 0;
  let page = 0;
  const samples: [number, number][] = [];
  let timer: NodeJS.Timeout | undefined;
  const run = await runTimed(
    process.execPath,
    [backendBin, '7', 'bench', 'Bench@5551234', '1', '', pdf],
    {
      PATH: '/usr/lib/cups/filter:/usr/bin:/usr/sbin:/bin',
      DEVICE_URI: `fax:${device}`,
      CONTENT_TYPE: 'application/pdf',
      PRINTER: 'Fax',
      TMPDIR: tmp,
      LPFAX_CONFIG: config,
      LPFAX_STATE_DIR: path.join(dir, 'state'),
    },
    (line, pid) => {
      if (timer === undefined) {
        const sample = () => {
          const s = procStatus(pid);
          if (!s) return;
          hwm = Math.max(hwm, s.hwm);
          samples.push([page, s.rss]);
        };
        timer = setInterval(sample, 200);
      }
      const sending = /^INFO: Sending page (\d+) of/.exec(line.text);
      if (sending) page = Number(sending[1]);
      if (killOn?.test(line.text)) process.kill(pid, 'SIGTERM');
    },
    lp,
  );
  clearInterval(timer);
  return { code: run.code, lines: run.lines, hwm, samples };
}

async function timeToDial(dir: string): Promise<void> {
  const sim = await startSim(['--speed', '4', '--out-dir', dir]);
  try {
    for (const extras of ['off', 'on'] as const) {
      const config = await benchConfig(dir, {
        Tagline: extras,
        CoverPage: extras,
        LogLevel: 'debug',
        Resolution: 'fine',
      });
      for (const pages of [1, 50]) {
        const pdf = await pdfOf(dir, pages);
        const times: string[] = [];
        for (let round = 1; round <= 3; round++) {
          const r = await runBackend(dir, sim.devicePath, pdf, config, /^DEBUG: > ATD/);
          await sim.nextCall(60_000);
          const atd = r.lines.find((l) => /^DEBUG: > ATD/.test(l.text));
          times.push(atd ? (atd.ms / 1000).toFixed(3) : `never (exit ${r.code})`);
        }
        console.log(
          `${String(pages).padStart(2)}-page PDF, cover page and tagline ${extras.padEnd(3)}: ATD after ${times.join(', ')} s (3 runs)`,
        );
      }
    }
  } finally {
    await sim.stop();
  }
}

async function memory(dir: string, pages: number, speed: number): Promise<void> {
  const sim = await startSim(['--speed', String(speed), '--out-dir', dir]);
  const config = await benchConfig(dir, {
    Tagline: 'on',
    CoverPage: 'off',
    LogLevel: 'info',
    Resolution: 'standard',
  });
  try {
    const pdf = await pdfOf(dir, pages);
    const r = await runBackend(dir, sim.devicePath, pdf, config);
    const call = await sim.nextCall(60_000);
    const rssAt = (p: number) => {
      const at = r.samples.filter(([page]) => page === p).map(([, rss]) => rss);
      return at.length ? `p${p} ${(Math.max(...at) / MB).toFixed(0)}` : undefined;
    };
    const marks = [1, 5, 10, 20, 50, 100, 150, 200].filter((p) => p <= pages).map(rssAt);
    const firstHalf = r.samples.filter(([p]) => p >= 1 && p <= pages / 2).map(([, v]) => v);
    const secondHalf = r.samples.filter(([p]) => p > pages / 2).map(([, v]) => v);
    console.log(
      `${pages} pages, standard, linesim --speed ${speed}: exit ${r.code}, far end ${call.outcome} ${call.pages} pages,` +
        ` ${call.bitRate} bit/s ${call.coding} ${call.resolution}, line ${call.durationSeconds.toFixed(0)} s, wall ${call.wallSeconds.toFixed(0)} s`,
    );
    console.log(
      `  backend VmHWM (peak RSS) ${(r.hwm / MB).toFixed(1)} MB; VmRSS by page sent (MB, max): ${marks.filter(Boolean).join(', ')}`,
    );
    if (firstHalf.length && secondHalf.length)
      console.log(
        `  max VmRSS pages 1-${pages / 2}: ${(Math.max(...firstHalf) / MB).toFixed(1)} MB, pages ${pages / 2 + 1}-${pages}: ${(Math.max(...secondHalf) / MB).toFixed(1)} MB`,
      );
  } finally {
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lpfax-bench-backend-'));
  share(dir);
  await mkdir(path.join(dir, 'state'));
  share(path.join(dir, 'state'));
  try {
    if (!argv.includes('--skip-dial')) {
      console.log('# time from backend start to ATD (cancelled once it dials)');
      await timeToDial(dir);
    }
    if (!argv.includes('--skip-raster')) {
      console.log('# lib/raster against bare gs (bench/raster.ts, 200 pages)');
      const raster = await execa(process.execPath, [path.join(repoRoot, 'dist/bench/raster.js'), '200'], {
        reject: false,
      });
      console.log(raster.stdout + raster.stderr);
    }
    if (!argv.includes('--skip-memory')) {
      console.log('# backend memory while sending to the simulated line');
      const speed = option('--speed', 8);
      await memory(dir, 20, speed);
      await memory(dir, option('--pages', 200), speed);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
