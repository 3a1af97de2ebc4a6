/**
 * Known kernel issues, as driver profiles list them: which failures are
 * expected on which driver, and why. Pure.
 */
import type { CaseResult } from './model.js';
import type { LoadedProfile } from '../schemas/profiles.js';

export interface KnownIssue {
  profile: string;
  reason: string;
  reference?: string;
}

export type KnownIssueLookup = (casePath: string, driver: string | null) => KnownIssue | null;

export function knownIssueLookup(profiles: LoadedProfile[]): KnownIssueLookup {
  return (casePath, driver) => {
    if (!driver) return null;
    for (const p of profiles) {
      if (!p.appliesTo(driver)) continue;
      const hit = p.doc.knownIssues?.find((k) => k.case === casePath);
      if (hit) return { profile: p.name, reason: hit.reason, ...(hit.reference ? { reference: hit.reference } : {}) };
    }
    return null;
  };
}

/** The driver a case's (or subtest's) observations name, if any. */
export function driverOf(c: CaseResult): string | null {
  for (const o of c.observations) {
    const d = (o.data as { driver?: unknown } | null)?.driver;
    if (typeof d === 'string' && d) return d;
  }
  return null;
}
