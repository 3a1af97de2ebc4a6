/**
 * The kernel and initramfs where a LAVA worker can fetch them, with their
 * sha256, which LAVA checks after the download so that a worker never boots
 * other bytes than hilt built. Without an artifact location the URLs are
 * file:// URLs of hilt's cache, which only a dispatcher on this host can read;
 * with one, the files are copied into the folder the lab serves, named by
 * their hash (so runs never overwrite each other's files) and left there.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { infraError } from '../errors.js';
import type { LavaArtifact } from './job.js';

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (e) {
    throw infraError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return hash.digest('hex');
}

/** The name a file gets in the lab's folder: its hash first, then its own name. */
export const publishedName = (path: string, sha256: string) => `${sha256.slice(0, 16)}-${basename(path)}`;

export function joinUrl(base: string, name: string): string {
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
}

export async function publishArtifact(path: string, location: { url: string; dir: string } | null): Promise<LavaArtifact> {
  const sha256 = await sha256File(path);
  if (!location) return { url: pathToFileURL(resolve(path)).href, sha256 };
  const name = publishedName(path, sha256);
  const target = join(location.dir, name);
  if (!existsSync(target)) {
    try {
      await mkdir(location.dir, { recursive: true });
      const tmp = `${target}.tmp-${process.pid}`;
      await copyFile(path, tmp);
      await rename(tmp, target);
    } catch (e) {
      throw infraError(`cannot copy ${path} into the lab's artifact folder ${location.dir}: ${(e as Error).message}`, {
        hint: 'The lab profile\'s artifacts.dir must be writable from here and served at artifacts.url.',
      });
    }
  }
  return { url: joinUrl(location.url, name), sha256 };
}
