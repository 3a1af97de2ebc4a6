/**
 * What building a kernel tree takes, decided before anything runs: where in
 * the cache it goes, which options were asked for and by whom, and each
 * command as an argv array. Pure: tree.ts runs the commands.
 *
 * The cache has a folder per tree (by its path); in it, Kconfig runs in
 * kconfig/ (its own O= folder: it only ever holds a .config), and each
 * resulting .config gets its own build folder, named by a hash of the .config.
 * So the build is keyed by the tree's path and the merged configuration
 * itself: two selections of suites whose fragments add nothing to the base
 * share one build, and a bisect's every step builds in the same folder.
 *
 * The configuration is made the way the kernel's own tools make one:
 * scripts/kconfig/merge_config.sh joins the fragments (later ones win, with a
 * warning for each override), then
 *   - hilt's base (a fragment): `make allnoconfig` with the merged file as
 *     KCONFIG_ALLCONFIG, as tinyconfig does, so only what is asked for is built;
 *   - base=defconfig: `make defconfig`, the fragments merged over it, `make olddefconfig`;
 *   - base=FILE: that .config, the fragments merged over it, `make olddefconfig`.
 */
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { type ConfigRequest, type Fragment, mergeRequests, parseFragment } from './kconfig.js';

export type TreeBase = { kind: 'fragment'; fragment: Fragment } | { kind: 'defconfig' } | { kind: 'file'; fragment: Fragment };

export interface TreeBuildInputs {
  /** Absolute path of the source tree. */
  tree: string;
  arch: 'x86_64';
  base: TreeBase;
  /** The suites' fragments, then the person's, in the order they apply. */
  fragments: Fragment[];
  /** <cache>/trees */
  cacheRoot: string;
  jobs: number;
  /** The depmod that modules_install runs. */
  depmod: string;
}

