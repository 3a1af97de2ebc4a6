/**
 * Builds the test initramfs: busybox, the agent as /init, the suite programs
 * (and the shared libraries of dynamic ones, see libraries.ts),
 * the kernel modules the suites need (modules.dep closure, decompressed, in
 * load order), the out-of-tree test modules they need (built for the kernel:
 * extmod.ts) after them, and the agent's plan. Content-addressed: the archive
 * is named by a hash over every input, so unchanged inputs cost no rebuild.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { infraError } from '../errors.js';
import type { KernelInfo } from '../kernel/types.js';
import { LibraryResolver } from '../elf/resolve.js';
import { inspectProgram } from '../suites/elf.js';
import type { SuiteInfo } from '../suites/catalog.js';
import { lazyExeca } from '../util/exec.js';
import type { Log } from '../util/log.js';
import { readHead } from '../util/read-head.js';
import { type AgentPlan, renderAgentPlan } from './agent-plan.js';
import { type CpioEntry, cpioArchive } from './cpio.js';
import { type ExternalModulePlan, externalModulesFor } from './extmod.js';
import { type LibraryPlacement, closuresOf, libraryEntries, placeLibraries } from './libraries.js';
import { type TreeModule, moduleTreeEntries } from './module-tree.js';
import { moduleName, parseModulesDep, resolveModules } from './modules.js';

export const DEFAULT_BUSYBOX = '/bin/busybox';
const KEEP_IMAGES = 16;
/** An image used this recently is never pruned, however many are newer: a run elsewhere may boot it again. */
export const IMAGE_IN_USE_MS = 6 * 3600_000;

export interface ImageInputs {
  kernel: KernelInfo;
  suites: SuiteInfo[];
  agentBinary: string;
  busybox: string;
  /** Everything of the agent plan but the modules and suites, which the builder fills in. */
  agent: Omit<AgentPlan, 'modules' | 'suites'>;
  cacheDir: string;
  log: Log;
  /** The suites' out-of-tree modules, when the caller has them already; found (or built) otherwise. */
  external?: ExternalModulePlan[];
}

