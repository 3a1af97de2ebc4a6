/**
 * The folder reports go to, checked at the door: a pseudo file system
 * (/proc, /sys, /dev) is refused outright (a mkdir there can spin forever),
 * a file in the way, a folder that cannot be created or written is a usage
 * error naming the folder and why, before any kernel is fetched.
 */
import { accessSync, constants, existsSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { usageError } from '../errors.js';

const PSEUDO = ['/proc', '/sys', '/dev'];

/** The real path of the nearest part of path that exists. */
function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return realpathSync(p);
}

export function checkOutDir(dir: string, flag = '--out'): string {
  const path = resolve(dir);
  const real = nearestExisting(path);
  if (PSEUDO.some((p) => real === p || real.startsWith(`${p}/`))) {
    throw usageError(`${flag} ${dir} is inside ${real.split('/').slice(0, 2).join('/')}, a kernel pseudo file system; reports cannot go there`, `Name a folder on a real disk, e.g. ${flag} ./reports.`);
  }
  if (existsSync(path) && !statSync(path).isDirectory()) throw usageError(`${flag} ${dir} is a file, not a folder`, 'Name a folder (it is created when missing).');
  try {
    mkdirSync(path, { recursive: true });
    accessSync(path, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'the file system is read-only' : code === 'ENOTDIR' ? 'a part of its path is a file' : (e as Error).message;
    throw usageError(`${flag} ${dir} cannot be created or written: ${why}`, 'Name a folder you can write to.');
  }
  return path;
}
