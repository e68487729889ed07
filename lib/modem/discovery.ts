/**
 * Finding fax modems: serial devices under /dev (ttyS*, ttyUSB*, ttyACM*, faxmodem*, and the
 * stable names of /dev/serial/by-id), each probed in parallel with a short AT exchange unless a
 * UUCP lock says someone else uses it. serialport's own list() is not used: it runs udevadm,
 * which fails in containers.
 */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { Class1Modem, type Class1OpenOptions } from './class1.js';
import { isModemError, type ModemErrorKind } from './errors.js';
import { infoText, parseList } from './identify.js';
import { lockOwner } from './uucp-lock.js';

export interface DiscoveryOptions extends Pick<Class1OpenOptions, 'portFactory' | 'lockDir' | 'baudRate'> {
  /** Where to look (default /dev); tests point it at a directory of pty links. */
  devDir?: string;
  /** Per-command timeout of the probe (default 700 ms). */
  commandTimeoutMs?: number;
  /** Upper bound for one device's probe (default 3000 ms). */
  deviceTimeoutMs?: number;
}

export interface DiscoveredDevice {
  /** The name to use: the /dev/serial/by-id link when there is one, else the device. */
  path: string;
  realPath: string;
  status: 'modem' | 'locked' | 'no-response' | 'error';
  manufacturer?: string;
  model?: string;
  /** From AT+FCLASS=?; a fax modem for lpfax lists "1" (or "1.0"). */
  classes?: string[];
  /** For 'locked': the process holding the device. */
  lockPid?: number;
  /** For 'error' and 'no-response': the failure. */
  error?: { kind: ModemErrorKind; message: string };
}

const DEVICE_NAME = /^(ttyS\d+|ttyUSB\d+|ttyACM\d+|faxmodem.*)$/;

/** Candidate serial devices, deduplicated by real device, by-id names preferred. */
export async function listSerialDevices(
  options: Pick<DiscoveryOptions, 'devDir'> = {},
): Promise<{ path: string; realPath: string }[]> {
  const devDir = options.devDir ?? '/dev';
  const byReal = new Map<string, string>();
  const names = await readdir(devDir).catch(() => [] as string[]);
  for (const name of names.filter((n) => DEVICE_NAME.test(n)).sort(naturalOrder)) {
    const path = join(devDir, name);
    const real = await realpath(path).catch(() => undefined);
    if (real !== undefined && !byReal.has(real)) byReal.set(real, path);
  }
  const byId = join(devDir, 'serial', 'by-id');
  for (const name of (await readdir(byId).catch(() => [] as string[])).sort()) {
    const path = join(byId, name);
    const real = await realpath(path).catch(() => undefined);
    if (real !== undefined) byReal.set(real, path);
  }
  return [...byReal].map(([realPath, path]) => ({ path, realPath }));
}

/** Probes one device: lock check, then AT, E0, +FCLASS=?, +GMI, +GMM, each with a short timeout. */
export async function probeDevice(path: string, options: DiscoveryOptions = {}): Promise<DiscoveredDevice> {
  const realPath = await realpath(path).catch(() => path);
  const lockPid = await lockOwner(path, { lockDir: options.lockDir });
  if (lockPid !== undefined) return { path, realPath, status: 'locked', lockPid };
  let modem: Class1Modem | undefined;
  const deviceTimeoutMs = options.deviceTimeoutMs ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  const probe = async (): Promise<DiscoveredDevice> => {
    modem = await Class1Modem.open(path, {
      portFactory: options.portFactory,
      lockDir: options.lockDir,
      baudRate: options.baudRate,
      commandTimeoutMs: options.commandTimeoutMs ?? 700,
    });
    const at = modem.channel;
    let answered = false;
    for (let i = 0; i < 2 && !answered; i++) {
      answered = (await at.command('').catch(() => undefined))?.code === 'OK';
    }
    if (!answered) {
      return {
        path,
        realPath,
        status: 'no-response',
        error: { kind: 'no-response', message: 'no answer to AT' },
      };
    }
    await at.command('E0').catch(() => undefined);
    const info = async (cmd: string): Promise<string[] | undefined> => {
      const r = await at.command(cmd).catch(() => undefined);
      return r?.code === 'OK' ? r.lines : undefined;
    };
    const classes = await info('+FCLASS=?');
    const gmi = await info('+GMI');
    const gmm = await info('+GMM');
    return {
      path,
      realPath,
      status: 'modem',
      manufacturer: gmi && infoText(gmi),
      model: gmm && infoText(gmm),
      classes: classes ? parseList(classes) : [],
    };
  };
  const deadline = new Promise<DiscoveredDevice>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          path,
          realPath,
          status: 'no-response',
          error: { kind: 'timeout', message: `no answer within ${deviceTimeoutMs} ms` },
        }),
      deviceTimeoutMs,
    );
  });
  const attempt = probe().catch((e: unknown): DiscoveredDevice => {
    const err = isModemError(e)
      ? { kind: e.kind, message: e.message }
      : { kind: 'error' as const, message: String(e) };
    if (err.kind === 'locked')
      return { path, realPath, status: 'locked', lockPid: isModemError(e) ? e.pid : undefined };
    return { path, realPath, status: 'error', error: err };
  });
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
    // A probe that lost the race still closes its port (and lock) when it ends.
    void attempt.finally(() => modem?.close());
    await modem?.close();
  }
}

/** Lists and probes every candidate in parallel; resolves within about deviceTimeoutMs. */
export async function discoverModems(options: DiscoveryOptions = {}): Promise<DiscoveredDevice[]> {
  const devices = await listSerialDevices(options);
  return Promise.all(devices.map((d) => probeDevice(d.path, options)));
}

function naturalOrder(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
