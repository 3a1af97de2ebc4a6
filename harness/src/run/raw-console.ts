/**
 * The console of one boot, byte for byte, beside the reports (console-N.log):
 * what a person reads when the parsed view is not enough. Capped, so a
 * console that never stops cannot fill the disk.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export const RAW_CONSOLE_CAP = 64 * 1024 * 1024;

export class RawConsoleLog {
  private fd: number | null;
  private written = 0;

  constructor(readonly path: string, private readonly cap = RAW_CONSOLE_CAP) {
    this.fd = openSync(path, 'w');
  }

  write(chunk: Buffer): void {
    if (this.fd === null || this.written >= this.cap) return;
    const part = chunk.length <= this.cap - this.written ? chunk : chunk.subarray(0, this.cap - this.written);
    writeSync(this.fd, part);
    this.written += part.length;
    if (this.written >= this.cap) writeSync(this.fd, `\n[hilt: console log capped at ${this.cap} bytes]\n`);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