export interface BuiltImage {
  path: string;
  sha256: string;
  cached: boolean;
  bytes: number;
  /** Module names in load order. */
  modules: string[];
  /** Requested modules that are built into the kernel. */
  builtin: string[];
  /** Requested modules the kernel lacks entirely. */
  missing: string[];
  /** Out-of-tree test modules: loaded last, or unavailable with the reason (the guest finds it in /hilt/unavailable/<name>). */
  external: { name: string; version: string | null; srcversion: string | null; sourceHash: string | null; built: boolean; unavailable: string | null }[];
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

async function readInput(path: string, what: string, hint?: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw infraError(`${what} ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { hint });
  }
}

async function decompressModule(src: string, cacheDir: string): Promise<Buffer> {
  const raw = await readInput(src, 'kernel module');
  if (src.endsWith('.ko')) return raw;
  const cached = join(cacheDir, 'modules', `${sha256(raw)}.ko`);
  if (existsSync(cached)) return readFile(cached);
  let data: Buffer;
  if (src.endsWith('.gz')) {
    data = gunzipSync(raw);
  } else {
    const tool = src.endsWith('.xz') ? ['xz', '-dc'] : src.endsWith('.zst') ? ['zstd', '-dcq'] : null;
    if (!tool) throw infraError(`kernel module ${src} has a compression hilt does not know`);
    const execa = await lazyExeca();
    const r = await execa(tool[0]!, tool.slice(1), { input: raw, encoding: 'buffer', reject: false });
    if ((r as { code?: string }).code === 'ENOENT') {
      throw infraError(`${tool[0]} is needed to decompress ${src} but is not installed`, { hint: `apt-get install ${tool[0] === 'xz' ? 'xz-utils' : 'zstd'}` });
    }
    if (r.exitCode !== 0) throw infraError(`${tool.join(' ')} failed on ${src}`, { detail: Buffer.from(r.stderr).toString() });
    data = Buffer.from(r.stdout);
  }
  await mkdir(join(cacheDir, 'modules'), { recursive: true });
  await writeFile(cached + '.tmp', data);
  await rename(cached + '.tmp', cached);
  return data;
}

async function busyboxEntries(path: string): Promise<CpioEntry[]> {
  const data = await readInput(path, 'busybox', 'apt-get install busybox-static');
  const kind = inspectProgram(data.subarray(0, 64 * 1024));
  if (kind.kind !== 'elf-static') {
    throw infraError(`${path} is not a statically linked busybox (${kind.kind}); the initramfs has no shared libraries`, {
      hint: 'apt-get install busybox-static, or point HILT_BUSYBOX at a static busybox.',
    });
  }
  const execa = await lazyExeca();
  const r = await execa(path, ['--list-full'], { reject: false });
  const applets = r.exitCode === 0 ? r.stdout.split('\n').filter(Boolean) : ['bin/sh'];
  const entries: CpioEntry[] = [{ type: 'file', path: 'bin/busybox', mode: 0o755, data }];
  for (const applet of applets) {
    if (applet !== 'bin/busybox' && !applet.startsWith('linuxrc')) entries.push({ type: 'symlink', path: applet, target: '/bin/busybox' });
  }
  return entries;
}

/** The suites' out-of-tree modules for the image's kernel: cached, built now, or unavailable. */
export async function externalModules(inputs: ImageInputs): Promise<ExternalModulePlan[]> {
  if (inputs.external) return inputs.external;
  const names = [...new Set(inputs.suites.flatMap((s) => s.outOfTreeModules ?? []))];
  return names.length ? externalModulesFor(inputs.kernel, names, { cacheDir: inputs.cacheDir, log: inputs.log }) : [];
}

export async function moduleEntries(
  inputs: ImageInputs,
  external?: ExternalModulePlan[],
): Promise<{ entries: CpioEntry[]; guestPaths: string[]; names: string[]; builtin: string[]; missing: string[]; tree: TreeModule[] }> {
  external ??= await externalModules(inputs);
  const available = external.flatMap((p) => (p.module ? [p.module] : []));
  // An out-of-tree module's own dependencies (drm, drm_shmem_helper...) come from the kernel, like any other.
  const requested = [...new Set([...inputs.suites.flatMap((s) => s.modules), ...available.flatMap((m) => m.depends)])];
  const outOfTree = async () => {
    const entries: CpioEntry[] = [];
    const guestPaths: string[] = [];
    for (const p of external) {
      if (p.module) {
        const guest = `hilt/modules/${p.name}.ko`;
        entries.push({ type: 'file', path: guest, mode: 0o644, data: await readInput(p.module.path, 'test module') });
        guestPaths.push('/' + guest);
      } else {
        entries.push({ type: 'file', path: `hilt/unavailable/${p.name}`, mode: 0o644, data: Buffer.from(`${p.unavailable}\n`) });
      }
    }
    return { entries, guestPaths, names: available.map((m) => m.name) };
  };
  const none = { entries: [], guestPaths: [], names: [], builtin: [], missing: [], tree: [] };
  if (!requested.length) {
    const ext = await outOfTree();
    return { ...none, ...ext };
  }
  const dir = inputs.kernel.modulesDir;
  if (!dir) {
    inputs.log.warn(`kernel ${inputs.kernel.release} comes without a modules tree; assuming ${requested.join(', ')} are built in`);
    const ext = await outOfTree();
    return { ...none, ...ext, builtin: requested };
  }
  const depText = await readInput(join(dir, 'modules.dep'), 'modules.dep');
  const builtinText = existsSync(join(dir, 'modules.builtin')) ? await readFile(join(dir, 'modules.builtin'), 'utf8') : '';
  const closure = resolveModules(requested, parseModulesDep(depText.toString('utf8'), builtinText));
  const entries: CpioEntry[] = [];
  const guestPaths: string[] = [];
  const names: string[] = [];
  const tree: TreeModule[] = [];
  for (const rel of closure.load) {
    const name = moduleName(rel);
    const guest = `hilt/modules/${name}.ko`;
    const data = await decompressModule(join(dir, rel), inputs.cacheDir);
    entries.push({ type: 'file', path: guest, mode: 0o644, data });
    guestPaths.push('/' + guest);
    names.push(name);
    tree.push({ rel, guest: '/' + guest, data });
  }
  // Modules a case loads itself (a self-test that would run for minutes at boot): in the image, not in the load list.
  const onDemand = [...new Set(inputs.suites.flatMap((s) => s.modulesOnDemand ?? []))];
  if (onDemand.length) {
    const extra = resolveModules(onDemand, parseModulesDep(depText.toString('utf8'), builtinText));
    for (const rel of extra.load) {
      const name = moduleName(rel);
      if (names.includes(name)) continue;
      entries.push({ type: 'file', path: `hilt/modules/${name}.ko`, mode: 0o644, data: await decompressModule(join(dir, rel), inputs.cacheDir) });
    }
  }
  const ext = await outOfTree();
  return { entries: [...entries, ...ext.entries], guestPaths: [...guestPaths, ...ext.guestPaths], names: [...names, ...ext.names], builtin: closure.builtin, missing: closure.missing, tree };
}

/**
 * Keeps the KEEP_IMAGES most recently used images and any used in the last
 * IMAGE_IN_USE_MS (a use touches the file: a cache hit, each QEMU boot), so
 * that a run building new images never deletes one another run still boots.
 */
export async function pruneImages(dir: string, keep: string): Promise<void> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpio'));
  if (files.length <= KEEP_IMAGES) return;
  const aged = (await Promise.all(files.map(async (f) => ({ f, t: await stat(join(dir, f)).then((s) => s.mtimeMs, () => null) })))).filter(
    (a): a is { f: string; t: number } => a.t !== null,
  );
  aged.sort((a, b) => b.t - a.t);
  const now = Date.now();
  for (const { f, t } of aged.slice(KEEP_IMAGES)) {
    if (join(dir, f) !== keep && now - t > IMAGE_IN_USE_MS) await unlink(join(dir, f)).catch(() => {});
  }
}

/** Marks a cached file as used now (best effort: a read-only cache still works). */
export async function touchUsed(path: string): Promise<void> {
  const now = new Date();
  await utimes(path, now, now).catch(() => {});
}

/**
 * A cheap name for the inputs, from what make(1) would look at: every input
 * file's path, size and mtime, and the plan. It finds the image of an
 * unchanged run without reading, hashing or decompressing anything.
 */
async function inputsFingerprint(inputs: ImageInputs, libraries: LibraryPlacement, external: ExternalModulePlan[]): Promise<string | null> {
  const files = [
    inputs.agentBinary,
    inputs.busybox,
    ...inputs.suites.map((s) => s.binary),
    ...libraries.files.map((f) => f.file),
    ...external.flatMap((p) => (p.module ? [p.module.path] : [])),
  ];
  if (inputs.kernel.modulesDir) files.push(join(inputs.kernel.modulesDir, 'modules.dep'));
  const h = createHash('sha256').update('hilt-initramfs-inputs-v1\n');
  try {
    for (const f of files) {
      const st = await stat(f);
      h.update(`${f} ${st.size} ${st.mtimeMs} ${st.ino}\n`);
    }
  } catch {
    return null; // a missing input: the full build says which, and how to fix it
  }
  h.update(JSON.stringify({ agent: inputs.agent, suites: inputs.suites.map((s) => [s.name, s.mode, s.modules, s.modulesOnDemand ?? [], s.env ?? []]), kernel: inputs.kernel.modulesDir, external: external.map((p) => [p.name, p.unavailable]) }));
  return h.digest('hex');
}

type ImageRecord = Omit<BuiltImage, 'cached' | 'bytes' | 'external'>;

function externalSummary(external: ExternalModulePlan[]): BuiltImage['external'] {
  return external.map((p) => ({
    name: p.name,
    version: p.module?.version ?? null,
    srcversion: p.module?.srcversion ?? null,
    sourceHash: p.module?.sourceHash ?? null,
    built: Boolean(p.module && !p.module.cached),
    unavailable: p.unavailable,
  }));
}

/**
 * Where a suite's program lives in the guest. An IGT program keeps its file
 * name: IGT names itself, its kernel-log markers and its results after it.
 */
export const suiteGuestPath = (suite: SuiteInfo) =>
  suite.mode === 'cases' ? `/hilt/suites/${suite.name}` : suite.mode === 'igt' ? `/hilt/igt/${basename(suite.binary)}` : `/hilt/bin/${suite.name}`;

/** The shared libraries of the dynamically linked suite programs, placed for the guest's loader. */
export async function suiteLibraries(suites: SuiteInfo[]): Promise<LibraryPlacement> {
  const resolver = new LibraryResolver();
  const dynamic: { host: string; guest: string }[] = [];
  for (const s of suites) {
    if (!existsSync(s.binary)) continue; // reported, with its hint, when the image reads it
    if (inspectProgram(await readHead(s.binary, 64 * 1024)).kind === 'elf-dynamic') dynamic.push({ host: s.binary, guest: suiteGuestPath(s) });
  }
  return placeLibraries(await closuresOf(dynamic, resolver));
}

export async function buildInitramfs(inputs: ImageInputs): Promise<BuiltImage> {
  const libraries = await suiteLibraries(inputs.suites);
  const external = await externalModules(inputs);
  const fingerprint = await inputsFingerprint(inputs, libraries, external);
  const index = fingerprint ? join(inputs.cacheDir, 'images', 'by-inputs', `${fingerprint}.json`) : null;
  if (index && existsSync(index)) {
    try {
      const known = JSON.parse(await readFile(index, 'utf8')) as ImageRecord;
      if (existsSync(known.path)) return { ...known, cached: true, bytes: (await stat(known.path)).size, external: externalSummary(external) };
    } catch {
      // a damaged index entry: build (or find) the image the slow way
    }
  }
  const built = { ...(await buildFromContents(inputs, libraries, external)), external: externalSummary(external) };
  if (index) {
    const { cached: _c, bytes: _b, external: _e, ...record } = built;
    await mkdir(dirname(index), { recursive: true });
    await writeFile(`${index}.${process.pid}.tmp`, JSON.stringify(record));
    await rename(`${index}.${process.pid}.tmp`, index);
  }
  return built;
}

/** The skeleton of a test initramfs: the console node, the mount points, /init and busybox. */
export async function baseEntries(init: Buffer, busybox: string): Promise<CpioEntry[]> {
  return [
    { type: 'dir', path: 'dev' },
    { type: 'char', path: 'dev/console', mode: 0o600, major: 5, minor: 1 },
    { type: 'dir', path: 'proc' },
    { type: 'dir', path: 'sys' },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'file', path: 'init', mode: 0o755, data: init },
    ...(await busyboxEntries(busybox)),
  ];
}

/** Reads every input, names the archive by a hash of its contents, writes it unless it exists. */
async function buildFromContents(inputs: ImageInputs, libraries: LibraryPlacement, external: ExternalModulePlan[]): Promise<Omit<BuiltImage, 'external'>> {
  const mods = await moduleEntries(inputs, external);
  const agent = await readInput(inputs.agentBinary, 'agent', 'Build it: make -C suites');
  const entries: CpioEntry[] = [...(await baseEntries(agent, inputs.busybox)), ...mods.entries];
  const suites: AgentPlan['suites'] = [];
  for (const suite of inputs.suites) {
    const guest = suiteGuestPath(suite);
    entries.push({ type: 'file', path: guest.slice(1), mode: 0o755, data: await readInput(suite.binary, `suite ${suite.name}`, 'Build it: make -C suites') });
    suites.push({ name: suite.name, path: guest, mode: suite.mode, ...(suite.env?.length ? { env: suite.env } : {}) });
  }
  entries.push(...(await libraryEntries(libraries)));
  // IGT loads and unloads modules itself (libkmod): it needs /lib/modules/<release> with its indexes.
  if (inputs.suites.some((s) => s.mode === 'igt') && inputs.kernel.modulesDir && mods.tree.length) {
    entries.push(...(await moduleTreeEntries(inputs.kernel.release, inputs.kernel.modulesDir, mods.tree)));
  }
  const plan = renderAgentPlan({ ...inputs.agent, modules: mods.guestPaths, suites });
  entries.push({ type: 'file', path: 'hilt/plan', mode: 0o644, data: Buffer.from(plan) });

  // The key covers every byte and mode that goes into the archive, and the writer's version.
  const key = createHash('sha256').update('hilt-initramfs-v1\n');
  for (const e of entries) {
    key.update(`${e.type} ${e.path} ${'mode' in e ? e.mode : ''} `);
    if (e.type === 'file') key.update(sha256(e.data));
    if (e.type === 'symlink') key.update(e.target);
    if (e.type === 'char') key.update(`${e.major}:${e.minor}`);
    key.update('\n');
  }
  const hash = key.digest('hex');
  const dir = join(inputs.cacheDir, 'images');
  const path = join(dir, `${hash}.cpio`);
  const result = { path, sha256: hash, modules: mods.names, builtin: mods.builtin, missing: mods.missing };
  if (existsSync(path)) {
    await touchUsed(path);
    return { ...result, cached: true, bytes: (await stat(path)).size };
  }

  await mkdir(dir, { recursive: true });
  const chunks = cpioArchive(entries);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, chunks);
  await rename(tmp, path);
  await pruneImages(dir, path);
  return { ...result, cached: false, bytes: chunks.reduce((n, c) => n + c.length, 0) };
}
