/**
 * Judges each observation against the general schema of its type
 * (schemas/observations/<type>.schema.json: what any conforming kernel
 * returns) and against each driver profile that applies to the device it
 * came from (what that driver promises).
 */
import type { SchemaRegistry } from '../schemas/registry.js';
import type { Verdict } from './model.js';
import type { ObservationJudge } from './observations.js';
import type { LoadedProfile } from '../schemas/profiles.js';

export const observationSchemaId = (type: string) => `observations/${type}.schema.json`;

export function observationJudge(registry: SchemaRegistry, profiles: LoadedProfile[]): ObservationJudge {
  return (type, data) => {
    const verdicts: Verdict[] = [];
    const id = observationSchemaId(type);
    if (!registry.has(id)) {
      verdicts.push({
        schema: registry.resolveId(id),
        ok: false,
        violations: [{ schema: registry.resolveId(id), path: '', rule: 'exists', message: `no schema judges observation type '${type}' (expected schemas/${id})` }],
      });
      return verdicts;
    }
    const violations = registry.validate(id, data);
    verdicts.push({ schema: registry.resolveId(id), ok: violations.length === 0, violations });
    const driver = (data as { driver?: unknown })?.driver;
    for (const profile of profiles) {
      if (typeof driver !== 'string' || !profile.appliesTo(driver)) continue;
      const rule = profile.rules.get(type);
      if (!rule) continue;
      const v = registry.violations(rule.validate, rule.id, data);
      verdicts.push({ schema: rule.id, ok: v.length === 0, violations: v });
    }
    return verdicts;
  };
}
