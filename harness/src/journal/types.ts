/**
 * The journal: everything a run saw, one JSON object per line, appended as it
 * happens. Results are a pure function of it, so a run killed half-way can be
 * resumed and reported exactly as if it had not been interrupted.
 */
export const JOURNAL_FILE = 'journal.jsonl';

export type BootEndReason =
  /** The agent said 'done' and the machine powered off. */
  | 'poweroff'
  /** The kernel panicked (seen on the console) and the machine went down or was stopped. */
  | 'panic'
  /** The machine went away without 'done' and without a panic on the console. */
  | 'exit'
  /** Watchdogs: no hello in time, no console byte in time, a case past its timeout, the whole run past its own. */
  | 'boot-timeout'
  | 'silence'
  | 'case-timeout'
  | 'run-timeout'
  /** Ctrl-C or SIGTERM. */
  | 'interrupted'
  /** The plan's --abort-on condition (taint, lockdep) was met: the run stops here, like IGT's runner. */
  | 'abort-on';

export type JournalEntry =
  | { t: 'run'; v: 1; at: string; id: string; plan: unknown; env: unknown }
  /** The environment once it is known (the kernel resolved, the machine decided): it replaces the run entry's. */
  | { t: 'env'; env: unknown }
  /** A machine started. slot: which of the run's machines (--jobs) it is; absent in a run of one. */
  | { t: 'boot'; boot: number; start: number; at: string; cmdline: string[]; accel: string; slot?: number }
  /** hilt started (again) on this journal: boots still open from before were cut short by hilt's own end. */
  | { t: 'session'; at: string }
  /** An agent record; ms counts from the boot's start. */
  | { t: 'rec'; boot: number; seq: number; kind: string; p: string; ms: number; repaired?: boolean }
  /** A console line that is not a frame (kernel printk, firmware). */
  | { t: 'con'; boot: number; text: string; ms: number }
  | { t: 'bad'; boot: number; text: string; reason: string; ms: number }
  | { t: 'gap'; boot: number; from: number; to: number; ms: number }
  /** A watchdog, or an --abort-on condition, stopped the machine; detail says why in words. */
  | { t: 'watchdog'; boot: number; kind: 'boot' | 'silence' | 'case' | 'run' | 'abort-on'; index: number | null; ms: number; detail: string }
  | { t: 'boot-end'; boot: number; reason: BootEndReason; code: number | null; signal: string | null; stderr: string; ms: number }
  | { t: 'note'; text: string }
  /** A test hilt settled before any boot: the kernel lacks an option it needs (kernel/config-needs.ts). */
  | { t: 'skip'; index: number; reason: string }
  | { t: 'end'; at: string; status: 'complete' | 'interrupted' | 'aborted'; error?: { kind: string; message: string } };
