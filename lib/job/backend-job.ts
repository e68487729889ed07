/**
 * A print job as the CUPS backend receives it, carried out: settings (lpfax.conf < queue < job),
 * recipients, the document (file or standard input), the pages and the calls, with every step
 * told to the scheduler in CUPS's own lines. Returns the backend's exit code.
 */
import { createWriteStream } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadFaxSettings, type FaxSettings } from '../config/index.js';
import { CupsBackendStatus, atLogLevel, type CupsReporter } from '../cups/backend.js';
import type { FaxJob as CupsJob } from '../cups/job.js';
import { splitJobDocuments } from '../cups/documents.js';
import { localScheduler } from '../ipp/index.js';
import { cupsGetOption } from '../cups/options.js';
import { extractFaxNumberFromDocument } from '../raster/index.js';
import { readFaxOutAttributes } from './faxout.js';
import { FaxJobError } from './outcome.js';
import { modemFaxJob } from './modem-job.js';
import { ProgressStore } from './progress.js';
import { jobRecipients } from './recipients.js';
import { runFaxJob } from './run.js';
import { printConfirmationSheet, RecordingStatus, recordSentJob } from './sent-record.js';

/** Where retried jobs keep their progress (install.sh makes it, owned by lp). */
export const DEFAULT_STATE_DIR = '/var/lib/lpfax';

export interface BackendJobOptions {
  reporter: CupsReporter;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadableStream;
}

/** A user's /etc/passwd fields: name, password, uid, gid, GECOS … */
async function passwdEntry(user: string, file = '/etc/passwd'): Promise<string[] | undefined> {
  const passwd = await readFile(file, 'utf8').catch(() => '');
  return passwd
    .split('\n')
    .map((l) => l.split(':'))
    .find((fields) => fields[0] === user);
}

/** The full name of the job's user (GECOS field), for the cover page and the tagline. */
export async function fullNameOf(user: string, passwdFile?: string): Promise<string | undefined> {
  const gecos = (await passwdEntry(user, passwdFile))?.[4]?.split(',')[0]?.trim();
  return gecos || undefined;
}

/** Who sends (cover page, tagline): lpfax.conf's SenderName, else the user's full name, else the login. */
export async function jobSender(settings: FaxSettings, user: string, passwdFile?: string): Promise<string> {
  return settings.identity.senderName || (await fullNameOf(user, passwdFile)) || user;
}

/** The backend's reporter at lpfax.conf's LogLevel (STATE:, ATTR:, PAGE: always go through). */
export function backendReporter(reporter: CupsReporter, settings: FaxSettings): CupsReporter {
  return atLogLevel(reporter, settings.logLevel);
}

