/**
 * Observations: the JSON objects suites print as "# obs TYPE {...}"
 * diagnostics, and the judge that checks each against the general schema of
 * its type and against every driver profile that applies to it.
 */
import type { Observation, Verdict } from './model.js';

export const OBS_PREFIX = 'obs ';

export type ObservationJudge = (type: string, data: unknown) => Verdict[];

/** Parses a diagnostic line; null when it is not an observation. */
export function parseObservation(diagnostic: string, judge: ObservationJudge): Observation | null {
  if (!diagnostic.startsWith(OBS_PREFIX)) return null;
  const rest = diagnostic.slice(OBS_PREFIX.length);
  const sp = rest.indexOf(' ');
  const type = sp < 0 ? rest : rest.slice(0, sp);
  const json = sp < 0 ? '' : rest.slice(sp + 1);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    return {
      type,
      data: json,
      verdicts: [{ schema: 'json', ok: false, violations: [{ schema: 'json', path: '', rule: 'syntax', message: `observation is not valid JSON: ${(e as Error).message}` }] }],
    };
  }
  return { type, data, verdicts: judge(type, data) };
}

export function failedVerdicts(obs: Observation[]): { type: string; verdict: Verdict }[] {
  return obs.flatMap((o) => o.verdicts.filter((v) => !v.ok).map((verdict) => ({ type: o.type, verdict })));
}
