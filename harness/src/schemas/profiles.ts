/**
 * Driver profiles: stricter rules per driver or hardware generation, kept in
 * schemas/profiles/*.json (checked against schemas/profile.schema.json).
 * A profile applies to a device when its driver matches and the profile is
 * automatic, or when the run plan names it.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { usageError } from '../errors.js';
import type { SchemaRegistry } from './registry.js';

export interface ProfileDocument {
  name: string;
  description: string;
  match: { driver: string };
  /** Applied whenever the driver matches; false for profiles a plan must name (a hardware generation). */
  automatic?: boolean;
  /** The plan names it: at least this many matching devices must be present. */
  requiresDevices?: number;
  observations: Record<string, object>;
  knownIssues?: { case: string; reason: string; reference?: string }[];
}

export interface LoadedProfile {
  name: string;
  /** Where it came from, for messages. */
  source: string;
  doc: ProfileDocument;
  /** Named by the plan (then it also demands its devices be present). */
  named: boolean;
  appliesTo(driver: string): boolean;
  rules: Map<string, { id: string; validate: ValidateFunction }>;
}

export const PROFILE_SCHEMA = 'profile.schema.json';

/**
 * A profile's rules compile when first needed: a bundled profile is checked by
 * the test suite, and compiling every rule of every profile would cost each
 * run tens of milliseconds before its machine starts. A profile from a file
 * (strict) is compiled at once, so a bad rule stops the run before it boots.
 */
function load(registry: SchemaRegistry, doc: unknown, source: string, named: boolean, strict: boolean): LoadedProfile {
  registry.check(PROFILE_SCHEMA, doc, source);
  const d = doc as ProfileDocument;
  const rules = new Map<string, { id: string; validate: ValidateFunction }>();
  for (const [type, schema] of Object.entries(d.observations)) {
    const id = `https://hilt.dev/schemas/v1/profiles/${d.name}.json#/observations/${type}`;
    const compile = () => {
      try {
        return registry.compileInline(schema, `https://hilt.dev/schemas/v1/profiles/${d.name}/${type}`);
      } catch (e) {
        throw usageError(`${source}: the rule for observation '${type}' is not a valid JSON Schema: ${(e as Error).message}`);
      }
    };
    let validate: ValidateFunction | null = strict ? compile() : null;
    rules.set(type, {
      id,
      get validate() {
        validate ??= compile();
        return validate;
      },
    });
  }
  const automatic = d.automatic ?? true;
  return {
    name: d.name,
    source,
    doc: d,
    named,
    appliesTo: (driver) => (automatic || named) && driver === d.match.driver,
    rules,
  };
}

/**
 * The profiles in effect: every automatic one under schemas/profiles/, plus
 * those the plan names (a name under schemas/profiles/ or a file path).
 */
export function loadProfiles(registry: SchemaRegistry, named: string[]): LoadedProfile[] {
  const builtin = new Map<string, { doc: unknown; source: string }>();
  for (const [rel, doc] of registry.documents) {
    if (rel.startsWith('profiles/')) builtin.set(basename(rel, '.json'), { doc, source: `schemas/${rel}` });
  }
  const out = new Map<string, LoadedProfile>();
  for (const [name, { doc, source }] of builtin) {
    const p = load(registry, doc, source, named.includes(name), false);
    out.set(p.name, p);
  }
  for (const ref of named) {
    if (builtin.has(ref)) continue;
    if (!ref.includes('/') && !ref.endsWith('.json')) {
      throw usageError(`there is no profile '${ref}'`, `Known profiles: ${[...builtin.keys()].join(', ') || 'none'}; or give the path of a profile file.`);
    }
    const path = resolve(ref);
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw usageError(`profile ${ref}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
    const p = load(registry, doc, path, true, true);
    out.set(p.name, p);
  }
  return [...out.values()];
}
