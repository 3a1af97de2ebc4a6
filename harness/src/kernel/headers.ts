/**
 * Kernel build trees, for building out-of-tree modules (suites/vaccel) for the
 * kernel under test.
 *
 * debian: the linux-headers-<release> package of the same version as the
 * image, with the -common headers and the linux-kbuild package it depends on,
 * fetched with `apt-get download` and unpacked with `dpkg-deb -x` into the
 * cache, like the image itself. Installed, those packages point at each other
 * through absolute paths (/usr/src/...): the arch package's Makefile includes
 * the -common one by absolute path, and lib/modules/<release>/{build,source}
 * are absolute symlinks. Unpacked elsewhere, those are rewritten to point
 * inside the unpacked tree, so `make -C <tree> M=<module>` works from the cache
 * without touching /usr/src.
 *
 * Any other kernel: the build tree a provider names (KernelInfo.buildDir), or
 * the lib/modules/<release>/build link of its modules tree; a kernel with
 * neither has none, and the reason says so.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { infraError } from '../errors.js';
import { lazyExeca } from '../util/exec.js';
import type { Log } from '../util/log.js';
import { parseAptDepends, parseAptShow } from './apt.js';
import { apt, runApt } from './debian.js';
import type { KernelInfo } from './types.js';

export interface KernelBuildTree {
  release: string;
  /** The directory to run `make -C` in: it has the Makefile, .config and Module.symvers. */
  dir: string;
  /** Where it came from, for messages and results: packages and versions, or a path. */
  origin: string;
}

export type BuildTreeLookup = { ok: true; tree: KernelBuildTree } | { ok: false; reason: string };

// ---- pure parts ----

export const headersPackageName = (release: string) => `linux-headers-${release}`;

/**
 * The packages a headers package needs unpacked beside it to build a module:
 * itself, its -common headers and the kbuild tools (scripts/, tools/), read
 * from its `apt-cache depends` list. Compilers and linux-base are the host's.
 */
export function headersPackages(headersPackage: string, depends: string[]): string[] {
  const needed = depends.filter((d) => d !== headersPackage && (/^linux-headers-.+-common(-rt)?$/.test(d) || /^linux-kbuild-/.test(d)));
  return [headersPackage, ...new Set(needed)];
}

/**
 * For a symlink at linkPath (relative to the unpacked root) to the absolute
 * target, the relative target that points at the same place inside the root;
 * null when the target is relative already.
 */
export function relativeLinkTarget(linkPath: string, target: string): string | null {
  if (!target.startsWith('/')) return null;
  return posix.relative(posix.dirname(posix.join('/', linkPath)), posix.normalize(target)) || '.';
}

/**
 * A Makefile at fileRel (relative to the unpacked root) that includes another
 * by absolute path (`include /usr/src/linux-headers-X-common/Makefile`) gets
 * the path relative to its own folder, found through MAKEFILE_LIST, so that it
 * works whatever make's working directory is.
 */
export function relocateAbsoluteIncludes(text: string, fileRel: string): string {
  return text.replace(/^(-?include|sinclude)[ \t]+(\/\S+)[ \t]*$/gm, (_line, keyword: string, target: string) => {
    const rel = posix.relative(posix.dirname(posix.join('/', fileRel)), posix.normalize(target));
    return `${keyword} $(dir $(lastword $(MAKEFILE_LIST)))${rel}`;
  });
}

// ---- the edges ----

async function* walk(root: string, rel = ''): AsyncGenerator<{ rel: string; isLink: boolean; isFile: boolean }> {
  for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
    const path = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) yield* walk(root, path);
    else yield { rel: path, isLink: entry.isSymbolicLink(), isFile: entry.isFile() };
  }
}

/** Points the unpacked packages at each other instead of at /usr/src; returns what it changed. */
export async function relocateHeaders(root: string): Promise<string[]> {
  const changed: string[] = [];
  for await (const f of walk(root)) {
    if (f.isLink) {
      const target = await readlink(join(root, f.rel));
      const rel = relativeLinkTarget(f.rel, target);
      if (rel === null) continue;
      await unlink(join(root, f.rel));
      await symlink(rel, join(root, f.rel));
      changed.push(`${f.rel} -> ${rel} (was ${target})`);
    } else if (f.isFile && /^usr\/src\/linux-headers-[^/]+\/Makefile$/.test(f.rel)) {
      const text = await readFile(join(root, f.rel), 'utf8');
      const fixed = relocateAbsoluteIncludes(text, f.rel);
      if (fixed !== text) {
        await writeFile(join(root, f.rel), fixed);
        changed.push(`${f.rel}: include made relative`);
      }
    }
  }
  return changed;
}

async function isBuildTree(dir: string): Promise<boolean> {
  return existsSync(join(dir, 'Makefile')) && existsSync(join(dir, 'Module.symvers'));
}

/**
 * The Debian headers for a Debian kernel, fetched into the cache on first use.
 * Returns unavailable (not an error) only when apt has no headers package for
 * the release; a download that fails is an infrastructure error.
 */
