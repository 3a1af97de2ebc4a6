/**
 * The suites hilt knows: every suites/<name>/suite.json (checked against
 * schemas/suite.schema.json) with its built binary and case list, plus any
 * KTAP program a person names with --suite-bin (static, or dynamic with its
 * shared libraries found on this host).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { LibraryResolver } from '../elf/resolve.js';
import { infraError, usageError } from '../errors.js';
import { SUITES_BUILD_DIR, SUITES_DIR } from '../paths.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { readInputBytes } from '../util/input-file.js';
import { EM_X86_64, inspectProgram } from './elf.js';

export interface SuiteInfo {
  name: string;
  description: string;
  /** Kernel modules the suite needs loaded. */
  modules: string[];
  /** Test drivers under suites/ (a folder with a Kbuild) built for the kernel under test and loaded after `modules`. */
  outOfTreeModules?: string[];
  timeoutMs: number;
  /** Whether `hilt run` runs it when no suite is named. */
  default: boolean;
  /** Host path of the program. */
  binary: string;
  /**
   * hilt suites run case by case (the agent knows each case before it starts);
   * any other KTAP program runs whole, as one test; an IGT program runs once
   * per planned subtest (`--run-subtest CASE`, see plan/igt.ts).
   */
  mode: 'cases' | 'whole' | 'igt';
  /** Case names in order: a hilt suite's cases; an IGT program's subtests, as it listed them. */
  cases: string[];
  /** KEY=VALUE settings for the suite's processes (IGT_FORCE_DRIVER...). */
  env?: string[];
  /** Kernel modules put into the image but not loaded at boot: a case loads them when it needs them. */
  modulesOnDemand?: string[];
  /** What a case's own table says of it (build/<suite>.describe), for those that say more than their name. */
  caseInfo?: Record<string, CaseInfo>;
  /** Kernel options every case needs (suite.json kernelConfig; see kernel/config-needs.ts); required unless the plan marks one optional. */
  kernelConfig?: string[];
  /** What else the suite cannot run without (plan/requirements.ts): nodes that must exist, DRM devices it must see. */
  requires?: SuiteRequires;
}

/** suite.json `requires`: files that must exist once the modules are loaded, and how many DRM devices the machine must show. */
export interface SuiteRequires {
  nodes?: string[];
  drmDevices?: number;
}

/** From the suite's --describe: a case's own timeout, whether it may leave the machine unusable, the options it needs. */
export interface CaseInfo {
  timeoutMs?: number;
  /** Runs after every other test, alone in a freshly booted machine. */
  last?: boolean;
  config?: string[];
}

interface Manifest {
  name: string;
  description: string;
  modules: string[];
  modulesOnDemand?: string[];
  outOfTreeModules?: string[];
  kernelConfig?: string[];
  requires?: SuiteRequires;
  timeoutSeconds: number;
  default?: boolean;
}

/** Per-case facts from a built suite's --describe output (one JSON object per line); nothing when it is absent. */
function caseInfoOf(path: string): { caseInfo?: Record<string, CaseInfo> } {
  if (!existsSync(path)) return {};
  const info: Record<string, CaseInfo> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let d: { name?: unknown; timeoutSeconds?: unknown; last?: unknown; config?: unknown };
    try {
      d = JSON.parse(line);
    } catch {
      throw infraError(`${path}: not one JSON object per line`, { hint: BUILD_HINT });
    }
    if (typeof d.name !== 'string') continue;
    const c: CaseInfo = {};
    if (typeof d.timeoutSeconds === 'number' && d.timeoutSeconds > 0) c.timeoutMs = d.timeoutSeconds * 1000;
    if (d.last === true) c.last = true;
    if (Array.isArray(d.config) && d.config.length) c.config = d.config.filter((x): x is string => typeof x === 'string');
    if (Object.keys(c).length) info[d.name] = c;
  }
  return Object.keys(info).length ? { caseInfo: info } : {};
}

