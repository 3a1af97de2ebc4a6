/**
 * Which kernel messages during a case count against it (IGT's dmesg-warn and
 * dmesg-fail): those at or below a syslog level, every report of kernel
 * trouble whatever its level (lockdep and hung-task reports come at info and
 * error levels; console/kernel-events.ts knows them), and any extra pattern
 * the plan adds, unless an ignore pattern matches. Pure; the rules come from
 * the plan.
 */
import { classifyKernelLine } from '../console/kernel-events.js';
import type { DmesgRules } from '../plan/types.js';

export interface DmesgJudge {
  counts(level: number, text: string): boolean;
}

/** Plan patterns see at most this much of a message, so a long line costs what a short one does. */
const PATTERN_HEAD = 1024;

export function dmesgJudge(rules: DmesgRules): DmesgJudge {
  const match = rules.match.map((r) => new RegExp(r));
  const ignore = rules.ignore.map((r) => new RegExp(r));
  return {
    counts(level, text) {
      const head = text.length > PATTERN_HEAD ? text.slice(0, PATTERN_HEAD) : text;
      if (ignore.some((re) => re.test(head))) return false;
      return level <= rules.level || classifyKernelLine(head) !== null || match.some((re) => re.test(head));
    },
  };
}
