/**
 * tree:PATH[,config=FRAGMENT...][,base=FILE|defconfig] — a kernel source tree
 * built out of tree (make O=...) into hilt's cache:
 *
 *   fragments ─> merge_config.sh + allnoconfig/olddefconfig ─> option check ─> make ─> modules_install
 *   (base, suites, person)                                     (refuse before building)
 *
 * Layout in the cache (tree-plan.ts): a folder per tree; Kconfig runs in its
 * kconfig/ folder; a build folder per resulting .config. A fingerprint of the
 * tree (every file's path, size and mtime, as make judges them) is kept with
 * each configuration (configs.json) and each build (state.json): an unchanged
 * tree with unchanged fragments runs neither Kconfig nor make; a changed one
 * is configured again (its Kconfig may have changed) and kbuild rebuilds only
 * what changed.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { HiltError, infraError, usageError } from '../errors.js';
import { ROOT, SUITES_DIR } from '../paths.js';
import type { Log } from '../util/log.js';
import { firstBuildError, kbuildStep, minutesSeconds } from './build-log.js';
import { BUILD_TOOLS_HINT, runLogged } from './build-run.js';
import { explainDropped, formatDropped } from './kconfig-explain.js';
import { parseKconfigTree } from './kconfig-menu.js';
import { type Fragment, droppedOptions, parseConfig } from './kconfig.js';
import type { TreeSpec } from './spec.js';
import { treeFingerprint } from './tree-fingerprint.js';
import {
  type TreeBase,
  type TreeBuildDirs,
  type TreeBuildInputs,
  type TreeConfigPlan,
  buildCommand,
  buildDirsOf,
  installCommand,
  planTreeConfig,
} from './tree-plan.js';
import type { KernelInfo } from './types.js';

/** The base configs and opt-in fragments hilt ships (x86_64-qemu.config, kasan.config). */
export const KERNEL_CONFIGS_DIR = join(ROOT, 'harness', 'src', 'kernel', 'configs');
const ARCH = 'x86_64';

/**
 * The tree itself failed: its configuration dropped a requested option, or it
 * did not build. `hilt bisect` skips such a commit rather than stopping.
 */
export class TreeBuildError extends HiltError {
  readonly stage: 'config' | 'build';
  constructor(stage: 'config' | 'build', kind: 'usage' | 'infrastructure', message: string, opts: { hint?: string; detail?: string }) {
    super(kind, message, opts);
    this.stage = stage;
  }
}

/** configs.json: for each set of config inputs, the tree it was last configured from and the .config it made. */
type Configs = Record<string, { fingerprint: string; build: string }>;

/** state.json of a build folder. */
interface BuildState {
  built?: { fingerprint: string; release: string; seconds: number; targets: number; at: string };
}

export interface TreeOptions {
  cacheDir: string;
  log: Log;
  /** Names of the suites the run selected: each one's suites/<name>/config joins the configuration. */
  suites?: string[];
  suitesDir?: string;
}

function shippedFragments(): string[] {
  return existsSync(KERNEL_CONFIGS_DIR) ? readdirSync(KERNEL_CONFIGS_DIR).filter((f) => f.endsWith('.config')).map((f) => f.replace(/\.config$/, '')) : [];
}

function readFragment(path: string, source: string): Fragment {
  try {
    return { source, text: readFileSync(path, 'utf8') };
  } catch (e) {
    throw usageError(`config fragment ${source}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** config=VALUE: a file, or the name of a fragment hilt ships. */
function userFragment(value: string): Fragment {
  if (existsSync(value)) return readFragment(resolve(value), value);
  const shipped = join(KERNEL_CONFIGS_DIR, `${value}.config`);
  if (!value.includes('/') && existsSync(shipped)) return readFragment(shipped, relative(ROOT, shipped));
  throw usageError(`config=${value}: no such file, and hilt ships no fragment by that name`, `Fragments hilt ships: ${shippedFragments().join(', ')}.`);
}

function baseOf(spec: TreeSpec): TreeBase {
  if (spec.base === 'defconfig') return { kind: 'defconfig' };
  if (spec.base !== null) return { kind: 'file', fragment: readFragment(resolve(spec.base), spec.base) };
  const file = join(KERNEL_CONFIGS_DIR, `${ARCH}-qemu.config`);
  return { kind: 'fragment', fragment: readFragment(file, relative(ROOT, file)) };
}

function sourceTree(path: string): string {
  let tree: string;
  try {
    tree = realpathSync(path);
  } catch {
    throw usageError(`tree:${path}: no such folder`, 'Give the top folder of a kernel source tree (the one with its Makefile and Kconfig).');
  }
  for (const f of ['Makefile', 'Kconfig', join('scripts', 'kconfig', 'merge_config.sh')]) {
    if (!existsSync(join(tree, f))) throw usageError(`tree:${path} is not a kernel source tree: it has no ${f}`, 'Give the top folder of a Linux source tree.');
  }
  return tree;
}

/** What to do about the first error, where hilt knows. */
function hintFor(excerpt: string, tree: string): string {
  if (/is not clean/.test(excerpt)) return `hilt builds out of tree (make O=...), which needs a clean source tree: run \`make -C ${tree} mrproper\` (it deletes the in-tree build).`;
  if (/not found|No such file or directory|openssl|libelf|gelf\.h/.test(excerpt)) return BUILD_TOOLS_HINT;
  return 'Fix the error in the tree and run hilt again; kbuild then rebuilds only what changed.';
}

async function failure(stage: 'config' | 'build', what: string, logPath: string, code: number, tree: string, elapsedMs: number | null): Promise<HiltError> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  const first = firstBuildError(text);
  return new TreeBuildError(stage, 'infrastructure', `${what} failed (make exited ${code}${elapsedMs === null ? '' : ` after ${minutesSeconds(elapsedMs)}`})${first ? `; the first error, at line ${first.line} of ${logPath}:` : `; see ${logPath}`}`, {
    hint: hintFor(first?.excerpt ?? '', tree),
    detail: `${first ? first.excerpt + '\n' : ''}full log: ${logPath}`,
  });
}

/** One build of a cache folder at a time: a second hilt on the same tree and config would corrupt it. */
async function lock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(await readFile(path, 'utf8').catch(() => ''));
      let alive = false;
      try {
        alive = pid > 0 && process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive && pid !== process.pid) {
        throw infraError(`another hilt (pid ${pid}) is building this tree and configuration in ${dir}`, { hint: 'Wait for it to finish, then run again: its build is then reused.' });
      }
      await rm(path, { force: true }); // left by a hilt that died
    }
  }
  throw infraError(`cannot lock ${dir}`);
}

