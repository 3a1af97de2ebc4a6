/**
 * Journal file I/O. Each entry is written with a synchronous write(2), so it
 * is in the kernel's hands before hilt moves on: a SIGKILL of hilt loses
 * nothing. fdatasync(2), which only matters for a power cut, runs on libuv's
 * thread pool, one at a time, right after the entries that close a step (a
 * boot, a case's begin and end, the run's end) and at most 100 ms after any
 * other: never on the event loop, which must keep reading the console.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import type { JournalEntry } from './types.js';

const SYNC_NOW = new Set(['run', 'boot', 'boot-end', 'watchdog', 'end']);
const SYNC_NOW_RECORDS = new Set(['begin', 'end', 'timeout', 'exit', 'done', 'hello']);

export class JournalWriter {
  private fd: number | null;
  private timer: NodeJS.Timeout | null = null;
  private syncing = false;
  private again = false;
  private closeWhenSynced = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'a');
  }

  append(entry: JournalEntry): void {
    if (this.fd === null) return;
    writeSync(this.fd, JSON.stringify(entry) + '\n');
    if (SYNC_NOW.has(entry.t) || (entry.t === 'rec' && SYNC_NOW_RECORDS.has(entry.kind))) this.sync();
    else this.timer ??= setTimeout(() => this.sync(), 100);
  }

  private sync(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.fd === null) return;
    if (this.syncing) {
      this.again = true;
      return;
    }
    this.syncing = true;
    const fd = this.fd;
    fdatasync(fd, () => {
      this.syncing = false;
      if (this.closeWhenSynced) closeSync(fd);
      else if (this.again) {
        this.again = false;
        this.sync();
      }
    });
  }

  /** Everything on disk, then closed (once a sync still running on the thread pool is done). */
  close(): void {
    if (this.fd === null) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    fdatasyncSync(this.fd);
    if (this.syncing) this.closeWhenSynced = true;
    else closeSync(this.fd);
    this.fd = null;
  }
}
