/**
 * Out-of-tree test modules (suites/vaccel): built with the kernel's own
 * Kbuild (`make -C BUILD_TREE M=DIR modules`) for the kernel under test, once
 * per kernel release and source, and cached:
 *
 *   <cache>/extmod/<release>/<name>-<build key>/<name>.ko   the module, debug info stripped
 *                                                 /modinfo.json what it says about itself
 *   <cache>/extmod/<release>/<name>-<build key>.log          the last build's output
 *
 * The build key names the sources (the files Kbuild reads: *.c, *.h, Kbuild,
 * Makefile; build outputs lying in the folder are not sources) and the
 * kernel build they were built against (kernel/headers.ts
 * kernelBuildIdentity(): a Debian package version, or a Module.symvers), so
 * a developer's kernel that shares a release with Debian's gets its own.
 * The cache is looked up first: a run whose module is built reads a handful
 * of small source files and nothing of the kernel's headers.
 *
 * buildExternalModule takes a build tree directly (for the tree: provider);
 * externalModulesFor finds one for any kernel (kernel/headers.ts) and turns a
 * kernel without one into a reason the suites can skip with.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { infraError } from '../errors.js';
import { kernelBuildIdentity, kernelBuildTree, symversIdentity } from '../kernel/headers.js';
import type { KernelInfo } from '../kernel/types.js';
import { SUITES_DIR } from '../paths.js';
import { lazyExeca } from '../util/exec.js';
import type { Log } from '../util/log.js';
import { modinfoDepends, modinfoRelease, parseModinfo } from './modinfo.js';

/** Bump when the way modules are built changes, so older builds are not reused. */
const RECIPE = 'hilt-extmod-v1 CONFIG_DEBUG_INFO_BTF_MODULES= strip-debug';

export interface ExternalModule {
  name: string;
  release: string;
  /** Host path of the built .ko. */
  path: string;
  sourceHash: string;
  /** The kernel build it was built against (kernelBuildIdentity()). */
  kernelId: string;
  /** MODULE_VERSION and srcversion, from its .modinfo. */
  version: string | null;
  srcversion: string | null;
  /** Modules it needs loaded first (its .modinfo depends=). */
  depends: string[];
  /** Whether this call found it built. */
  cached: boolean;
  /** How long building it took, when this call built it. */
  buildMs: number | null;
}

/** A module the suites asked for, or why the kernel under test cannot have it. */
export type ExternalModulePlan = { name: string; module: ExternalModule; unavailable: null } | { name: string; module: null; unavailable: string };

// ---- pure parts ----

const SOURCE_FILE = /^(Kbuild|Makefile|.*\.[ch])$/;

/** What Kbuild reads: *.c, *.h, Kbuild, Makefile; not the *.mod.c modpost writes beside them. */
export const isModuleSource = (file: string) => SOURCE_FILE.test(file) && !file.endsWith('.mod.c');

/** A name for a module's sources: their names and bytes, in name order, and the recipe. */
export function sourceHash(files: { name: string; data: Buffer }[]): string {
  const h = createHash('sha256').update(`${RECIPE}\n`);
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    h.update(`${f.name}\0${f.data.length}\0`).update(f.data);
  }
  return h.digest('hex').slice(0, 16);
}

/** The cache's name for one module's sources built against one kernel build. */
export function buildKey(sourceHashHex: string, kernelId: string): string {
  return createHash('sha256').update(`${sourceHashHex}\n${kernelId}\n`).digest('hex').slice(0, 16);
}

/** The first line of a Kbuild log a person needs: a compiler or linker error, or make's own. */
export function firstBuildError(log: string): string | null {
  const lines = log.split('\n');
  return lines.find((l) => /\berror\b|ERROR:|undefined!/.test(l) && !/^make(\[\d+\])?: \*\*\*/.test(l)) ?? lines.find((l) => /^make(\[\d+\])?: \*\*\*/.test(l)) ?? null;
}

// ---- the edges ----

async function readSources(dir: string): Promise<{ name: string; data: Buffer }[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && isModuleSource(e.name)).map((e) => e.name);
  } catch {
    names = [];
  }
  if (!names.includes('Kbuild') && !names.includes('Makefile')) {
    throw infraError(`${dir} holds no Kbuild or Makefile: not an out-of-tree module source folder`);
  }
  return Promise.all(names.map(async (name) => ({ name, data: await readFile(join(dir, name)) })));
}

function cachePaths(cacheDir: string, name: string, release: string, key: string) {
  const base = join(cacheDir, 'extmod', release.replace(/[^A-Za-z0-9+._-]/g, '_'));
  const dir = join(base, `${name}-${key}`);
  return { base, dir, ko: join(dir, `${name}.ko`), meta: join(dir, 'modinfo.json'), log: join(base, `${name}-${key}.log`) };
}

async function readCached(paths: ReturnType<typeof cachePaths>): Promise<ExternalModule | null> {
  if (!existsSync(paths.ko) || !existsSync(paths.meta)) return null;
  try {
    return { ...(JSON.parse(await readFile(paths.meta, 'utf8')) as ExternalModule), path: paths.ko, cached: true, buildMs: null };
  } catch {
    return null; // damaged: build again
  }
}

/** The module's cached build for this kernel build, if its sources have not changed since. */
export async function cachedExternalModule(o: { name: string; sourceDir: string; release: string; kernelId: string; cacheDir: string }): Promise<ExternalModule | null> {
  const hash = sourceHash(await readSources(o.sourceDir));
  return readCached(cachePaths(o.cacheDir, o.name, o.release, buildKey(hash, o.kernelId)));
}

