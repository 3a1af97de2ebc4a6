import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (or installed package) root: dist/harness/src/paths.js is three levels below it. */
export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export const SUITES_DIR = join(ROOT, 'suites');
export const SUITES_BUILD_DIR = join(SUITES_DIR, 'build');
export const SCHEMAS_DIR = join(ROOT, 'schemas');

/** Downloaded kernels and built images; HILT_CACHE_DIR overrides the XDG location. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HILT_CACHE_DIR) return resolve(env.HILT_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(base, 'hilt');
}
