/**
 * The kernel tree the tree: tests build, boot, break and bisect. They are
 * opt-in: a cold build takes 5-10 minutes on two cores, and the tests edit
 * and commit files in the tree. HILT_TEST_KERNEL_TREE names it:
 *   a path   a kernel source tree the tests may modify (a scratch copy)
 *   debian   Debian's linux-source-6.12, fetched with apt-get download and
 *            unpacked into the hilt cache (test-trees/) on first use
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../../src/paths.js';

export const TREE_ENV = 'HILT_TEST_KERNEL_TREE';
export const SKIP_REASON = `${TREE_ENV} is not set: set it to a kernel source tree the tests may modify, or to "debian" to use linux-source-6.12 (a 5-10 minute cold build)`;

/** Debian's kernel source, unpacked once into the cache. */
function debianTree(): string {
  const root = join(cacheDir(), 'test-trees');
  const tree = join(root, 'linux-source-6.12');
  if (existsSync(join(tree, 'Makefile'))) return tree;
  const tmp = join(root, 'download');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('apt-get', ['download', '-q', 'linux-source-6.12'], { cwd: tmp, stdio: 'inherit' });
  const deb = readdirSync(tmp).find((f) => f.endsWith('.deb'))!;
  execFileSync('dpkg-deb', ['-x', deb, 'pkg'], { cwd: tmp, stdio: 'inherit' });
  execFileSync('tar', ['xJf', join(tmp, 'pkg', 'usr', 'src', 'linux-source-6.12.tar.xz'), '-C', root], { stdio: 'inherit' });
  rmSync(tmp, { recursive: true, force: true });
  return tree;
}

/** The tree to test with, or null when the tests are not asked for. */
export function testTree(): string | null {
  const v = process.env[TREE_ENV];
  if (!v) return null;
  return v === 'debian' ? debianTree() : v;
}

/** git in the tree, its output trimmed. */
export function git(tree: string, ...args: string[]): string {
  return execFileSync('git', ['-C', tree, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 << 20 }).trim();
}

/** Makes the tree a git repository with one commit of everything, once (a minute or two for a kernel tree). */
export function ensureGit(tree: string): void {
  if (existsSync(join(tree, '.git'))) return;
  git(tree, 'init', '-q');
  git(tree, 'config', 'user.email', 'hilt-test@localhost');
  git(tree, 'config', 'user.name', 'hilt test');
  // -f: Debian's linux-source ships a .gitignore that ignores every top-level folder (its packaging's).
  git(tree, '-c', 'core.looseCompression=0', 'add', '-A', '-f');
  git(tree, 'commit', '-q', '-m', 'the kernel source, as unpacked');
}
