/**
 * Files hilt reads that a person or another machine handed it (plan files,
 * machine profiles, results.json, journals, kernel images, programs): each is
 * checked to be a regular file of a sane size before it is opened, so a FIFO,
 * a device or a folder is refused at once instead of blocking hilt forever or
 * filling its memory. Errors are usage errors naming the file and the rule.
 */
import { constants, openSync, closeSync, readSync, statSync } from 'node:fs';
import { usageError } from '../errors.js';

export const MiB = 1024 * 1024;

function describe(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a part of its path is not a folder';
    case 'ELOOP':
      return 'too many symbolic links';
    default:
      return e.message;
  }
}

/** Checks path is a regular file no bigger than maxBytes; returns its size. what: "plan", "--suite-bin", ... */
export function checkInputFile(path: string, what: string, maxBytes: number): number {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw usageError(`${what} ${path}: ${describe(e as NodeJS.ErrnoException)}`);
  }
  if (!st.isFile()) {
    const kind = st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
    throw usageError(`${what} ${path} is ${kind}; hilt reads only regular files here`, 'Give the path of a file (copy a stream into a file first).');
  }
  if (st.size > maxBytes) throw usageError(`${what} ${path} is ${(st.size / MiB).toFixed(1)} MiB; more than the ${(maxBytes / MiB).toFixed(0)} MiB such a file can sensibly be`, 'Check that this is the file you meant.');
  return st.size;
}

/** Reads a checked input file whole, as text. */
export function readInputText(path: string, what: string, maxBytes: number): string {
  return readInputBytes(path, what, maxBytes).toString('utf8');
}

export function readInputBytes(path: string, what: string, maxBytes: number, head?: number): Buffer {
  const size = checkInputFile(path, what, maxBytes);
  const want = head === undefined ? size : Math.min(size, head);
  let fd: number;
  try {
    // O_NONBLOCK: should the file have turned into a FIFO since the check, open still returns.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw usageError(`${what} ${path}: ${describe(e as NodeJS.ErrnoException)}`);
  }
  try {
    const buf = Buffer.alloc(want);
    let off = 0;
    while (off < want) {
      const n = readSync(fd, buf, off, want - off, off);
      if (n <= 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}
