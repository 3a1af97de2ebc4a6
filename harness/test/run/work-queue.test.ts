/** The work queue: pending tests first, a suite's run at a time; then retries; what a boot did not finish comes back. */
import t from 'tap';
import type { Status } from '../../src/results/model.js';
import { WorkQueue } from '../../src/run/work-queue.js';

function world(suites: string[]) {
  const finished = new Set<number>();
  const verdicts = new Map<number, Status>();
  const attempts = new Map<number, number>();
  const view = { suites, finished: () => finished, verdictOf: (i: number) => verdicts.get(i) ?? 'pass', attemptsOf: (i: number) => attempts.get(i) ?? 0 };
  const settle = (i: number, s: Status) => {
    finished.add(i);
    verdicts.set(i, s);
    attempts.set(i, (attempts.get(i) ?? 0) + 1);
  };
  return { view, settle };
}

t.test('two machines take a suite each, then the next; nothing is handed out twice', async (t) => {
  const { view, settle } = world(['a', 'a', 'b', 'b', 'b', 'c']);
  const q = new WorkQueue(view, 1, 'suite');
  const u1 = q.next(true)!;
  const u2 = q.next(true)!;
  t.same([u1, u2], [{ start: 0, count: 2, fresh: false }, { start: 2, count: 3, fresh: false }]);
  t.same(q.next(false), { start: 5, count: 1, fresh: false });
  t.equal(q.next(false), null, 'all in flight');
  [0, 1].forEach((i) => settle(i, 'pass'));
  q.release([u1]);
  t.equal(q.next(false), null, 'finished tests are not handed out again');
});

t.test('with several machines, ranges shrink as the run nears its end, so the machines finish together', async (t) => {
  // One big suite last: whole, it would keep one machine busy while the other idles.
  const { view, settle } = world([...Array(8).fill('a'), ...Array(40).fill('b')]);
  const q = new WorkQueue(view, 0, 'suite', 2);
  const ranges: number[] = [];
  for (let u = q.next(true); u; u = q.next(false)) {
    ranges.push(u.count);
    for (let i = u.start; i < u.start + u.count; i++) settle(i, 'pass');
    q.release([u]);
  }
  t.same(ranges, [8, 10, 8, 6, 4, 4, 4, 4], 'a at most a quarter of what is left, never under 4 (a suite process start is not free)');
  t.equal(ranges.reduce((a, b) => a + b, 0), 48, 'every test handed out once');
  const one = world(Array(40).fill('b'));
  t.same(new WorkQueue(one.view, 0, 'suite').next(true), { start: 0, count: 40, fresh: false }, 'one machine takes a suite whole');
});

t.test('a crash mid-range: what the boot did not finish comes back; the crashed test is retried in a fresh boot only', async (t) => {
  const { view, settle } = world(['a', 'a', 'a']);
  const q = new WorkQueue(view, 1, 'suite');
  const u = q.next(true)!;
  settle(0, 'pass');
  settle(1, 'crash');
  q.release([u]);
  t.same(q.next(false), { start: 2, count: 1, fresh: false }, 'the test after the crash first');
  t.equal(q.next(false), null, 'a crashed test is not retried in a machine that has run something');
  t.ok(q.freshWorkLeft());
  t.same(q.next(true), { start: 1, count: 1, fresh: true });
  settle(1, 'pass');
  q.release([{ start: 1, count: 1 }, { start: 2, count: 1 }]);
  settle(2, 'pass');
  t.equal(q.next(true), null, 'one retry, then nothing');
});

t.test('a plain failure is retried in any machine, once with --retries 1, never with 0; passes and skips never', async (t) => {
  for (const retries of [0, 1]) {
    const { view, settle } = world(['a', 'b', 'c']);
    const q = new WorkQueue(view, retries, 'all');
    const u = q.next(true)!;
    t.same(u, { start: 0, count: 3, fresh: false }, "'all' hands out the whole rest at once");
    settle(0, 'fail');
    settle(1, 'skip');
    settle(2, 'pass');
    q.release([u]);
    t.same(q.next(false), retries ? { start: 0, count: 1, fresh: false } : null, `retries ${retries}`);
  }
});

t.test('a case that may leave the machine unusable runs after everything else, alone, in a fresh machine', async (t) => {
  const { view, settle } = world(['a', 'a', 'b']);
  const q = new WorkQueue({ ...view, alone: new Set([1]) }, 0, 'suite');
  const u = q.next(true)!;
  t.same(u, { start: 0, count: 1, fresh: false }, 'the rest of its suite goes first, without it');
  t.same(q.next(true), { start: 2, count: 1, fresh: false });
  t.equal(q.next(true), null, 'not while other tests are running');
  settle(0, 'pass');
  settle(2, 'pass');
  q.release([u, { start: 2, count: 1 }]);
  t.equal(q.next(false), null, 'not in a machine that has run something');
  t.same(q.next(true), { start: 1, count: 1, fresh: true });
});
