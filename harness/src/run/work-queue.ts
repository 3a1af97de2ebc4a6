/**
 * Hands out the tests of a run to its machines as they ask, so that with
 * --jobs N every machine stays busy: first the tests that have no final
 * verdict yet, in plan order, a suite's run of cases at a time; then the
 * retries, one test at a time. A test handed out is in flight until the boot
 * that ran it ends; what that boot did not finish (it crashed mid-range) is
 * handed out again. With several machines a range is at most a
 * 2*machines-th of what is left to hand out, so that ranges shrink as the
 * run nears its end and the machines finish together (guided
 * self-scheduling), instead of one machine taking a big suite last while the
 * others stand idle. Pure: the fold's verdicts come in through callbacks.
 */
import type { Status } from '../results/model.js';

export interface Unit {
  start: number;
  count: number;
  /** A retry: run it in a freshly booted machine (a crash or a hang may have left the old one unwell). */
  fresh: boolean;
}

export interface QueueView {
  /** Planned tests: suite name per index. */
  suites: readonly string[];
  /** Tests that may leave the machine unusable: each runs alone, last, in a fresh boot. */
  alone?: ReadonlySet<number>;
  finished(): ReadonlySet<number>;
  verdictOf(index: number): Status;
  attemptsOf(index: number): number;
}

/** Failures worth a second run: a pass on the retry makes them a flake. */
export const RETRY_STATUSES: ReadonlySet<Status> = new Set(['fail', 'dmesg-fail', 'dmesg-warn', 'warn', 'crash', 'timeout']);
/** The smallest range a machine is given while others run: a suite's process start is milliseconds, not nothing. */
const MIN_RANGE = 4;
/** Retries of these run in a fresh boot. */
const FRESH_STATUSES: ReadonlySet<Status> = new Set(['crash', 'timeout']);

export class WorkQueue {
  private readonly inFlight = new Set<number>();

  /**
   * retries: how many more runs a failing test gets. grouping: 'suite' hands
   * out a suite's consecutive tests together (a machine that takes work as it
   * goes); 'all' the whole rest of the plan at once (one boot per range).
   * machines: how many take work at once.
   */
  constructor(
    private readonly view: QueueView,
    private readonly retries: number,
    private readonly grouping: 'suite' | 'all',
    private readonly machines = 1,
  ) {}

  /** The next range for a machine; fresh says whether it has run nothing since it booted. */
  next(fresh: boolean): Unit | null {
    const finished = this.view.finished();
    const total = this.view.suites.length;
    const alone = this.view.alone ?? new Set<number>();
    let start = 0;
    while (start < total && (finished.has(start) || this.inFlight.has(start) || alone.has(start))) start++;
    if (start < total) {
      const open = (i: number) => !finished.has(i) && !this.inFlight.has(i) && !alone.has(i);
      let limit = total;
      if (this.grouping === 'suite' && this.machines > 1) {
        let left = 0;
        for (let i = start; i < total; i++) if (open(i)) left++;
        limit = start + Math.max(MIN_RANGE, Math.ceil(left / (2 * this.machines)));
      }
      let end = start + 1;
      while (end < Math.min(total, limit) && open(end) && (this.grouping === 'all' || this.view.suites[end] === this.view.suites[start])) end++;
      return this.take({ start, count: end - start, fresh: false });
    }
    // Only when nothing else is left to hand out (or running) may a machine be spent on one of these.
    const pendingAlone = [...alone].sort((a, b) => a - b).find((i) => !finished.has(i) && !this.inFlight.has(i));
    if (pendingAlone !== undefined) return fresh && !this.othersInFlight() ? this.take({ start: pendingAlone, count: 1, fresh: true }) : null;
    for (let i = 0; i < total; i++) {
      if (this.inFlight.has(i) || !this.retryDue(i)) continue;
      const needsFresh = alone.has(i) || FRESH_STATUSES.has(this.view.verdictOf(i));
      if (needsFresh && !fresh) continue;
      return this.take({ start: i, count: 1, fresh: needsFresh });
    }
    return null;
  }

  /** Whether work is left that only a freshly booted machine may take. */
  freshWorkLeft(): boolean {
    const alone = this.view.alone ?? new Set<number>();
    for (let i = 0; i < this.view.suites.length; i++) {
      if (this.inFlight.has(i)) continue;
      if (alone.has(i) && !this.view.finished().has(i)) return true;
      if (this.retryDue(i) && (alone.has(i) || FRESH_STATUSES.has(this.view.verdictOf(i)))) return true;
    }
    return false;
  }

  /** Whether anything is left to hand out now. */
  hasWork(fresh: boolean): boolean {
    const finished = this.view.finished();
    for (let i = 0; i < this.view.suites.length; i++) {
      if (this.inFlight.has(i)) continue;
      if (!finished.has(i)) return fresh || !(this.view.alone?.has(i) ?? false);
      if (this.retryDue(i) && (fresh || !FRESH_STATUSES.has(this.view.verdictOf(i)))) return true;
    }
    return false;
  }

  private othersInFlight(): boolean {
    const alone = this.view.alone ?? new Set<number>();
    return [...this.inFlight].some((i) => !alone.has(i));
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** The boot that ran these ended: what it did not finish goes back to the queue. */
  release(units: readonly { start: number; count: number }[]): void {
    for (const u of units) for (let i = u.start; i < u.start + u.count; i++) this.inFlight.delete(i);
  }

  private retryDue(index: number): boolean {
    return this.view.finished().has(index) && RETRY_STATUSES.has(this.view.verdictOf(index)) && this.view.attemptsOf(index) <= this.retries;
  }

  private take(u: Unit): Unit {
    for (let i = u.start; i < u.start + u.count; i++) this.inFlight.add(i);
    return u;
  }
}
