/**
 * The kernel's own reports of trouble, recognised in a log line: panics,
 * oopses, BUGs, WARNs, lockdep splats, lockups, hung tasks, RCU stalls,
 * sanitizer reports, refcount and list corruption. This is the one place that
 * knows them: the console watchdog, the verdict rules and the default dmesg
 * rules all ask classifyKernelLine(). Pure.
 *
 * Every pattern is anchored at the start of the message (after the printk
 * timestamp) or is a plain substring, and only the head of a line is looked
 * at, so a 16 KiB line of repeated prefixes costs what a short one does.
 * The order matters: "watchdog: BUG: soft lockup" is a soft lockup, not a
 * plain BUG.
 */
import { stripPrintkStamp } from './printk.js';

export type KernelEventKind =
  | 'panic'
  | 'softlockup'
  | 'hardlockup'
  | 'hungtask'
  | 'rcu-stall'
  | 'lockdep'
  | 'oops'
  | 'kasan'
  | 'ubsan'
  | 'kmemleak'
  | 'refcount'
  | 'list-corruption'
  | 'bug'
  | 'warn';

/** How much of a message the patterns look at: every report names itself in its first words. */
const HEAD = 256;

const RULES: [KernelEventKind, RegExp][] = [
  ['panic', /^Kernel panic - not syncing/],
  ['softlockup', /^watchdog: BUG: soft lockup/],
  ['hardlockup', /^(?:watchdog: )?(?:Watchdog detected )?hard LOCKUP/],
  ['hungtask', /^INFO: task [^\n]{1,64}:\d{1,10} blocked for more than \d{1,10} seconds/],
  ['rcu-stall', /^rcu: INFO: rcu_\w{1,32} (?:self-)?detected stalls?/],
  ['lockdep', /^WARNING: (?:possible circular locking dependency detected|possible recursive locking detected|inconsistent lock state|suspicious RCU usage|bad unlock balance detected)/],
  ['oops', /^Oops: |^general protection fault|^BUG: unable to handle/],
  ['kasan', /^BUG: KASAN: |^KASAN: /],
  ['ubsan', /^UBSAN: /],
  ['kmemleak', /^kmemleak: \d+ new suspected memory leaks/],
  ['refcount', /^refcount_t: /],
  ['list-corruption', /^list_(?:add|del) corruption/],
  ['bug', /^BUG: |^kernel BUG at /],
  ['warn', /^WARNING: CPU: \d{1,5} PID: \d{1,10} at |^------------\[ cut here \]------------$|^WARNING: /],
];

export function classifyKernelLine(line: string): KernelEventKind | null {
  const text = stripPrintkStamp(line.length > HEAD + 64 ? line.slice(0, HEAD + 64) : line).slice(0, HEAD);
  for (const [kind, re] of RULES) if (re.test(text)) return kind;
  return null;
}

/** The kinds that mean the kernel is going down or is wedged, not a splat it survives. */
export const FATAL_EVENTS: ReadonlySet<KernelEventKind> = new Set(['panic']);
