/**
 * Free space in the spool (MinFreeSpace): below the minimum the service does not answer, so that
 * it never confirms pages it cannot keep (issue 15: a full disk stops answering, the line is left
 * to ring). The check is statfs(2) of the spool's file system; `statfs` can be given for tests.
 */
import { statfsSync } from 'node:fs';

/** What statfs(2) says that counts here (fs.StatsFs). */
export type StatFs = (path: string) => { bavail: number | bigint; bsize: number | bigint };

/** Bytes an unprivileged process can still write on `path`'s file system. */
export function freeBytes(path: string, statfs: StatFs = statfsSync): number {
  const s = statfs(path);
  return Number(s.bavail) * Number(s.bsize);
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * Whether there is room to answer; logs once when the space runs short and once when it is back
 * (not at every check). A spool that cannot be examined counts as short.
 */
export class SpaceWatch {
  private short = false;

  constructor(
    private readonly spool: string,
    private readonly minFree: number,
    private readonly log: (line: string) => void,
    private readonly statfs: StatFs = statfsSync,
  ) {}

  roomToAnswer(): boolean {
    if (this.minFree <= 0) return true;
    let free: number;
    let why: string;
    try {
      free = freeBytes(this.spool, this.statfs);
      why = `${mb(free)} free in ${this.spool}`;
    } catch (e) {
      free = -1;
      why = `${this.spool} cannot be examined (${e instanceof Error ? e.message : String(e)})`;
    }
    const ok = free >= this.minFree;
    if (!ok && !this.short)
      this.log(`not answering: ${why}, below MinFreeSpace ${mb(this.minFree)}; the line is left to ring`);
    else if (ok && this.short) this.log(`answering again: ${why}`);
    this.short = !ok;
    return ok;
  }
}
