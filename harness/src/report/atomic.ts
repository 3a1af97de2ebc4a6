/**
 * Writes a file so that readers see the old one or the new one, never half
 * of one: a fresh temporary file beside it (created exclusively, under a
 * name no one can predict, never through a symlink), synced, renamed over
 * the target, and the folder synced so the rename survives a power cut.
 * Errors (a full disk, a read-only folder) are infrastructure errors that
 * name the file; the temporary file is removed.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { infraError } from '../errors.js';

const FLUSH_AT = 1 << 20;

function describe(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EDQUOT':
      return 'the disk quota is used up';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOENT':
      return 'its folder does not exist';
    case 'ENOTDIR':
      return 'a part of its path is not a folder';
    case 'EISDIR':
      return 'it is a folder';
    default:
      return e.message;
  }
}

/** Writes chunks (a string, a buffer or a stream of strings) to path atomically. */
export function writeFileAtomic(path: string, data: string | Buffer | Iterable<string>): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    if (typeof data === 'string' || Buffer.isBuffer(data)) writeAll(fd, typeof data === 'string' ? Buffer.from(data) : data);
    else {
      let pending = '';
      for (const chunk of data) {
        pending += chunk;
        if (pending.length >= FLUSH_AT) {
          writeAll(fd, Buffer.from(pending));
          pending = '';
        }
      }
      writeAll(fd, Buffer.from(pending));
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw infraError(`cannot write ${path}: ${describe(e as NodeJS.ErrnoException)}`, { cause: e });
  }
  syncFolder(dir);
}

function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}

/** The rename is in the folder's data: sync it (best effort; some file systems refuse). */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not every file system lets a folder be synced
  }
}
