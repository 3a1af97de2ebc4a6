/**
 * Recognises the kernel's own reports of trouble in a log line: panics,
 * oopses, BUGs, WARNs, lockdep splats, lockups, hung tasks, RCU stalls.
 * Pure. The order matters: "watchdog: BUG: soft lockup" is a soft lockup,
 * not a plain BUG.
 */
export type KernelEventKind =
  | 'panic'
  | 'softlockup'
  | 'hardlockup'
  | 'hungtask'
  | 'rcu-stall'
  | 'lockdep'
  | 'oops'
  | 'bug'
  | 'warn';

const RULES: [KernelEventKind, RegExp][] = [
  ['panic', /Kernel panic - not syncing/],
  ['softlockup', /watchdog: BUG: soft lockup/],
  ['hardlockup', /(watchdog: )?(Watchdog detected )?hard LOCKUP/],
  ['hungtask', /INFO: task .+ blocked for more than \d+ seconds/],
  ['rcu-stall', /rcu: INFO: rcu_\S+ (self-)?detected stalls?/],
  ['lockdep', /possible circular locking dependency detected|possible recursive locking detected|inconsistent lock state|suspicious RCU usage|WARNING: bad unlock balance/],
  ['oops', /^Oops: |^general protection fault|Oops: \d{4} \[#\d+\]/],
  ['bug', /^BUG: /],
  ['warn', /^WARNING: CPU: \d+ PID: \d+ at |^------------\[ cut here \]------------$|^WARNING: /],
];

const STAMP = /^\s*\[\s*\d+\.\d+\]\s?/;

/** The text of a console or kmsg line without its printk timestamp. */
export function stripPrintkStamp(line: string): string {
  return line.replace(STAMP, '');
}

export function classifyKernelLine(line: string): KernelEventKind | null {
  const text = stripPrintkStamp(line);
  for (const [kind, re] of RULES) if (re.test(text)) return kind;
  return null;
}