export const BUILD_HINT = 'Build the suites first: make -C suites (./quickstart.sh does it for you).';

export function loadCatalog(registry: SchemaRegistry, suitesDir = SUITES_DIR, buildDir = SUITES_BUILD_DIR): SuiteInfo[] {
  const suites: SuiteInfo[] = [];
  for (const entry of readdirSync(suitesDir, { withFileTypes: true })) {
    const manifestPath = join(suitesDir, entry.name, 'suite.json');
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    } catch (e) {
      throw usageError(`${manifestPath} is not valid JSON: ${(e as Error).message}`);
    }
    registry.check('suite.schema.json', manifest, manifestPath);
    if (manifest.name !== entry.name) throw usageError(`${manifestPath}: name '${manifest.name}' differs from its folder '${entry.name}'`);
    const binary = join(buildDir, manifest.name);
    const casesFile = join(buildDir, `${manifest.name}.cases`);
    const cases = existsSync(casesFile) ? readFileSync(casesFile, 'utf8').split('\n').filter(Boolean) : [];
    suites.push({
      name: manifest.name,
      description: manifest.description,
      modules: manifest.modules,
      ...(manifest.outOfTreeModules?.length ? { outOfTreeModules: manifest.outOfTreeModules } : {}),
      ...(manifest.modulesOnDemand?.length ? { modulesOnDemand: manifest.modulesOnDemand } : {}),
      ...caseInfoOf(join(buildDir, `${manifest.name}.describe`)),
      ...(manifest.kernelConfig?.length ? { kernelConfig: manifest.kernelConfig } : {}),
      ...(manifest.requires && Object.keys(manifest.requires).length ? { requires: manifest.requires } : {}),
      timeoutMs: manifest.timeoutSeconds * 1000,
      default: manifest.default ?? true,
      binary,
      mode: 'cases',
      cases,
    });
  }
  return suites.sort((a, b) => a.name.localeCompare(b.name));
}

/** Fails with the build hint when a suite's binary or case list is missing. */
export function requireBuilt(suite: SuiteInfo): void {
  if (suite.mode === 'cases' && (!existsSync(suite.binary) || suite.cases.length === 0)) {
    throw infraError(`suite ${suite.name} is not built (${suite.binary} or its .cases file is missing)`, { hint: BUILD_HINT });
  }
}

export const SUITE_BIN_TIMEOUT_MS = 300_000;

/** A KTAP program given with --suite-bin: named after its file, run whole. */
export async function suiteFromBinary(path: string, timeoutMs = SUITE_BIN_TIMEOUT_MS, name?: string): Promise<SuiteInfo> {
  const full = resolve(path);
  // A test program of a few gigabytes would not fit the initramfs either.
  const head = readInputBytes(full, '--suite-bin', 2048 * 1024 * 1024, 64 * 1024);
  const kind = inspectProgram(head);
  if ((kind.kind === 'elf-static' || kind.kind === 'elf-dynamic') && kind.machine !== EM_X86_64) {
    throw usageError(`--suite-bin ${path} is not an x86-64 program (ELF machine ${kind.machine})`);
  }
  // A dynamic program brings its shared libraries into the image; each must be found now, not at image build.
  if (kind.kind === 'elf-dynamic') await new LibraryResolver().closure(full);
  if (kind.kind === 'unknown') throw usageError(`--suite-bin ${path} is neither an ELF program nor a #! script`);
  if (kind.kind === 'script' && !['/bin/sh', '/bin/ash', '/bin/busybox'].includes(kind.interpreter)) {
    throw usageError(`--suite-bin ${path} is a script for ${kind.interpreter}, which the initramfs lacks (it has busybox's /bin/sh)`);
  }
  return { name: name ?? basename(full).replace(/[^A-Za-z0-9_.-]/g, '_'), description: `KTAP program ${full}`, modules: [], timeoutMs, default: false, binary: full, mode: 'whole', cases: [] };
}
