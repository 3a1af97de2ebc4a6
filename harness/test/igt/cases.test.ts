/**
 * An IGT test's attempt (what the attribution keeps of one process: stdout,
 * stderr, exit, how it ended, its kernel messages) into hilt's case: on the
 * real captured runs, against igt_runner's results.json of the same boot;
 * crafted outcomes (labelled so) for a machine that went down.
 */
import { constants } from 'node:os';
import t from 'tap';
import { type Attempt, newAttempt, newStreams } from '../../src/results/attempt.js';
import { DEFAULT_IGT_DMESG, hiltStatus, igtCase } from '../../src/results/igt-cases.js';
import type { CaseResult } from '../../src/results/model.js';
import { crashMessage, testVerdicts } from '../../src/results/verdicts.js';
import { loadRun, runnerTests, runs } from './fixture.js';

/** A captured by-hand run as the attribution would have kept it. */
function attemptOf(rel: string, over: Partial<Attempt> = {}): Attempt {
  const run = loadRun(rel);
  const a = newAttempt(1, 0, { streams: newStreams(), outcome: run.timedOut ? 'timeout' : 'ended', ...over });
  for (const l of run.stdout.split('\n').slice(0, -1)) a.streams!.out.push(l);
  for (const l of run.stderr.split('\n').slice(0, -1)) a.streams!.err.push(l);
  for (const m of run.kmsg) a.kmsg.push({ level: m.level, tsUs: m.usec ?? 0, text: m.text, counted: false });
  const signal = run.exit.signal ? (constants.signals as Record<string, number>)[run.exit.signal]! : null;
  if (!('exit' in over)) a.exit = { code: run.exit.code, signal };
  return a;
}

function caseOf(rel: string, over: Partial<Attempt> = {}): CaseResult {
  const run = loadRun(rel);
  const a = attemptOf(rel, over);
  const planned = { index: 0, suite: `igt@${run.binary}`, case: run.requested ?? '-', timeoutMs: 1000 };
  const [c] = testVerdicts(planned, 'igt', a, 1, { judge: { judge: () => [] } as never, known: () => null }, { why: '' });
  return c!;
}

t.test("hilt's status for each of IGT's results: the same word; notrun is hilt's abort", async (t) => {
  const results = ['pass', 'fail', 'skip', 'crash', 'timeout', 'incomplete', 'abort', 'notrun', 'warn', 'dmesg-warn', 'dmesg-fail'] as const;
  t.same(results.map(hiltStatus), ['pass', 'fail', 'skip', 'crash', 'timeout', 'incomplete', 'abort', 'abort', 'warn', 'dmesg-warn', 'dmesg-fail']);
});

t.test("every captured subtest: the case and its dynamic subtests take igt_runner's verdicts", async (t) => {
  const reference = runnerTests('runner-all');
  let compared = 0;
  for (const r of runs('subtest')) {
    const c = caseOf(`subtest/${r}`);
    const [binary, subtest] = r.split('@') as [string, string];
    const name = `igt@${binary}@${subtest}`;
    if (!reference[name]) continue; // vgem_basic@unload ran apart (runner-unload)
    t.equal(c.name, subtest);
    t.equal(c.status, hiltStatus(reference[name].result), name);
    const dynamic = Object.entries(reference).filter(([k]) => k.startsWith(`${name}@`));
    t.same(
      c.subtests.map((s) => `${s.name.toLowerCase()} ${s.status}`),
      dynamic.map(([k, v]) => `${k.slice(name.length + 1)} ${hiltStatus(v.result)}`),
      `${name}: its dynamic subtests`,
    );
    compared++;
  }
  t.equal(compared, 80, 'all 80 subtests run apart and by igt_runner');
});

t.test('why a subtest failed or skipped, from what IGT printed', async (t) => {
  const fail = caseOf('subtest/vgem_basic@dmabuf-export');
  t.equal(fail.status, 'fail');
  t.match(fail.message, /^IGT: FAIL: Test assertion failure function prime_fd_to_handle, file \.\.\/src\/lib\/ioctl_wrappers\.c:\d+; Failed assertion: .*; Last errno: 22, Invalid argument; error: -1 != 0$/);
  const skip = caseOf('subtest/dmabuf_sync_file@import-basic');
  t.equal(skip.message, 'IGT: SKIP: Test requirement not met in function igt_require_sw_sync, file ../src/lib/sw_sync.c:265; Test requirement: kernel_has_sw_sync(); Last errno: 2, No such file or directory');
  t.equal(caseOf('subtest/core_auth@basic-auth').message, '', 'a pass says nothing');
});