/** lp's uid and gid, from /etc/passwd: Ghostscript runs as lp when the backend runs as root. */
async function unprivilegedUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [, , uid, gid] = (await passwdEntry('lp')) ?? [];
  if (uid === undefined || gid === undefined) {
    throw new FaxJobError('config-error', 'Running as root, but there is no user lp to run Ghostscript as.');
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function settingsFor(job: CupsJob, env: NodeJS.ProcessEnv): FaxSettings {
  const loaded = loadFaxSettings({
    env,
    queue: { devicePath: job.device.devicePath, query: job.device.query },
    ppdPath: job.ppd,
    jobOptions: job.options,
  });
  if (!loaded.ok) throw new FaxJobError('config-error', loaded.error.message, loaded.error);
  return loaded.value.settings;
}

/** The failure's kind and detail for the log (LogLevel debug), then its one sentence. */
export function reportFailure(reporter: CupsReporter, error: FaxJobError): void {
  reporter.log('DEBUG', `failure: ${error.kind}${error.facts.detail ? ` (${error.facts.detail})` : ''}`);
  reporter.log('ERROR', error.message);
}

export async function runBackendJob(job: CupsJob, options: BackendJobOptions): Promise<CupsBackendStatus> {
  const { signal } = options;
  // Until the settings are read, every line goes out (a config error is one ERROR: line).
  let reporter = options.reporter;
  const env = options.env ?? process.env;
  const workdir = await mkdtemp(join(job.tmpDir || tmpdir(), 'lpfax-job-'));
  try {
    const settings = settingsFor(job, env);
    reporter = backendReporter(reporter, settings);
    const status = new RecordingStatus(reporter);
    const debug = settings.logLevel === 'debug';
    const owner = await unprivilegedUser();
    // Ghostscript (as lp) works in folders made inside this one: lp must be able to enter it.
    if (owner) await chown(workdir, owner.uid, owner.gid);
    let document = job.file;
    if (document === undefined) {
      document = join(workdir, 'document');
      await pipeline(options.stdin ?? process.stdin, createWriteStream(document, { mode: 0o644 }));
    }
    // Every file of a multi-file job, each sent as its own document (lib/cups/documents).
    const documents = await splitJobDocuments(document, workdir);
    const option = (name: string) => cupsGetOption(job.options, name);
    // The FaxOut attributes (PWG 5100.15) of an IPP client's job; cupsd keeps the collections.
    const faxOut = await readFaxOutAttributes(
      localScheduler(env),
      job.jobId,
      userInfo().username,
      option,
      (text) => reporter.log('DEBUG', text),
    );
    const coverSheet = faxOut.coverSheet;
    const recipients = await jobRecipients(
      {
        title: job.title,
        option,
        jobId: job.jobId,
        destinations: faxOut.destinations,
        toName: coverSheet?.toName,
        warn: (text) => reporter.log('WARNING', text),
        fromDocument: () => extractFaxNumberFromDocument(documents[0]!, { ...owner, tmpdir: workdir }),
      },
      settings,
    );

    const sender = coverSheet?.fromName || (await jobSender(settings, job.user));
    const outcome = await runFaxJob(
      modemFaxJob({
        settings,
        recipients,
        documents,
        store: new ProgressStore(env.LPFAX_STATE_DIR || DEFAULT_STATE_DIR, job.uuid ?? `job-${job.jobId}`),
        // retry-interval cannot be honoured: CUPS waits JobRetryInterval between runs.
        retryLimits: { retries: faxOut.numberOfRetries, timeOutSeconds: faxOut.retryTimeOut },
        signal,
        status,
        cover: {
          sender,
          jobId: job.jobId,
          subject: coverSheet?.subject ?? option('fax-subject'),
          comments: coverSheet?.message ?? option('fax-comments'),
          organisation: coverSheet?.organizationName,
          asked: coverSheet !== undefined,
        },
        workdir,
        owner,
        // The modem dialogue and the T.30 frames: only LogLevel debug shows them.
        trace: debug ? (line) => reporter.log('DEBUG', line) : undefined,
      }),
    );
    if (outcome.status === CupsBackendStatus.OK) {
      status.done();
    } else {
      reportFailure(reporter, outcome.error!);
    }
    // Each recipient's own outcome goes into the fax service's archive, if any: a delivered one
    // at once (a retried job never faxes it again), the one that failed when the job ends for
    // good (not when CUPS will retry it).
    const log = reporter;
    const confirm = faxOut.confirmationSheetPrint === true;
    if (confirm && !settings.confirmationPrinter && outcome.status !== CupsBackendStatus.RETRY)
      log.log(
        'WARNING',
        'The job asked for a confirmation sheet, but lpfax.conf names no ConfirmationPrinter.',
      );
    for (const o of status.outcomes.values()) {
      const delivered = o.deliveredPages !== undefined;
      if (!delivered && outcome.status === CupsBackendStatus.RETRY) continue;
      const facts = {
        jobId: job.jobId,
        user: job.user,
        recipient: o.recipient,
        result: o.result,
        pages: o.deliveredPages,
        error: delivered ? undefined : outcome.error,
        startedAt: o.startedAt,
        finishedAt: o.finishedAt,
      };
      const recorded = await recordSentJob(settings, facts).catch((e: unknown) => {
        log.log(
          'WARNING',
          `The fax was not recorded in the archive: ${e instanceof Error ? e.message : String(e)}`,
        );
        return null;
      });
      if (confirm && settings.confirmationPrinter) {
        await printConfirmationSheet(settings.confirmationPrinter, facts, recorded, workdir).then(
          (id) =>
            log.log(
              'INFO',
              `Confirmation sheet printed on ${settings.confirmationPrinter}${id ? ` (${id})` : ''}`,
            ),
          (e: unknown) =>
            log.log(
              'WARNING',
              `The confirmation sheet could not be printed on ${settings.confirmationPrinter}: ${e instanceof Error ? e.message : String(e)}`,
            ),
        );
      }
    }
    return outcome.status;
  } catch (e) {
    const error =
      e instanceof FaxJobError
        ? e
        : new FaxJobError('modem-error', `The fax could not be sent: ${String(e)}`, e);
    reportFailure(reporter, error);
    return error.exitStatus;
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}