function depmodPath(): string {
  for (const p of ['/usr/sbin/depmod', '/sbin/depmod']) if (existsSync(p)) return p;
  return 'depmod';
}

/**
 * Makes the .config in kconfig/ and refuses, before any build, a
 * configuration that lost an option a fragment asked for, saying which
 * dependency dropped it. Returns the .config's text.
 */
async function configure(inputs: TreeBuildInputs, plan: TreeConfigPlan, log: Log): Promise<string> {
  await mkdir(plan.kconfigDir, { recursive: true });
  for (const f of plan.fragmentFiles) {
    await mkdir(dirname(f.path), { recursive: true });
    await writeFile(f.path, f.text);
  }
  await writeFile(plan.configLog, '');
  log.progress(`configuring ${inputs.tree} (${plan.fragmentFiles.length} fragment${plan.fragmentFiles.length === 1 ? '' : 's'})`);
  for (const cmd of plan.configCommands) {
    const code = await runLogged(cmd, plan.configLog);
    if (code !== 0) throw await failure('config', `configuring ${inputs.tree}`, plan.configLog, code, inputs.tree, null);
  }
  const text = await readFile(plan.config, 'utf8');
  const final = parseConfig(text);
  const dropped = droppedOptions(plan.requests, final);
  if (!dropped.length) return text;
  const kconfig = parseKconfigTree(
    (p) => {
      try {
        return readFileSync(join(inputs.tree, p), 'utf8');
      } catch {
        return null;
      }
    },
    { vars: { SRCARCH: 'x86', ARCH: inputs.arch, HEADER_ARCH: 'x86' } },
  );
  const explained = explainDropped(dropped, kconfig, final);
  throw new TreeBuildError(
    'config',
    'usage',
    `the kernel configuration drops ${dropped.length} requested option${dropped.length === 1 ? '' : 's'}; nothing was built:\n${formatDropped(explained)}`,
    {
      hint: 'Enable what they depend on in a config= fragment, or stop asking for them.',
      detail: `the configuration: ${plan.config}\nKconfig's output: ${plan.configLog}`,
    },
  );
}

/** Puts the .config into its build folder; an identical one is left alone, mtime and all, so kbuild does not even re-sync it. */
async function placeConfig(dirs: TreeBuildDirs, text: string): Promise<void> {
  await mkdir(dirs.buildDir, { recursive: true });
  const current = await readFile(dirs.config, 'utf8').catch(() => null);
  if (current !== text) await writeFile(dirs.config, text);
}

async function build(inputs: TreeBuildInputs, dirs: TreeBuildDirs, modules: boolean, log: Log): Promise<{ seconds: number; targets: number }> {
  const t0 = Date.now();
  let targets = 0;
  let last = '';
  let shown = 0;
  const every = process.stderr.isTTY ? 1000 : 15000;
  await writeFile(dirs.buildLog, '');
  log.info(`building ${inputs.tree} in ${dirs.buildDir} (full log: ${dirs.buildLog})`);
  const code = await runLogged(buildCommand(inputs, dirs, modules), dirs.buildLog, (line) => {
    const step = kbuildStep(line);
    if (!step) return;
    targets++;
    last = `${step.tool} ${step.target}`;
    if (Date.now() - shown >= every) {
      shown = Date.now();
      log.progress(`building ${basename(inputs.tree)}: ${targets} targets done, ${minutesSeconds(Date.now() - t0)} elapsed (${last})`);
    }
  });
  if (code !== 0) throw await failure('build', `building ${inputs.tree}`, dirs.buildLog, code, inputs.tree, Date.now() - t0);
  if (modules) {
    await rm(dirs.stagingDir, { recursive: true, force: true });
    log.progress(`installing the modules into ${dirs.stagingDir}`);
    const installed = await runLogged(installCommand(inputs, dirs), dirs.buildLog);
    if (installed !== 0) throw await failure('build', `make modules_install for ${inputs.tree}`, dirs.buildLog, installed, inputs.tree, null);
  }
  return { seconds: (Date.now() - t0) / 1000, targets };
}

