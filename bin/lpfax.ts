#!/usr/bin/env node
/**
 * The lpfax command: the same engine as the CUPS backend, without CUPS.
 *   lpfax probe                                   list fax modems and their classes
 *   lpfax send --device DEV --to 'Name@number' FILE
 *   lpfax render FILE -o OUT.tif [--resolution …] [--coding mh|mr|mmr] [--paper …]
 *   lpfax render FILE -o OUT --coding jbig        T.85 pages: OUT-001.jbg, OUT-002.jbg, …
 *   lpfax preview FAX.tif                        a PNG of each page, for people
 *   lpfax receive --device DEV --output DIR [--once] [--answer-now] [--rings N] [--json]
 *   lpfax serve [--config FILE]                   the fax service, in the foreground
 *   lpfax received [--json] | sent [--json] | report JOB   the archive
 *   lpfax user add NAME [--admin] [--password-stdin] | remove NAME | list   the web page's users
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';

import { tmpdir } from 'node:os';

import { basename, dirname, join } from 'node:path';

import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';

import { loadFaxSettings, type FaxSettings } from '../lib/config/index.js';
import { FAILURE_TABLE, LpfaxExit } from '../lib/failure/index.js';
import { FaxJobError } from '../lib/job/outcome.js';

import { modemFaxJob } from '../lib/job/modem-job.js';

import { prepareFaxPages } from '../lib/job/pages.js';

import { ProgressStore } from '../lib/job/progress.js';
import {
  callJson,
  receiveCalls,
  receiveFailureSentence,
  ReceiveSetupError,
  type ReceivedCall,
} from '../lib/job/receive.js';
import { jobRecipients } from '../lib/job/recipients.js';

import { runFaxJob } from '../lib/job/run.js';
import { discoverModems } from '../lib/modem/index.js';
import { encodeT85 } from '../lib/t85/index.js';

import { tiffToPngs } from '../lib/preview/png.js';
import { writeTiffF, type FaxPage } from '../lib/t4/index.js';
import type { T4Coding } from '../lib/itu/page.js';
import { listReceived, listSent, printReport } from '../service/commands.js';
import { serve } from '../service/serve.js';
import { userCommand, type UserArgs } from '../service/users.js';
import { TerminalStatus } from './terminal-status.js';

type JobOption = { name: string; value: string };

/** Settings for a command: the command line ranks as the queue (device, identity), then lpfax.conf. */
function settingsOrExit(
  device: string | undefined,
  options: JobOption[],
  ident?: string,
  ecmFrameSize?: number,
): FaxSettings {
  // As in a device URI's query: any lpfax.conf key by name.
  const query: [string, string][] = [];
  if (ident !== undefined) query.push(['LocalIdentifier', ident]);
  if (ecmFrameSize !== undefined) query.push(['ECMFrameSize', String(ecmFrameSize)]);
  const loaded = loadFaxSettings({ queue: { devicePath: device, query }, jobOptions: options });
  if (!loaded.ok) {
    process.stderr.write(`lpfax: ${loaded.error.message}\n`);
    process.exit(LpfaxExit.USAGE);
  }
  return loaded.value.settings;
}

function jobOptions(argv: {
  resolution?: string;
  paper?: string;
  ecm?: boolean;
  speed?: number;
  cover?: boolean;
}) {
  const options: JobOption[] = [];
  if (argv.resolution) options.push({ name: 'Resolution', value: argv.resolution });
  if (argv.paper) options.push({ name: 'PageSize', value: argv.paper });
  if (argv.ecm !== undefined) options.push({ name: 'ECM', value: String(argv.ecm) });
  if (argv.speed !== undefined) options.push({ name: 'MaxSpeed', value: String(argv.speed) });
  if (argv.cover !== undefined) options.push({ name: 'CoverPage', value: argv.cover ? 'on' : 'off' });
  return options;
}

async function probe(): Promise<number> {
  const found = await discoverModems();
  if (found.length === 0) process.stdout.write('No serial devices found.\n');
  for (const d of found) {
    const what =
      d.status === 'modem'
        ? `${[d.manufacturer, d.model].filter(Boolean).join(' ') || 'modem'}, fax classes ${d.classes?.join(',') || 'none'}`
        : d.status === 'locked'
          ? `in use (process ${d.lockPid ?? '?'})`
          : (d.error?.message ?? d.status);
    process.stdout.write(`${d.path}\t${what}\n`);
  }
  return 0;
}

