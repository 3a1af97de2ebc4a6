/**
 * What a run requires of its machine, and whether the machine has it (pure).
 *
 * A merge gate must not pass because vgem never loaded: every module a
 * selected suite lists, every node its manifest requires, the number of DRM
 * devices its cross-device cases want and every option of its kernelConfig
 * is required, unless the plan (or the machine profile, or --optional) marks
 * it optional. A required part that is absent ends the run with an
 * infrastructure error that names it (exit 2); an optional one keeps the
 * skip its cases report. The parts are judged where they can be known:
 * modules and options before boot (the kernel's modules tree and
 * configuration), a module's load and the nodes at each boot (the agent's
 * `mod` and `inv` records).
 */
import type { AgentRecord } from '../agent-protocol/records.js';
import { needMet, parseNeed } from '../kernel/config-needs.js';
import type { ConfigValues } from '../kernel/kconfig.js';
import type { SuiteRequires } from '../suites/catalog.js';

/** What a boot's inventory (results/inventory.ts) says of nodes and files: all the checks read. */
export interface InventorySeen {
  nodes: { path: string; driver: string | null }[];
  paths?: { path: string; error: string | null }[];
}

export type RequirementKind = 'module' | 'node' | 'drm-devices' | 'config';

export interface Requirement {
  kind: RequirementKind;
  /** A module's name as the manifests write it (virtio-gpu), a node's path, CONFIG_X (as written, =m or =n kept), or drm-devices. */
  name: string;
  /** drm-devices: how many the suites want. */
  count?: number;
  /** The selected suites that require it, for the message. */
  suites: string[];
}

/** What the planned suites say of themselves (suites/catalog SuiteInfo, or its copy in a journal). */
export interface RequiringSuite {
  name: string;
  modules: string[];
  kernelConfig?: string[];
  requires?: SuiteRequires;
}

const OPTIONAL_ALL = 'all';
const DRM_DEVICES = 'drm-devices';

