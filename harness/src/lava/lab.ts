/**
 * A LAVA lab profile (schemas/lava-lab.schema.json): read once at the door,
 * checked against its schema, turned into a typed object. Without a file the
 * lab is this host: lava-run and a QEMU device type.
 *
 * The REST token is never part of the profile: the profile names an
 * environment variable or a file, read when a job is submitted.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { usageError } from '../errors.js';
import type { SchemaRegistry } from '../schemas/registry.js';
import { type LavaBootMethod, type LavaDeviceType, resolveDeviceType } from './device-types.js';
import type { LavaArtifact, LavaJobInput } from './job.js';
import { DEFAULT_DEPLOY_S } from './plan-job.js';

export type TokenSource = { env: string } | { file: string };

export interface LavaLab {
  name: string;
  /** The server's address, or null for lava-run on this host. */
  server: string | null;
  token: TokenSource | null;
  deviceType: LavaDeviceType;
  tags: string[];
  priority: LavaJobInput['priority'];
  visibility: LavaJobInput['visibility'];
  context: LavaJobInput['context'];
  dtb: LavaArtifact | null;
  firmware: string | null;
  noKvm: boolean;
  /** Where workers fetch the files: a base URL and the folder it serves; null for file:// URLs of the cache. */
  artifacts: { url: string; dir: string } | null;
  deployS: number;
}

interface LabFile {
  name?: string;
  server?: string;
  token?: TokenSource;
  deviceType: string;
  boot?: LavaBootMethod;
  commands?: string;
  arch?: string;
  console?: string | null;
  kernelType?: 'image' | 'zimage' | 'uimage' | null;
  ramdiskHeader?: 'u-boot' | null;
  dtb?: LavaArtifact;
  tags?: string[];
  priority?: LavaJobInput['priority'];
  visibility?: LavaJobInput['visibility'];
  context?: LavaJobInput['context'];
  qemu?: { firmware?: string; noKvm?: boolean };
  artifacts?: { url: string; dir: string };
  timeouts?: { deploy?: number };
}

const expandHome = (p: string, base: string) => (p === '~' || p.startsWith('~/') ? homedir() + p.slice(1) : resolve(base, p));

/** The lab from already-parsed profile data (checked against the schema by the caller). */
export function labFromData(data: LabFile, baseDir: string, overrides: { deviceType?: string; server?: string; tags?: string[] } = {}): LavaLab {
  const choice = overrides.deviceType && overrides.deviceType !== data.deviceType ? { name: overrides.deviceType } : { ...data, name: data.deviceType };
  const dt = resolveDeviceType(choice);
  if (typeof dt === 'string') throw usageError(dt, 'Set boot: in the lab profile (schemas/lava-lab.schema.json).');
  const server = overrides.server ?? data.server ?? null;
  return {
    name: data.name ?? (server ? new URL(server).host : 'local'),
    server,
    token: data.token ? ('file' in data.token ? { file: expandHome(data.token.file, baseDir) } : data.token) : null,
    deviceType: dt,
    tags: overrides.tags?.length ? overrides.tags : (data.tags ?? []),
    priority: data.priority ?? 'medium',
    visibility: data.visibility ?? 'public',
    context: data.context ?? {},
    dtb: data.dtb ?? null,
    firmware: data.qemu?.firmware ?? null,
    // This host has no KVM (lava-run here); a server's workers may, unless the profile says they do not.
    noKvm: data.qemu?.noKvm ?? !server,
    artifacts: data.artifacts ? { url: data.artifacts.url, dir: expandHome(data.artifacts.dir, baseDir) } : null,
    deployS: data.timeouts?.deploy ?? DEFAULT_DEPLOY_S,
  };
}

/** This host as a lab: lava-run, QEMU under TCG, files straight from the cache. */
export const LOCAL_LAB_FILE: LabFile = { name: 'local', deviceType: 'qemu' };

export function loadLab(path: string | undefined, registry: SchemaRegistry, overrides: { deviceType?: string; server?: string; tags?: string[] } = {}): LavaLab {
  if (!path) return labFromData(LOCAL_LAB_FILE, process.cwd(), overrides);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw usageError(`lab profile ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = YAML.parse(text, { prettyErrors: true });
  } catch (e) {
    throw usageError(`lab profile ${path} is not valid YAML/JSON: ${(e as Error).message}`);
  }
  registry.check('lava-lab.schema.json', data, path);
  return labFromData(data as LabFile, dirname(resolve(path)), overrides);
}

/** The REST token, read now from where the profile says; null when the profile names none. */
export function readToken(source: TokenSource | null, env: NodeJS.ProcessEnv = process.env): string | null {
  if (!source) return null;
  if ('env' in source) {
    const v = env[source.env]?.trim();
    if (!v) throw usageError(`the lab profile reads the LAVA token from $${source.env}, which is not set`, `export ${source.env}=<your token> (LAVA: API -> Authentication Tokens).`);
    return v;
  }
  let v: string;
  try {
    v = readFileSync(source.file, 'utf8').trim();
  } catch (e) {
    throw usageError(`the LAVA token file ${source.file} cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'Put the token alone in that file (chmod 600).');
  }
  if (!v || /\s/.test(v)) throw usageError(`the LAVA token file ${source.file} must hold the token alone, on one line`);
  return v;
}