async function send(argv: {
  device?: string;
  ident?: string;
  to: string;
  files: string[];
  tagline: boolean;
  verbose: boolean;
  resolution?: string;
  paper?: string;
  ecm?: boolean;
  ecmFrameSize?: number;
  speed?: number;
  cover?: boolean;
}): Promise<number> {
  const settings = settingsOrExit(argv.device, jobOptions(argv), argv.ident, argv.ecmFrameSize);
  const status = new TerminalStatus(process.stderr, argv.verbose);
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(3).padStart(7);
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  const workdir = await mkdtemp(join(tmpdir(), 'lpfax-send-'));
  // The failure's sentence (without CUPS' "will try again") and its kind; the exit status from
  // the failure table (lib/failure).
  const failed = (error: FaxJobError): number => {
    if (argv.verbose && error.facts.detail) status.note(`failure detail: ${error.facts.detail}`);
    status.note(`lpfax: ${error.kind}: ${error.sentence('lpfax')}`);
    return error.lpfaxExit;
  };
  try {
    const recipients = await jobRecipients({ title: argv.to, option: () => undefined }, settings);
    const sender = settings.identity.senderName;
    const outcome = await runFaxJob(
      modemFaxJob({
        settings,
        recipients,
        documents: argv.files,
        store: new ProgressStore(workdir, 'send'),
        signal: controller.signal,
        status,
        cover: { sender, tagline: argv.tagline },
        workdir,
        // Seconds since the command started, to line the dialogue up with a far end's log.
        trace: argv.verbose ? (l) => status.note(`[${elapsed()}] ${l}`) : undefined,
      }),
    );
    if (outcome.error) return failed(outcome.error);
    status.done();
    return LpfaxExit.OK;
  } catch (e) {
    if (e instanceof FaxJobError) return failed(e);
    status.note(`lpfax: ${String(e)}`);
    return LpfaxExit.TRY_AGAIN;
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

async function render(argv: {
  file: string;
  output: string;
  coding: T4Coding | 'jbig';
  tagline: boolean;
  resolution?: string;
  paper?: string;
}): Promise<number> {
  const settings = settingsOrExit(undefined, jobOptions(argv));
  const workdir = await mkdtemp(join(tmpdir(), 'lpfax-render-'));
  try {
    const fax = await prepareFaxPages({
      document: argv.file,
      paper: settings.page.paper,
      resolution: settings.page.resolution,
      tagline: argv.tagline && settings.tagline.enabled && { format: settings.tagline.format },
      tmpdir: workdir,
    });
    const pages: FaxPage[] = [];
    // --coding jbig: one BIE per page (T.85, what jbigkit's jbgtopbm reads), written as it comes.
    const jbigBase = argv.output.replace(/\.jbg$/i, '');
    const written: string[] = [];
    try {
      for await (const page of fax.pagesFrom(1)) {
        if (argv.coding === 'jbig') {
          const name = `${jbigBase}-${String(written.length + 1).padStart(3, '0')}.jbg`;
          await writeFile(name, encodeT85(page.bitmap));
          written.push(name);
        } else pages.push({ bitmap: page.bitmap, resolution: page.resolution });
        if (process.stderr.isTTY)
          process.stderr.write(`\r\x1b[Krendered page ${pages.length + written.length} of ${fax.totalPages}`);
      }
    } finally {
      await fax.close();
    }
    if (argv.coding === 'jbig') {
      process.stderr.write(
        `${process.stderr.isTTY ? '\n' : ''}wrote ${written.length} pages: ${written.map((w) => basename(w)).join(', ')}\n`,
      );
      return 0;
    }
    await writeFile(argv.output, writeTiffF(pages, { coding: argv.coding }));
    process.stderr.write(
      `${process.stderr.isTTY ? '\n' : ''}wrote ${pages.length} pages to ${argv.output}\n`,
    );
    return 0;
  } catch (e) {
    if (e instanceof FaxJobError) {
      process.stderr.write(`lpfax: ${e.kind}: ${e.sentence('lpfax')}\n`);
      return e.lpfaxExit;
    }
    process.stderr.write(`lpfax: ${String(e)}\n`);
    return LpfaxExit.BAD_DOCUMENT;
  } finally {
    await rm(workdir, { recursive: true, force: true });
  }
}

/** PNG previews of a TIFF fax, one per page, beside it (or in --out-dir). */
async function preview(argv: { file: string; outDir?: string; width: number }): Promise<number> {
  try {
    const pngs = await tiffToPngs(argv.file, argv.width);
    const base = basename(argv.file).replace(/\.tiff?$/i, '');
    const dir = argv.outDir ?? dirname(argv.file);
    for (const [i, png] of pngs.entries()) {
      const out = join(dir, `${base}-page${i + 1}.png`);
      await writeFile(out, png);
      process.stdout.write(`${out}\n`);
    }
    return 0;
  } catch (e) {
    process.stderr.write(
      `lpfax: cannot preview ${argv.file}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 3;
  }
}

/** One line for people about a received call. */
function callLine(call: ReceivedCall): string {
  const r = call.result;
  const from = r.remoteIdent ? ` from ${r.remoteIdent}` : '';
  const what = `${r.pages} page${r.pages === 1 ? '' : 's'}${from}`;
  const where = call.tiff ? ` → ${call.tiff}${call.pdf ? `, ${call.pdf}` : ''}` : '';
  if (r.ok) return `received ${what}${where}`;
  const kind = r.failure?.kind ?? 'protocol-error';
  return `${receiveFailureSentence(kind, r.pages)} ${r.pages > 0 ? `Kept ${what}${where}.` : ''}`.trim();
}

async function receive(argv: {
  device?: string;
  ident?: string;
  output: string;
  once: boolean;
  answerNow: boolean;
  rings?: number;
  json: boolean;
  verbose: boolean;
}): Promise<number> {
  const settings = settingsOrExit(argv.device, [], argv.ident);
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  const started = performance.now();
  const elapsed = () => ((performance.now() - started) / 1000).toFixed(3).padStart(7);
  const log = (text: string) => process.stderr.write(`${text}\n`);
  try {
    const calls = await receiveCalls({
      settings,
      outputDir: argv.output,
      answerNow: argv.answerNow,
      rings: argv.rings,
      calls: argv.once ? 1 : undefined,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.kind === 'ringing') log(`waiting for a call on ${settings.modem.device}`);
        else if (p.kind === 'answered') log('answered');
        else if (p.kind === 'page-received' && argv.verbose)
          log(`page ${p.page + 1}: ${p.rows} rows, ${p.badRows} bad (${p.verdict})`);
      },
      onCall: (call) => {
        if (argv.json) process.stdout.write(`${JSON.stringify(callJson(call))}\n`);
        else log(callLine(call));
      },
      trace: argv.verbose ? (l) => log(`[${elapsed()}] ${l}`) : undefined,
    });
    // --once: 0 when pages were received (issue 14), even if the call then broke; else the
    // failure table's status for why not (cancelled: 130).
    if (argv.once) {
      const r = calls[0]?.result;
      if (!r) return controller.signal.aborted ? LpfaxExit.CANCELLED : LpfaxExit.TRY_AGAIN;
      if (r.pages > 0) return LpfaxExit.OK;
      return FAILURE_TABLE[r.failure?.kind ?? 'protocol-error'].lpfax;
    }
    return LpfaxExit.OK;
  } catch (e) {
    if (e instanceof ReceiveSetupError) {
      log(`lpfax: ${e.message}`);
      return FAILURE_TABLE[e.kind].lpfax;
    }
    log(`lpfax: ${e instanceof Error ? e.message : String(e)}`);
    return LpfaxExit.TRY_AGAIN;
  }
}

const pageOptions = {
  resolution: { type: 'string', choices: ['standard', 'fine', 'superfine'], describe: 'vertical resolution' },
  paper: { type: 'string', choices: ['a4', 'letter', 'legal'], describe: 'paper size' },
  tagline: { type: 'boolean', default: true, describe: 'sender line at the top of each page' },
} as const;

await yargs(hideBin(process.argv))
  .scriptName('lpfax')
  .command('probe', 'list fax modems and their classes', {}, async () => {
    process.exitCode = await probe();
  })
  .command(
    'send <files..>',
    'send a fax without CUPS (several files go as separate documents of one call)',
    (y) =>
      y
        .positional('files', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'PDF, PostScript or TIFF-F files',
        })
        .options({
          device: { type: 'string', describe: 'modem device (default: ModemDevice in lpfax.conf)' },
          ident: {
            type: 'string',
            describe: 'our fax number as the far end shows it (TSI; default: LocalIdentifier)',
          },
          to: { type: 'string', demandOption: true, describe: "recipient, 'Name@number'" },
          ecm: { type: 'boolean', describe: 'use error correction when the far end can' },
          'ecm-frame-size': {
            type: 'number',
            choices: [256, 64],
            describe: 'octets per ECM frame (default: ECMFrameSize, 256)',
          },
          speed: { type: 'number', describe: 'highest bit rate to use' },
          cover: { type: 'boolean', describe: 'add a cover page (default: when the recipient has a name)' },
          verbose: { type: 'boolean', alias: 'v', default: false, describe: 'show the modem dialogue' },
          ...pageOptions,
        }),
    async (argv) => {
      process.exitCode = await send(argv as Parameters<typeof send>[0]);
    },
  )
  .command(
    'render <file>',
    'write the pages the engine would send as TIFF-F (or T.85 BIEs: --coding jbig)',
    (y) =>
      y.positional('file', { type: 'string', demandOption: true }).options({
        output: {
          type: 'string',
          alias: 'o',
          demandOption: true,
          describe: 'TIFF file to write (jbig: OUT gives OUT-001.jbg, OUT-002.jbg, …)',
        },
        coding: {
          type: 'string',
          choices: ['mh', 'mr', 'mmr', 'jbig'],
          default: 'mh',
          describe: 'page coding',
        },
        ...pageOptions,
      }),
    async (argv) => {
      process.exitCode = await render(argv as Parameters<typeof render>[0]);
    },
  )
  .command(
    'preview <file>',
    'write a PNG of each page of a TIFF fax',
    (y) =>
      y.positional('file', { type: 'string', demandOption: true }).options({
        'out-dir': { type: 'string', describe: 'folder for the PNG files (default: beside the TIFF)' },
        width: { type: 'number', default: 850, describe: 'width of the pictures in pixels' },
      }),
    async (argv) => {
      process.exitCode = await preview(argv as Parameters<typeof preview>[0]);
    },
  )
  .command(
    'receive',
    'answer calls and receive faxes into a folder (TIFF-F and PDF, one of each per call)',
    (y) =>
      y.options({
        device: { type: 'string', describe: 'modem device (default: ModemDevice in lpfax.conf)' },
        ident: {
          type: 'string',
          describe: 'our fax number as the caller sees it (CSI; default: LocalIdentifier)',
        },
        output: { type: 'string', alias: 'o', demandOption: true, describe: 'folder for the received faxes' },
        once: {
          type: 'boolean',
          default: false,
          describe: 'receive exactly one call, then exit (0 if pages were received, else why not)',
        },
        'answer-now': {
          type: 'boolean',
          default: false,
          describe: 'answer at once, without waiting for RING',
        },
        rings: { type: 'number', describe: 'rings before answering (default 1)' },
        json: { type: 'boolean', default: false, describe: 'one JSON object per call on stdout' },
        verbose: { type: 'boolean', alias: 'v', default: false, describe: 'show the modem dialogue' },
      }),
    async (argv) => {
      process.exitCode = await receive(argv as Parameters<typeof receive>[0]);
    },
  )
  .command(
    'serve',
    'the fax service: answer the ReceiveDevices lines, file every fax in the archive, deliver it',
    (y) =>
      y.options({
        config: {
          type: 'string',
          describe: 'lpfax.conf to read (default: LPFAX_CONFIG or /etc/lpfax/lpfax.conf)',
        },
        verbose: { type: 'boolean', alias: 'v', default: false, describe: 'log the modem dialogue' },
      }),
    async (argv) => {
      // Everything is filed, hung up and unlocked once serve() returns: exit now rather than
      // wait for the serial port's handles to wind down.
      process.exit(await serve(argv));
    },
  )
  .command(
    'received',
    'list the received faxes in the archive, newest first',
    (y) =>
      y.options({
        config: { type: 'string', describe: 'lpfax.conf naming the archive (SpoolDir)' },
        json: { type: 'boolean', default: false, describe: 'a JSON array of objects' },
      }),
    (argv) => {
      process.exitCode = listReceived(argv);
    },
  )
  .command(
    'sent',
    'list the sent fax jobs in the archive, newest first',
    (y) =>
      y.options({
        config: { type: 'string', describe: 'lpfax.conf naming the archive (SpoolDir)' },
        json: { type: 'boolean', default: false, describe: 'a JSON array of objects' },
      }),
    (argv) => {
      process.exitCode = listSent(argv);
    },
  )
  .command(
    'report <job>',
    "print the path of a job's transmission report",
    (y) =>
      y.positional('job', { type: 'number', demandOption: true }).options({
        config: { type: 'string', describe: 'lpfax.conf naming the archive (SpoolDir)' },
      }),
    (argv) => {
      process.exitCode = printReport(argv as Parameters<typeof printReport>[0]);
    },
  )
  .command(
    'user <action> [name]',
    "the web page's users: add NAME, remove NAME, list",
    (y) =>
      y
        .positional('action', { type: 'string', choices: ['add', 'remove', 'list'], demandOption: true })
        .positional('name', { type: 'string' })
        .options({
          config: { type: 'string', describe: 'lpfax.conf naming the users file (UsersFile)' },
          admin: { type: 'boolean', default: false, describe: 'add: the user is an admin' },
          'password-stdin': {
            type: 'boolean',
            default: false,
            describe: 'add: read the password from stdin',
          },
          replace: { type: 'boolean', default: false, describe: "add: set an existing user's password" },
        }),
    async (argv) => {
      process.exitCode = await userCommand(argv as unknown as UserArgs);
    },
  )
  .demandCommand(1)
  .strict()
  .help()
  .parseAsync();
