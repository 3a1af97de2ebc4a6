/**
 * Journal file I/O. Each entry is written with a synchronous write(2), so it
 * is in the kernel's hands before hilt moves on: a SIGKILL of hilt loses
 * nothing. fdatasync(2), which only matters for a power cut, runs on libuv's
 * thread pool, one at a time, right after the entries that close a step (a
 * boot, a case's begin and end, the run's end) and at most 100 ms after any
 * other: never on the event loop, which must keep reading the console.
 *
 * A console that never stops must not fill the disk: past SOFT_CAP bytes the
 * console lines that are not records are no longer written, past HARD_CAP
 * neither is suite output nor kernel messages; what steers the fold (boots,
 * begin and end, exits, watchdogs) always is, and a note says what was left
 * out. A write that fails (a full disk) or a sync that fails is an
 * infrastructure error naming the file, never lost.
 */
import { closeSync, fdatasync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { infraError } from '../errors.js';
import type { JournalEntry } from './types.js';

const SYNC_NOW = new Set(['run', 'env', 'boot', 'boot-end', 'watchdog', 'end']);
const SYNC_NOW_RECORDS = new Set(['begin', 'end', 'timeout', 'exit', 'done', 'hello']);
/** Records that carry bulk (a suite's output, the kernel's log): the first to go past the hard cap. */
const BULK_RECORDS = new Set(['out', 'err', 'kmsg', 'stack']);

export const JOURNAL_SOFT_CAP = 128 * 1024 * 1024;
export const JOURNAL_HARD_CAP = 384 * 1024 * 1024;

function describe(e: NodeJS.ErrnoException): string {
  if (e.code === 'ENOSPC') return 'the disk is full';
  if (e.code === 'EDQUOT') return 'the disk quota is used up';
  if (e.code === 'EIO') return 'an I/O error';
  return e.message;
}

export class JournalWriter {
  private fd: number | null;
  private timer: NodeJS.Timeout | null = null;
  private syncing = false;
  private again = false;
  private closeWhenSynced = false;
  private bytes = 0;
  private dropped = { console: 0, bulk: 0 };
  /** A failed background sync, reported by the next append or close. */
  private syncError: NodeJS.ErrnoException | null = null;

  constructor(
    readonly path: string,
    private readonly caps = { soft: JOURNAL_SOFT_CAP, hard: JOURNAL_HARD_CAP },
  ) {
    try {
      this.fd = openSync(path, 'a');
    } catch (e) {
      throw infraError(`cannot open the journal ${path}: ${describe(e as NodeJS.ErrnoException)}`, { cause: e });
    }
  }

  /** Whether the entry is kept; past the caps, bulk is counted instead. */
  private keeps(entry: JournalEntry): boolean {
    if (this.bytes >= this.caps.soft && (entry.t === 'con' || entry.t === 'bad')) {
      if (this.dropped.console++ === 0) this.write({ t: 'note', text: `the journal passed ${this.caps.soft >> 20} MiB: console lines that are not agent records are no longer kept (the raw console-N.log has them up to its own cap)` });
      return false;
    }
    if (this.bytes >= this.caps.hard && entry.t === 'rec' && BULK_RECORDS.has(entry.kind)) {
      if (this.dropped.bulk++ === 0) this.write({ t: 'note', text: `the journal passed ${this.caps.hard >> 20} MiB: suite output and kernel messages are no longer kept; the cases still running will lack their KTAP results` });
      return false;
    }
    return true;
  }

  append(entry: JournalEntry): void {
    if (this.fd === null) return;
    this.throwSyncError();
    if (!this.keeps(entry)) return;
    this.write(entry);
    if (SYNC_NOW.has(entry.t) || (entry.t === 'rec' && SYNC_NOW_RECORDS.has(entry.kind))) this.sync();
    else this.timer ??= setTimeout(() => this.sync(), 100);
  }

  private write(entry: JournalEntry): void {
    const line = Buffer.from(JSON.stringify(entry) + '\n');
    try {
      for (let off = 0; off < line.length; ) off += writeSync(this.fd!, line, off);
    } catch (e) {
      throw infraError(`cannot write the journal ${this.path}: ${describe(e as NodeJS.ErrnoException)}`, { cause: e });
    }
    this.bytes += line.length;
  }

  private throwSyncError(): void {
    if (!this.syncError) return;
    const e = this.syncError;
    this.syncError = null;
    throw infraError(`the journal ${this.path} could not be synced to disk: ${describe(e)}`, { cause: e });
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
    fdatasync(fd, (err) => {
      this.syncing = false;
      if (err) this.syncError ??= err;
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
    const fd = this.fd;
    this.fd = null;
    try {
      fdatasyncSync(fd);
    } catch (e) {
      this.syncError ??= e as NodeJS.ErrnoException;
    } finally {
      if (this.syncing) this.closeWhenSynced = true;
      else closeSync(fd);
    }
    this.throwSyncError();
  }
}
