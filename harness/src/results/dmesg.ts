/**
 * Which kernel messages during a case count against it (IGT's dmesg-warn and
 * dmesg-fail): those at or below a syslog level, or matching a pattern,
 * unless an ignore pattern matches. Pure; the rules come from the plan.
 */
import type { DmesgRules } from '../plan/types.js';

export interface DmesgJudge {
  counts(level: number, text: string): boolean;
}

export function dmesgJudge(rules: DmesgRules): DmesgJudge {
  const match = rules.match.map((r) => new RegExp(r));
  const ignore = rules.ignore.map((r) => new RegExp(r));
  return {
    counts(level, text) {
      if (ignore.some((re) => re.test(text))) return false;
      return level <= rules.level || match.some((re) => re.test(text));
    },
  };
}