t.test("the kernel log: all of the process's, the counted messages marked", async (t) => {
  const c = caseOf('provoked/dmesg-warn');
  t.equal(c.status, 'dmesg-warn');
  t.same(
    c.kernelLog.filter((m) => m.counted).map((m) => `${m.level} ${m.text}`),
    ['4 hilt-capture: a warning an IGT hook wrote to /dev/kmsg'],
  );
  t.ok(c.kernelLog.some((m) => m.text.startsWith('[IGT] core_auth: starting subtest getclient-simple') && !m.counted), 'the rest is there, not counted');
  t.match(c.message, /the kernel logged 1 message at warning level or worse: hilt-capture: a warning/);
  t.equal(caseOf('provoked/ignored-by-test-regex').status, 'pass', 'a pattern the test announced');
  t.equal(caseOf('provoked/stderr-warn').status, 'pass', 'a line IGT did not write on stderr');
});

t.test('a crash in a dynamic subtest: it crashes, its subtest warns (igt_runner: warn, crash)', async (t) => {
  const c = caseOf('provoked/dynamic-crash');
  t.same([c.status, ...c.subtests.map((s) => `${s.name} ${s.status}`)], ['warn', 'pipe-A-Virtual-1 crash']);
  for (const line of ['Starting dynamic subtest: pipe-A-Virtual-1', 'Dynamic subtest pipe-A-Virtual-1: CRASH (0.115s)', 'stderr: Received signal SIGSEGV.']) {
    t.ok(c.subtests[0]!.console.includes(line), `its console has: ${line}`);
  }
});

t.test("the agent's watchdog killed it: timeout", async (t) => {
  const c = caseOf('provoked/timeout');
  t.equal(c.status, 'timeout');
  t.equal(caseOf('provoked/timeout', { exit: null }).status, 'timeout', "the host's watchdog (no exit seen): timeout too");
});

t.test('the machine went down inside a dynamic subtest (crafted outcome on a real run): the subtest and that dynamic subtest crash', async (t) => {
  const a = attemptOf('subtest/kms_flip_event_leak@basic', { outcome: 'crash', message: 'the kernel panicked during this case', exit: null });
  // What the console had before the kernel died: up to the dynamic subtest's start.
  const cut = (lines: string[]) => lines.slice(0, lines.findIndex((l) => l.startsWith('Starting dynamic subtest')) + 1);
  const out = cut(a.streams!.out.lines());
  const err = cut(a.streams!.err.lines());
  a.streams = newStreams();
  out.forEach((l) => a.streams!.out.push(l));
  err.forEach((l) => a.streams!.err.push(l));
  a.crashLines = ['[   12.345678] Kernel panic - not syncing: sysrq triggered crash'];
  const c = igtCase({ index: 0, suite: 'igt@kms_flip_event_leak', case: 'basic', timeoutMs: 1 }, a, { durationMs: null, console: [], kernelLog: [], attempts: 1 }, DEFAULT_IGT_DMESG, crashMessage);
  t.same([c.status, c.message], ['crash', 'the kernel panicked during this case: Kernel panic - not syncing: sysrq triggered crash']);
  t.same(c.subtests.map((s) => `${s.name} ${s.status}`), ['pipe-A-Virtual-1 crash']);
});

t.test('hilt stopped during it: abort; the agent could not start it: incomplete', async (t) => {
  const abort = caseOf('subtest/core_auth@basic-auth', { outcome: 'abort', message: 'the run was interrupted during this case', exit: null });
  t.same([abort.status, abort.message], ['abort', 'the run was interrupted during this case']);
  const notrun = caseOf('subtest/core_auth@basic-auth', { outcome: 'notrun', message: 'not run: could not start the suite binary' });
  t.same([notrun.status, notrun.message], ['incomplete', 'not run: could not start the suite binary']);
});

t.test('a program without subtests is one case named igt@program', async (t) => {
  const c = caseOf('whole/core_setmaster_vs_auth');
  t.same([c.name, c.status, c.subtests.length], ['igt@core_setmaster_vs_auth', 'pass', 0]);
});
