/**
 * What building a kernel tree takes, decided before anything runs: where in
 * the cache it goes (keyed by the tree's path and every config input), which
 * options were asked for and by whom, and each command as an argv array.
 * Pure: tree.ts runs the commands.
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

export interface TreeBuildPlan {
  key: string;
  /** Everything of this tree and configuration: build/, modules/, the logs, state.json. */
  dir: string;
  buildDir: string;
  /** INSTALL_MOD_PATH: modules land in modules/lib/modules/<release>. */
  stagingDir: string;
  configLog: string;
  buildLog: string;
  /** The fragments as merge_config.sh reads them, written by tree.ts before the config commands run. */
  fragmentFiles: { path: string; text: string }[];
  /** Every option a fragment asked for, with who asked: what must survive Kconfig. */
  requests: Map<string, ConfigRequest>;
  /** Lines of fragments that are not options. */
  fragmentErrors: string[];
  configCommands: Command[];
  image: string;
  config: string;
  /** include/config/kernel.release: `uname -r` of what was built. */
  releaseFile: string;
}

/** Niced: a kernel build must not starve the machine hilt then boots, nor its neighbours. */
const NICE = ['nice', '-n', '10'];

export function treeCacheKey(inputs: Pick<TreeBuildInputs, 'tree' | 'arch' | 'base' | 'fragments'>): string {
  const base = inputs.base.kind === 'defconfig' ? 'defconfig' : `${inputs.base.kind}\n${inputs.base.fragment.text}`;
  return createHash('sha256')
    .update(JSON.stringify({ v: 1, tree: inputs.tree, arch: inputs.arch, base, fragments: inputs.fragments.map((f) => f.text) }))
    .digest('hex')
    .slice(0, 16);
}

function fileName(i: number, source: string): string {
  return `${String(i).padStart(2, '0')}-${basename(source).replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

export function planTreeBuild(inputs: TreeBuildInputs): TreeBuildPlan {
  const key = treeCacheKey(inputs);
  const dir = join(inputs.cacheRoot, `${basename(inputs.tree).replace(/[^A-Za-z0-9._-]/g, '_')}-${key}`);
  const buildDir = join(dir, 'build');
  const fragmentsDir = join(dir, 'fragments');
  const make = (...args: string[]) => ['make', '-C', inputs.tree, `O=${buildDir}`, `ARCH=${inputs.arch}`, ...args];
  // LC_ALL=C: kbuild and the compiler speak the language firstBuildError reads.
  const env = { LC_ALL: 'C' };
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
  const merge = (output: string, files: string[]): Command => ({ argv: ['sh', mergeScript, '-m', ...files], cwd: dir, env: { ...env, KCONFIG_CONFIG: output } });
  const dotConfig = join(buildDir, '.config');
  let configCommands: Command[];
  if (inputs.base.kind === 'fragment') {
    const merged = join(dir, 'merged.config');
    configCommands = [merge(merged, paths), { argv: [...NICE, ...make(`KCONFIG_ALLCONFIG=${merged}`, 'allnoconfig')], cwd: dir, env }];
  } else if (inputs.base.kind === 'defconfig') {
    configCommands = [
      { argv: [...NICE, ...make('defconfig')], cwd: dir, env },
      ...(paths.length ? [merge(dotConfig, [dotConfig, ...paths])] : []),
      { argv: [...NICE, ...make('olddefconfig')], cwd: dir, env },
    ];
  } else {
    configCommands = [merge(dotConfig, paths), { argv: [...NICE, ...make('olddefconfig')], cwd: dir, env }];
  }

  return {
    key,
    dir,
    buildDir,
    stagingDir: join(dir, 'modules'),
    configLog: join(dir, 'config.log'),
    buildLog: join(dir, 'build.log'),
    fragmentFiles,
    requests,
    fragmentErrors: parsed.flatMap((p) => p.errors),
    configCommands,
    image: join(buildDir, 'arch', 'x86', 'boot', 'bzImage'),
    config: dotConfig,
    releaseFile: join(buildDir, 'include', 'config', 'kernel.release'),
  };
}

/** `make bzImage modules`, niced, on every core; without CONFIG_MODULES only the image. */
export function buildCommand(inputs: TreeBuildInputs, plan: TreeBuildPlan, modules: boolean): Command {
  return {
    argv: [...NICE, 'make', '-C', inputs.tree, `O=${plan.buildDir}`, `ARCH=${inputs.arch}`, `-j${inputs.jobs}`, 'bzImage', ...(modules ? ['modules'] : [])],
    cwd: plan.dir,
    env: { LC_ALL: 'C' },
  };
}

/** modules_install into the staging folder; kbuild runs depmod there itself. */
export function installCommand(inputs: TreeBuildInputs, plan: TreeBuildPlan): Command {
  return {
    argv: ['make', '-C', inputs.tree, `O=${plan.buildDir}`, `ARCH=${inputs.arch}`, `INSTALL_MOD_PATH=${plan.stagingDir}`, `DEPMOD=${inputs.depmod}`, 'modules_install'],
    cwd: plan.dir,
    env: { LC_ALL: 'C' },
  };
}