export interface Command {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

/** Making and checking the .config. */
export interface TreeConfigPlan {
  /** Everything of this tree: kconfig/, fragments/, configs.json, one folder per .config. */
  treeDir: string;
  /** Names the config inputs (base and fragments); configs.json maps it to the .config they made. */
  inputsKey: string;
  kconfigDir: string;
  configLog: string;
  /** The fragments as merge_config.sh reads them, written by tree.ts before the config commands run. */
  fragmentFiles: { path: string; text: string }[];
  /** Every option a fragment asked for, with who asked: what must survive Kconfig. */
  requests: Map<string, ConfigRequest>;
  /** Lines of fragments that are not options. */
  fragmentErrors: string[];
  configCommands: Command[];
  /** The .config the commands make (in kconfigDir). */
  config: string;
}

/** Building with one .config. */
export interface TreeBuildDirs {
  dir: string;
  buildDir: string;
  /** INSTALL_MOD_PATH: modules land in modules/lib/modules/<release>. */
  stagingDir: string;
  buildLog: string;
  image: string;
  config: string;
  /** include/config/kernel.release: `uname -r` of what was built. */
  releaseFile: string;
}

/** Niced: a kernel build must not starve the machine hilt then boots, nor its neighbours. */
const NICE = ['nice', '-n', '10'];

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const safe = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_');

/** The folder of a tree in the cache: its name for people, a hash of its path for uniqueness. */
export function treeDirOf(cacheRoot: string, tree: string): string {
  return join(cacheRoot, `${safe(basename(tree))}-${sha(tree).slice(0, 12)}`);
}

export function inputsKeyOf(inputs: Pick<TreeBuildInputs, 'arch' | 'base' | 'fragments'>): string {
  const base = inputs.base.kind === 'defconfig' ? 'defconfig' : `${inputs.base.kind}\n${inputs.base.fragment.text}`;
  return sha(JSON.stringify({ v: 1, arch: inputs.arch, base, fragments: inputs.fragments.map((f) => f.text) })).slice(0, 16);
}

function fileName(i: number, source: string): string {
  return `${String(i).padStart(2, '0')}-${safe(basename(source))}`;
}

const makeArgs = (inputs: TreeBuildInputs, objdir: string, ...args: string[]) => ['make', '-C', inputs.tree, `O=${objdir}`, `ARCH=${inputs.arch}`, ...args];
// The C locale: kbuild and the compiler speak the language firstBuildError reads. LANG too:
// the kernel's Makefile unexports LC_ALL, and gcc would then take UTF-8 quotes from LANG.
const ENV = { LC_ALL: 'C', LANG: 'C' };

export function planTreeConfig(inputs: TreeBuildInputs): TreeConfigPlan {
  const treeDir = treeDirOf(inputs.cacheRoot, inputs.tree);
  const inputsKey = inputsKeyOf(inputs);
  const kconfigDir = join(treeDir, 'kconfig');
  const fragmentsDir = join(treeDir, 'fragments', inputsKey);
  const mergeScript = join(inputs.tree, 'scripts', 'kconfig', 'merge_config.sh');

  const fragmentFiles: { path: string; text: string }[] = [];
  const baseFragment = inputs.base.kind === 'defconfig' ? null : inputs.base.fragment;
  if (baseFragment) fragmentFiles.push({ path: join(fragmentsDir, fileName(0, baseFragment.source)), text: baseFragment.text });
  inputs.fragments.forEach((f, i) => fragmentFiles.push({ path: join(fragmentsDir, fileName(i + 1, f.source)), text: f.text }));

  // A complete .config given as base= is a starting point, not a list of demands.
  const requested = inputs.base.kind === 'fragment' ? [inputs.base.fragment, ...inputs.fragments] : inputs.fragments;
  const parsed = requested.map(parseFragment);
  const requests = mergeRequests(parsed.map((p) => p.requests));

  const paths = fragmentFiles.map((f) => f.path);
  const make = (...args: string[]): Command => ({ argv: [...NICE, ...makeArgs(inputs, kconfigDir, ...args)], cwd: treeDir, env: ENV });
  const merge = (output: string, files: string[]): Command => ({ argv: ['sh', mergeScript, '-m', ...files], cwd: treeDir, env: { ...ENV, KCONFIG_CONFIG: output } });
  const dotConfig = join(kconfigDir, '.config');
  let configCommands: Command[];
  if (inputs.base.kind === 'fragment') {
    const merged = join(fragmentsDir, 'merged.config');
    configCommands = [merge(merged, paths), make(`KCONFIG_ALLCONFIG=${merged}`, 'allnoconfig')];
  } else if (inputs.base.kind === 'defconfig') {
    configCommands = [make('defconfig'), ...(paths.length ? [merge(dotConfig, [dotConfig, ...paths])] : []), make('olddefconfig')];
  } else {
    configCommands = [merge(dotConfig, paths), make('olddefconfig')];
  }
  return {
    treeDir,
    inputsKey,
    kconfigDir,
    configLog: join(treeDir, 'config.log'),
    fragmentFiles,
    requests,
    fragmentErrors: parsed.flatMap((p) => p.errors),
    configCommands,
    config: dotConfig,
  };
}

/** The build folder of one .config. */
export function buildDirsOf(plan: TreeConfigPlan, configText: string): TreeBuildDirs {
  const dir = join(plan.treeDir, `config-${sha(configText).slice(0, 16)}`);
  const buildDir = join(dir, 'build');
  return {
    dir,
    buildDir,
    stagingDir: join(dir, 'modules'),
    buildLog: join(dir, 'build.log'),
    image: join(buildDir, 'arch', 'x86', 'boot', 'bzImage'),
    config: join(buildDir, '.config'),
    releaseFile: join(buildDir, 'include', 'config', 'kernel.release'),
  };
}

/** `make bzImage modules`, niced, on every core; without CONFIG_MODULES only the image. */
export function buildCommand(inputs: TreeBuildInputs, dirs: TreeBuildDirs, modules: boolean): Command {
  return { argv: [...NICE, ...makeArgs(inputs, dirs.buildDir, `-j${inputs.jobs}`, 'bzImage', ...(modules ? ['modules'] : []))], cwd: dirs.dir, env: ENV };
}

/** modules_install into the staging folder; kbuild runs depmod there itself. */
export function installCommand(inputs: TreeBuildInputs, dirs: TreeBuildDirs): Command {
  return { argv: makeArgs(inputs, dirs.buildDir, `INSTALL_MOD_PATH=${dirs.stagingDir}`, `DEPMOD=${inputs.depmod}`, 'modules_install'), cwd: dirs.dir, env: ENV };
}
