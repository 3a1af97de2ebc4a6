/**
 * The console of one boot, byte for byte, beside the reports (console-N.log):
 * what a person reads when the parsed view is not enough. Capped, so a
 * console that never stops cannot fill the disk. It is a convenience copy:
 * when the disk refuses it, it stops and says so once (the journal is what
 * counts, and fails the run on its own).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export const RAW_CONSOLE_CAP = 64 * 1024 * 1024;

export class RawConsoleLog {
  private fd: number | null = null;
  private written = 0;
  /** Why the copy stopped early, if it did. */
  failure: string | null = null;

  constructor(
    readonly path: string,
    private readonly cap = RAW_CONSOLE_CAP,
  ) {
    try {
      this.fd = openSync(path, 'w');
    } catch (e) {
      this.failure = `cannot create ${path}: ${(e as Error).message}`;
    }
  }

  write(chunk: Buffer): void {
    if (this.fd === null || this.written >= this.cap) return;
    const part = chunk.length <= this.cap - this.written ? chunk : chunk.subarray(0, this.cap - this.written);
    try {
      writeSync(this.fd, part);
      this.written += part.length;
      if (this.written >= this.cap) writeSync(this.fd, `\n[hilt: console log capped at ${this.cap} bytes]\n`);
    } catch (e) {
      this.failure = `${this.path} stopped after ${this.written} bytes: ${(e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : (e as Error).message}`;
      this.close();
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
