/**
 * A pair of connected ptys made by socat (`socat pty,raw,echo=0 pty,raw,echo=0`), for tests
 * that need a real tty: one end for Class1Modem, the other for a scripted modem.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { FakeModem } from './fake-modem.js';

export interface PtyPair {
  /** The end for the driver under test. */
  dte: string;
  /** The end for the scripted modem. */
  dce: string;
  socat: ChildProcess;
  /** Ends socat: both ptys vanish. */
  kill(): Promise<void>;
}

export async function ptyPair(dir: string, name = 'pty'): Promise<PtyPair> {
  const dte = join(dir, `${name}-dte`);
  const dce = join(dir, `${name}-dce`);
  const socat = spawn('socat', [`pty,raw,echo=0,link=${dte}`, `pty,raw,echo=0,link=${dce}`], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((r) => socat.once('exit', () => r()));
  for (let i = 0; i < 100 && !(existsSync(dte) && existsSync(dce)); i++)
    await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(dte) || !existsSync(dce)) throw new Error('socat did not create the ptys');
  return {
    dte,
    dce,
    socat,
    kill: async () => {
      if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGTERM');
      await exited;
    },
  };
}

/** Connects a FakeModem to the DCE end of a pty pair. */
export async function attachFake(fake: FakeModem, dcePath: string): Promise<SerialPort> {
  const port = new SerialPort({ path: dcePath, baudRate: 19200, autoOpen: false, lock: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('error', () => undefined);
  port.on('data', (b: Buffer) => fake.input(b));
  fake.output = (bytes) => {
    if (port.isOpen) port.write(bytes);
  };
  return port;
}

export function closeQuietly(port: SerialPort | undefined): Promise<void> {
  return new Promise((r) => (port?.isOpen ? port.close(() => r()) : r()));
}