async function readJson<T>(path: string, empty: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return empty;
  }
}

async function gitCommit(tree: string): Promise<string | null> {
  if (!existsSync(join(tree, '.git'))) return null;
  return new Promise((resolvePromise) => {
    const child = spawn('git', ['-C', tree, 'rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', () => resolvePromise(null));
    child.on('close', (code) => resolvePromise(code === 0 ? out.trim() : null));
  });
}

/** Everything up to the plan: the tree checked, every fragment read. */
export function treeInputs(spec: TreeSpec, opts: Pick<TreeOptions, 'cacheDir' | 'suites' | 'suitesDir'>): TreeBuildInputs {
  const tree = sourceTree(spec.path);
  const suitesDir = opts.suitesDir ?? SUITES_DIR;
  const suiteFragments = (opts.suites ?? [])
    .map((name) => join(suitesDir, name, 'config'))
    .filter((path) => existsSync(path))
    .map((path) => readFragment(path, relative(resolve(suitesDir, '..'), path)));
  return {
    tree,
    arch: ARCH,
    base: baseOf(spec),
    fragments: [...suiteFragments, ...spec.configs.map(userFragment)],
    cacheRoot: join(opts.cacheDir, 'trees'),
    jobs: availableParallelism(),
    depmod: depmodPath(),
  };
}

export async function treeKernel(specText: string, spec: TreeSpec, opts: TreeOptions): Promise<KernelInfo> {
  const inputs = treeInputs(spec, opts);
  const plan = planTreeConfig(inputs);
  if (plan.fragmentErrors.length) throw usageError(`config fragments with lines that are not options:\n  ${plan.fragmentErrors.join('\n  ')}`);
  await mkdir(plan.treeDir, { recursive: true });
  const unlock = await lock(plan.treeDir);
  try {
    opts.log.progress(`looking for changes in ${inputs.tree}`);
    const fingerprint = treeFingerprint(inputs.tree);
    const configsFile = join(plan.treeDir, 'configs.json');
    const configs = await readJson<Configs>(configsFile, {});
    const known = configs[plan.inputsKey];
    let dirs: TreeBuildDirs;
    let configText: string;
    if (known?.fingerprint === fingerprint && existsSync(join(plan.treeDir, known.build, 'build', '.config'))) {
      configText = await readFile(join(plan.treeDir, known.build, 'build', '.config'), 'utf8');
      dirs = buildDirsOf(plan, configText);
    } else {
      configText = await configure(inputs, plan, opts.log);
      dirs = buildDirsOf(plan, configText);
      await placeConfig(dirs, configText);
      configs[plan.inputsKey] = { fingerprint, build: basename(dirs.dir) };
      await writeFile(configsFile, JSON.stringify(configs, null, 2));
    }
    const stateFile = join(dirs.dir, 'state.json');
    const state = await readJson<BuildState>(stateFile, {});
    const modules = parseConfig(configText).get('MODULES') === 'y';
    let buildSeconds: number | null = null;
    if (state.built?.fingerprint !== fingerprint || !existsSync(dirs.image)) {
      const { seconds, targets } = await build(inputs, dirs, modules, opts.log);
      const release = (await readFile(dirs.releaseFile, 'utf8')).trim();
      state.built = { fingerprint, release, seconds, targets, at: new Date().toISOString() };
      await writeFile(stateFile, JSON.stringify(state, null, 2));
      opts.log.info(`built ${release} from ${inputs.tree} in ${minutesSeconds(seconds * 1000)} (${targets} targets)`);
      buildSeconds = seconds;
    } else {
      opts.log.info(`${inputs.tree} is unchanged since its build of ${state.built.at}: nothing to build`);
    }
    const release = state.built!.release;
    const modulesDir = join(dirs.stagingDir, 'lib', 'modules', release);
    return {
      spec: specText,
      release,
      image: dirs.image,
      modulesDir: modules && existsSync(join(modulesDir, 'modules.dep')) ? modulesDir : null,
      config: dirs.config,
      // Out-of-tree modules (vaccel) build against the O= folder: it has the Makefile and Module.symvers.
      buildDir: dirs.buildDir,
      configSha256: createHash('sha256').update(configText).digest('hex'),
      source: { type: 'tree', path: inputs.tree, commit: await gitCommit(inputs.tree), buildDir: dirs.buildDir, buildLog: dirs.buildLog, buildSeconds },
    };
  } finally {
    await unlock();
  }
}