export async function debianHeaders(
  kernel: { release: string; version: string },
  opts: { cacheDir: string; log: Log },
): Promise<BuildTreeLookup> {
  const name = headersPackageName(kernel.release);
  const dest = join(opts.cacheDir, 'headers', `${name}_${kernel.version}`.replace(/[^A-Za-z0-9+._-]/g, '_'));
  const buildDir = join(dest, 'root', 'usr', 'src', name);
  const origin = `${name} ${kernel.version}`;
  if (existsSync(join(dest, 'root'))) return { ok: true, tree: { release: kernel.release, dir: buildDir, origin } };

  const shown = await runApt('apt-cache', ['show', '--no-all-versions', `${name}=${kernel.version}`]);
  if (shown.exitCode !== 0 || !parseAptShow(shown.stdout).Package) {
    return { ok: false, reason: `apt has no ${name}=${kernel.version}, the headers of the kernel under test (run apt-get update, or add the repository that has it)` };
  }
  const packages = headersPackages(name, parseAptDepends(await apt(['apt-cache', 'depends', name], `reading the dependencies of ${name}`)));
  opts.log.info(`fetching the headers of ${kernel.release} (${packages.join(', ')}) to build test modules; cached for later runs`);

  await mkdir(dirname(dest), { recursive: true });
  const tmp = await mkdtemp(join(dirname(dest), '.tmp-'));
  const execa = await lazyExeca();
  try {
    // One source version for all of them: they are built together from linux-<version>.
    const pinned = packages.map((p) => `${p}=${kernel.version}`);
    opts.log.progress(`downloading ${pinned.join(' ')}`);
    await execa('apt-get', ['download', '-q', ...pinned], { cwd: tmp, env: { LC_ALL: 'C' } }).catch((e: { stderr?: string }) => {
      throw infraError(`apt-get download ${pinned.join(' ')} failed`, { detail: e.stderr });
    });
    const root = join(tmp, 'root');
    for (const deb of (await readdir(tmp)).filter((f) => f.endsWith('.deb'))) {
      opts.log.progress(`unpacking ${deb}`);
      await execa('dpkg-deb', ['-x', join(tmp, deb), root]).catch((e: { stderr?: string }) => {
        throw infraError(`dpkg-deb -x ${deb} failed`, { detail: e.stderr });
      });
      await rm(join(tmp, deb));
    }
    await relocateHeaders(root);
    const unpackedDir = join(root, 'usr', 'src', name);
    if (!(await isBuildTree(unpackedDir))) {
      throw infraError(`${name} ${kernel.version} unpacked without usr/src/${name}/Makefile and Module.symvers: not a kernel headers package hilt can build against`);
    }
    await rename(tmp, dest).catch(async (e: NodeJS.ErrnoException) => {
      // Another hilt unpacked the same headers meanwhile: keep theirs.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      await rm(tmp, { recursive: true, force: true });
    });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return { ok: true, tree: { release: kernel.release, dir: buildDir, origin } };
}

/** Names a build tree's kernel by its exported symbols and their CRCs: what a module built against it binds to. */
export async function symversIdentity(buildDir: string): Promise<string> {
  return `symvers:${createHash('sha256').update(await readFile(join(buildDir, 'Module.symvers'))).digest('hex').slice(0, 16)}`;
}

/**
 * Which kernel build a module built for this kernel belongs to, found without
 * fetching anything: a Debian kernel by its package and version (its headers
 * package has the same), any other by its build tree's Module.symvers; null
 * when the kernel has no build tree. Two kernels with one release but
 * different builds (a Debian kernel and a developer's) get different modules.
 */
export async function kernelBuildIdentity(kernel: KernelInfo): Promise<string | null> {
  if (kernel.buildDir) return (await isBuildTree(kernel.buildDir)) ? symversIdentity(kernel.buildDir) : null;
  if (kernel.source.type === 'debian') return `debian:${kernel.source.package}=${kernel.source.version}`;
  if (kernel.modulesDir && (await isBuildTree(join(kernel.modulesDir, 'build')))) return symversIdentity(join(kernel.modulesDir, 'build'));
  return null;
}

/** The build tree of any kernel hilt can boot, or why it has none. */
export async function kernelBuildTree(kernel: KernelInfo, opts: { cacheDir: string; log: Log }): Promise<BuildTreeLookup> {
  if (kernel.buildDir) {
    if (await isBuildTree(kernel.buildDir)) return { ok: true, tree: { release: kernel.release, dir: kernel.buildDir, origin: kernel.buildDir } };
    return { ok: false, reason: `the build tree ${kernel.buildDir} of kernel ${kernel.spec} has no Makefile and Module.symvers` };
  }
  if (kernel.source.type === 'debian') return debianHeaders({ release: kernel.release, version: kernel.source.version }, opts);
  if (kernel.modulesDir && (await isBuildTree(join(kernel.modulesDir, 'build')))) {
    const build = join(kernel.modulesDir, 'build');
    return { ok: true, tree: { release: kernel.release, dir: build, origin: build } };
  }
  // Short: suites quote it in skip reasons, which KTAP keeps to a line.
  const looked = kernel.modulesDir ? `lib/modules/${kernel.release}/build with Module.symvers` : 'not even a modules tree';
  return { ok: false, reason: `${kernel.source.type}: kernel ${kernel.release} has no build tree (${looked}) to build test modules against` };
}
