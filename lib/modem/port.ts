/**
 * Opening the serial port: an injectable factory (tests pass serialport's MockBinding or a pty),
 * with a timeout and typed failures.
 */
import { SerialPort } from 'serialport';
import type { SerialPortLike } from './at-channel.js';
import { ModemError } from './errors.js';

export type FlowControl = 'xonxoff' | 'rtscts' | 'none';

export interface PortSettings {
  path: string;
  baudRate: number;
  flowControl: FlowControl;
}

/** Builds a port that is NOT yet open (autoOpen: false). */
export type PortFactory = (settings: PortSettings) => SerialPortLike;

/**
 * The default: serialport with the system binding. RTS/CTS is left to the kernel (CRTSCTS);
 * XON/XOFF is handled by the driver itself, because in received data DC1/DC3 are data octets.
 */
export const defaultPortFactory: PortFactory = ({ path, baudRate, flowControl }) =>
  new SerialPort({ path, baudRate, autoOpen: false, rtscts: flowControl === 'rtscts', hupcl: true });

export function openPort(port: SerialPortLike, path: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new ModemError('timeout', `opening ${path} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (err?: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!err) return resolve();
      const msg = err.message;
      const kind = /cannot lock|resource temporarily unavailable|EBUSY|busy/i.test(msg)
        ? 'locked'
        : 'open-failed';
      reject(new ModemError(kind, `cannot open ${path}: ${msg}`, { cause: err }));
    };
    try {
      port.open(done);
    } catch (e) {
      done(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

export function closePort(port: SerialPortLike, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    if (!port.isOpen) return resolve();
    const timer = setTimeout(resolve, timeoutMs);
    try {
      port.close(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Drops DTR for dropMs (a hang-up for a modem set to AT&D2). False when the port cannot (a pty). */
export async function pulseDtr(port: SerialPortLike, dropMs: number): Promise<boolean> {
  const set = (dtr: boolean): Promise<boolean> =>
    new Promise((resolve) => {
      try {
        port.set({ dtr }, (err) => resolve(!err));
      } catch {
        resolve(false);
      }
    });
  if (!(await set(false))) return false;
  await new Promise((r) => setTimeout(r, dropMs));
  return set(true);
}
