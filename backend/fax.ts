#!/usr/bin/env node
/**
 * The CUPS backend `fax` (CUPS backend(7)): cupsd runs it for every job on a fax queue as
 *   fax JOB-ID USER TITLE COPIES OPTIONS [FILE]      with DEVICE_URI=fax:/dev/ttyUSB0?…
 * and with no arguments to list the modems it can find. A thin adapter: argv and environment
 * become a fax job (lib/job), the job's events become STATE:/INFO:/PAGE:/ATTR: lines, and its
 * end becomes one exit code and one sentence.
 */
import { CupsBackendStatus, stderrReporter } from '../lib/cups/backend.js';
import { parseBackendInvocation } from '../lib/cups/job.js';
import { discoverModems } from '../lib/modem/index.js';
import { runBackendJob } from '../lib/job/backend-job.js';

const reporter = stderrReporter();

async function discover(): Promise<number> {
  const found = await discoverModems({ deviceTimeoutMs: 2500 }).catch(() => []);
  for (const device of found) {
    if (device.status !== 'modem' || !device.classes?.some((c) => c === '1' || c === '1.0')) continue;
    const makeModel = [device.manufacturer, device.model].filter(Boolean).join(' ') || 'Unknown';
    const quoted = makeModel.replace(/["\\]/g, '');
    process.stdout.write(
      `direct fax:${device.path} "${quoted}" "Fax modem ${quoted} on ${device.path} (lpfax)"\n`,
    );
  }
  // The scheme alone, so a URI such as fax:/dev/ttyS0 can be typed in the CUPS web interface.
  process.stdout.write('direct fax "Unknown" "Fax modem (lpfax)"\n');
  return CupsBackendStatus.OK;
}

async function main(): Promise<number> {
  const invocation = parseBackendInvocation(process.argv.slice(2), process.env, process.argv[1]);
  if (!invocation.ok) {
    reporter.log('ERROR', invocation.error.message);
    return invocation.error.exitStatus;
  }
  if (invocation.value.kind === 'discover') return discover();

  const controller = new AbortController();
  // cupsd sends SIGTERM when the job is cancelled: hang up, unlock, clean up, leave.
  process.on('SIGTERM', () => {
    reporter.log('INFO', 'Cancelling the fax: hanging up.');
    controller.abort();
    setTimeout(() => process.exit(CupsBackendStatus.CANCEL), 5000).unref();
  });
  process.on('SIGPIPE', () => undefined);
  const outcome = await runBackendJob(invocation.value.job, { reporter, signal: controller.signal });
  return outcome;
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (e: unknown) => {
    reporter.log('ERROR', `lpfax failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
    reporter.log('DEBUG', e instanceof Error && e.stack ? e.stack : String(e));
    process.exitCode = CupsBackendStatus.FAILED;
  },
);