/**
 * Builds (or finds built) the module in sourceDir for the kernel whose build
 * tree is buildTree; kernelId names that kernel build (default: its
 * Module.symvers), so another build of the same release gets its own module.
 */
export async function buildExternalModule(o: {
  name: string;
  sourceDir: string;
  release: string;
  buildTree: string;
  kernelId?: string;
  cacheDir: string;
  log: Log;
}): Promise<ExternalModule> {
  const sources = await readSources(o.sourceDir);
  const hash = sourceHash(sources);
  const kernelId = o.kernelId ?? (await symversIdentity(o.buildTree));
  const paths = cachePaths(o.cacheDir, o.name, o.release, buildKey(hash, kernelId));
  const cached = await readCached(paths);
  if (cached) return cached;

  await mkdir(paths.base, { recursive: true });
  const work = await mkdtemp(join(paths.base, `.build-${o.name}-`));
  const execa = await lazyExeca();
  const started = Date.now();
  try {
    for (const f of sources) await writeFile(join(work, f.name), f.data);
    o.log.progress(`building test module ${o.name} for ${o.release} against ${o.buildTree}`);
    // BTF for a test module needs pahole and buys nothing: Kbuild is told the kernel has none.
    const args = ['-C', o.buildTree, `M=${work}`, 'CONFIG_DEBUG_INFO_BTF_MODULES=', `-j${Math.max(1, availableParallelism())}`, 'modules'];
    const r = await execa('make', args, { reject: false, all: true, env: { LC_ALL: 'C' } });
    // The build ran in a copy that is gone afterwards: the log names the sources a person can open.
    const output = (r.all ?? '').split(`${work}/`).join(`${o.sourceDir}/`);
    await writeFile(paths.log, `make ${args.join(' ')}\n${output}`);
    if ((r as { code?: string }).code === 'ENOENT') throw infraError('make is not installed; it builds the test module ' + o.name, { hint: 'apt-get install make gcc' });
    const built = join(work, `${o.name}.ko`);
    if (r.exitCode !== 0 || !existsSync(built)) {
      const first = firstBuildError(output);
      throw infraError(`building test module ${o.name} for ${o.release} failed${first ? `: ${first.trim()}` : ''}`, {
        hint: `The whole build log is in ${paths.log}. Debian's headers name their compiler (gcc-12 for 6.12): apt-get install it if it is missing.`,
      });
    }
    // What modules_install INSTALL_MOD_STRIP=1 does; a module without strip(1) is only bigger.
    await execa('strip', ['--strip-debug', built], { reject: false });
    const data = await readFile(built);
    const info = parseModinfo(data);
    const builtFor = modinfoRelease(info);
    if (builtFor !== o.release) {
      throw infraError(`test module ${o.name} came out built for ${builtFor ?? 'no release (no vermagic)'}, not ${o.release}: ${o.buildTree} is another kernel's build tree`);
    }
    const module: ExternalModule = {
      name: o.name,
      release: o.release,
      path: paths.ko,
      sourceHash: hash,
      kernelId,
      version: info.get('version')?.[0] ?? null,
      srcversion: info.get('srcversion')?.[0] ?? null,
      depends: modinfoDepends(info),
      cached: false,
      buildMs: Date.now() - started,
    };
    const done = join(work, 'done');
    await mkdir(done);
    await writeFile(join(done, `${o.name}.ko`), data);
    await writeFile(join(done, 'modinfo.json'), JSON.stringify({ ...module, path: undefined, cached: undefined, buildMs: undefined }, null, 2));
    await rename(done, paths.dir).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e; // another hilt built it meanwhile: same sources, same module
    });
    o.log.info(`built test module ${o.name} ${module.version ?? ''} for ${o.release} in ${(module.buildMs! / 1000).toFixed(1)} s (cached for later runs)`);
    return module;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The out-of-tree modules the suites name, for this kernel: from the cache,
 * built against the kernel's build tree, or unavailable with the reason.
 */
export async function externalModulesFor(
  kernel: KernelInfo,
  names: string[],
  opts: { cacheDir: string; log: Log; suitesDir?: string },
): Promise<ExternalModulePlan[]> {
  const plans: ExternalModulePlan[] = [];
  const kernelId = await kernelBuildIdentity(kernel);
  let tree: Awaited<ReturnType<typeof kernelBuildTree>> | null = null;
  for (const name of [...new Set(names)]) {
    const sourceDir = join(opts.suitesDir ?? SUITES_DIR, name);
    const cached = kernelId ? await cachedExternalModule({ name, sourceDir, release: kernel.release, kernelId, cacheDir: opts.cacheDir }) : null;
    if (cached) {
      plans.push({ name, module: cached, unavailable: null });
      continue;
    }
    tree ??= await kernelBuildTree(kernel, opts);
    if (!tree.ok) {
      opts.log.warn(`${name} cannot be built: ${tree.reason}; the cases that need it will skip`);
      plans.push({ name, module: null, unavailable: tree.reason });
      continue;
    }
    const module = await buildExternalModule({ name, sourceDir, release: kernel.release, buildTree: tree.tree.dir, ...(kernelId ? { kernelId } : {}), cacheDir: opts.cacheDir, log: opts.log });
    plans.push({ name, module, unavailable: null });
  }
  return plans;
}