/** vgem, vgem.ko, virtio-gpu and virtio_gpu.ko.xz all name one module. */
function moduleKey(name: string): string {
  return name.replace(/^.*\//, '').replace(/\.ko(\.(xz|zst|gz))?$/, '').replace(/-/g, '_');
}

/** CONFIG_X=m and CONFIG_X are one option to mark optional. */
const optionKey = (text: string) => text.replace(/=.*$/, '');

/** The key an optional-list entry and a requirement share. */
function keyOf(kind: RequirementKind, name: string): string {
  if (kind === 'module') return `module:${moduleKey(name)}`;
  if (kind === 'config') return `config:${optionKey(name)}`;
  return `${kind}:${name}`;
}

function keyOfOptional(entry: string): string {
  if (entry === DRM_DEVICES) return `drm-devices:${DRM_DEVICES}`;
  if (entry.startsWith('/')) return `node:${entry.replace(/\/+$/, '')}`;
  if (entry.startsWith('CONFIG_')) return `config:${optionKey(entry)}`;
  return `module:${moduleKey(entry)}`;
}

/** Everything the planned suites require, each once, with the suites that ask for it. */
export function suiteRequirements(suites: readonly RequiringSuite[]): Requirement[] {
  const byKey = new Map<string, Requirement>();
  const add = (kind: RequirementKind, name: string, suite: string, count?: number) => {
    const key = keyOf(kind, name);
    const r = byKey.get(key);
    if (r) {
      if (!r.suites.includes(suite)) r.suites.push(suite);
      if (count !== undefined) r.count = Math.max(r.count ?? 0, count);
      return;
    }
    byKey.set(key, { kind, name, suites: [suite], ...(count !== undefined ? { count } : {}) });
  };
  for (const s of suites) {
    for (const m of s.modules) add('module', m, s.name);
    for (const n of s.requires?.nodes ?? []) add('node', n, s.name);
    if (s.requires?.drmDevices && s.requires.drmDevices > 1) add('drm-devices', DRM_DEVICES, s.name, s.requires.drmDevices);
    for (const c of s.kernelConfig ?? []) add('config', c, s.name);
  }
  return [...byKey.values()];
}

/** The run's requirements, split by the plan's optional list. */
export class RunRequirements {
  readonly required: Requirement[];
  readonly optional: Requirement[];

  /** A plan's requirements; a plan journaled before hilt had an optional list ran with everything optional, and resumes so. */
  static of(plan: { suites: readonly RequiringSuite[]; optional?: readonly string[] }): RunRequirements {
    return new RunRequirements(plan.suites, plan.optional ?? [OPTIONAL_ALL]);
  }

  constructor(suites: readonly RequiringSuite[], optional: readonly string[]) {
    const all = suiteRequirements(suites);
    const keys = new Set(optional.map(keyOfOptional));
    const everything = optional.includes(OPTIONAL_ALL);
    this.required = all.filter((r) => !everything && !keys.has(keyOf(r.kind, r.name)));
    this.optional = all.filter((r) => !this.required.includes(r));
  }

  isRequired(kind: RequirementKind, name: string): Requirement | null {
    return find(this.required, kind, name);
  }

  isOptional(kind: RequirementKind, name: string): Requirement | null {
    return find(this.optional, kind, name);
  }

  /** Required modules the kernel has neither as a file nor built in (the image builder's `missing`): one line each. */
  modulesTheKernelLacks(missing: readonly string[], release: string): string[] {
    return missing.flatMap((m) => {
      const r = this.isRequired('module', m);
      return r ? [`module ${r.name} (required by ${suitesText(r)}): kernel ${release} has no such module and does not build it in`] : [];
    });
  }

  /** Required suite.json kernelConfig options the kernel's configuration does not meet: one line each. */
  optionsTheKernelLacks(config: ConfigValues, release: string): string[] {
    return this.required
      .filter((r) => r.kind === 'config' && !needMet(config, parseNeed(r.name)))
      .map((r) => `${r.name} (required by ${suitesText(r)}): not in the configuration of ${release}`);
  }

  /** A required module that would not load, from the agent's `mod` record; null for any other record. */
  moduleFailure(record: AgentRecord): string | null {
    if (record.kind !== 'mod' || record.result !== 'err') return null;
    const r = this.isRequired('module', record.module);
    return r ? `module ${r.name} (required by ${suitesText(r)}) did not load: ${record.message} (errno ${record.errno})` : null;
  }

  /** What a boot's inventory lacks of the required nodes and DRM devices: one line each. */
  missingFromInventory(inv: InventorySeen): string[] {
    const out: string[] = [];
    const paths = new Map((inv.paths ?? []).map((p) => [p.path, p.error]));
    for (const r of this.required) {
      if (r.kind === 'node') {
        // An agent older than the path check says nothing of the path: nothing to judge.
        if (!paths.has(r.name)) continue;
        const error = paths.get(r.name);
        if (error !== null) out.push(`${r.name} (required by ${suitesText(r)}): ${error}`);
      } else if (r.kind === 'drm-devices') {
        const cards = drmDevices(inv);
        if (cards.length < (r.count ?? 1)) {
          out.push(
            `${r.count} DRM devices (required by ${suitesText(r)} for ${r.suites.length > 1 ? 'their' : 'its'} cross-device cases): the machine shows ${cards.length}${cards.length ? ` (${cards.join(', ')})` : ''}`,
          );
        }
      }
    }
    return out;
  }
}

function find(list: readonly Requirement[], kind: RequirementKind, name: string): Requirement | null {
  const key = keyOf(kind, name);
  return list.find((r) => keyOf(r.kind, r.name) === key) ?? null;
}

/** "prime, udmabuf", or for an IGT run of many programs "igt@a, igt@b, igt@c and 40 more". */
function suitesText(r: Requirement): string {
  return r.suites.length > 4 ? `${r.suites.slice(0, 3).join(', ')} and ${r.suites.length - 3} more` : r.suites.join(', ');
}

/** The machine's DRM devices: one card node each, named with its driver. */
function drmDevices(inv: InventorySeen): string[] {
  return inv.nodes.filter((n) => /^\/dev\/dri\/card\d+$/.test(n.path) && n.driver).map((n) => `${n.path} ${n.driver}`);
}

/**
 * Entries of an optional list that no selected suite requires: a typo
 * (vgen) would otherwise leave vgem required and the person puzzled.
 */
export function unknownOptional(suites: readonly RequiringSuite[], optional: readonly string[]): string[] {
  const keys = new Set(suiteRequirements(suites).map((r) => keyOf(r.kind, r.name)));
  return optional.filter((o) => o !== OPTIONAL_ALL && !keys.has(keyOfOptional(o)));
}

/** What the selected suites require, as the words --optional takes. */
export function optionalWords(suites: readonly RequiringSuite[]): string[] {
  return suiteRequirements(suites).map((r) => (r.kind === 'config' ? optionKey(r.name) : r.name));
}

/** The message of the infrastructure error for what a run lacks, and the hint that says what to do. */
export function unmetError(lines: readonly string[], when: string): { message: string; hint: string } {
  return {
    message: `the machine lacks what the plan requires (${when}): ${lines.join('; ')}`,
    hint:
      'Give the machine what it lacks (a kernel with the module or option, the device), or, if the run may do without it, ' +
      'mark it optional: --optional NAME (a module, node path, CONFIG_ option or drm-devices; all for everything), ' +
      'or optional: [NAME] in the plan or machine profile. Its cases then skip, saying why.',
  };
}
