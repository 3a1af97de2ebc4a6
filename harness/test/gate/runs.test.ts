/**
 * The gate's work across runs, as pure code on plain data: compare two runs
 * (cases and observed values), slice a plan into shards, merge shards back,
 * the command line that reproduces a case, and the baseline a run implies.
 */
import t from 'tap';
import { baselineFromDocument } from '../../src/gate/baseline.js';
import { applyGate } from '../../src/gate/classify.js';
import { compareRuns, comparisonFails, comparisonText, describeObservationChange } from '../../src/gate/compare.js';
import { mergeResults } from '../../src/gate/merge.js';
import { exactKernelSpec, reproCommand, reproPlan, shellQuote } from '../../src/gate/repro.js';
import { parseShard, shardOf } from '../../src/gate/shard.js';
import { updateBaseline } from '../../src/gate/update.js';
import { DEFAULT_DMESG, DEFAULT_MACHINE, DEFAULT_TIMEOUTS } from '../../src/plan/defaults.js';
import type { RunPlan } from '../../src/plan/types.js';
import type { CaseResult, Observation, RunResult, SuiteResult } from '../../src/results/model.js';
import { aCase, runOf } from '../report/fixture.js';

const obs = (type: string, data: Record<string, unknown>): Observation => ({ type, data, verdicts: [] });
const suite = (name: string, cases: CaseResult[], mode: 'cases' | 'whole' = 'cases'): SuiteResult => ({ name, mode, status: 'pass', durationMs: 1, exits: [], cases });

function caps(dumbErrno: number, syncobjValue: number, elapsed: number): CaseResult {
  return aCase('get-cap', 'pass', {
    subtests: [
      aCase('card0', 'pass', {
        observations: [
          obs('drm.cap', { device: 'card0', driver: 'vgem', cap: 'DRM_CAP_DUMB_BUFFER', errno: dumbErrno, value: null }),
          obs('drm.cap', { device: 'card0', driver: 'vgem', cap: 'DRM_CAP_SYNCOBJ', errno: 0, value: syncobjValue }),
          obs('syncobj.wait', { device: 'card0', scenario: 'signalled', errno: 0, elapsed_us: elapsed, fences: [{ timestamp_ns: elapsed * 1000, status: 1 }] }),
        ],
      }),
    ],
  });
}

t.test('compare: cases fixed, regressed, added, vanished, changed; observed values that changed, times left out', async (t) => {
  const old = runOf([suite('drm-core', [caps(95, 0, 17), aCase('version', 'fail'), aCase('open', 'pass'), aCase('gone', 'pass'), aCase('flip', 'fail')])], { id: 'old-run' });
  const next = runOf([suite('drm-core', [caps(0, 1, 99), aCase('version', 'pass'), aCase('open', 'crash'), aCase('new-one', 'fail'), aCase('flip', 'timeout')])], { id: 'new-run' });
  const cmp = compareRuns(old, next, { source: 'old/results.json' });
  t.same(cmp.against, { id: 'old-run', kernel: '6.12.117+deb12-amd64', source: 'old/results.json' });
  t.same(cmp.fixed, [{ case: 'drm-core/version', old: 'fail', new: 'pass' }]);
  t.same(cmp.regressed, [{ case: 'drm-core/open', old: 'pass', new: 'crash' }]);
  t.same(cmp.added, [{ case: 'drm-core/new-one', old: null, new: 'fail' }]);
  t.same(cmp.vanished, [{ case: 'drm-core/gone', old: 'pass', new: null }]);
  t.same(cmp.changed, [{ case: 'drm-core/flip', old: 'fail', new: 'timeout' }]);
  t.same(cmp.observations, [
    { case: 'drm-core/get-cap/card0', type: 'drm.cap', which: '#1 (cap=DRM_CAP_DUMB_BUFFER)', path: '/errno', old: 95, new: 0 },
    { case: 'drm-core/get-cap/card0', type: 'drm.cap', which: '#2 (cap=DRM_CAP_SYNCOBJ)', path: '/value', old: 0, new: 1 },
  ], 'both passed, two values changed; elapsed_us and timestamp_ns are not compared');
  t.equal(describeObservationChange(cmp.observations[0]!), 'drm-core/get-cap/card0 drm.cap #1 (cap=DRM_CAP_DUMB_BUFFER) /errno: 95 -> 0');
  t.equal(comparisonFails(cmp), true, 'a regression fails it');
  t.match(comparisonText(cmp), /regressed: 1\n  drm-core\/open: pass -> crash\nfixed: 1/);

  const same = compareRuns(old, runOf([suite('drm-core', [caps(95, 0, 5000)])]), { source: 'x' });
  t.same(same.observations, [], 'only the times differ: no change');

  // An observation that appears or vanishes, and a whole subtest (a new device).
  const more = runOf([suite('drm-core', [aCase('get-cap', 'pass', { subtests: [...caps(95, 0, 1).subtests, aCase('card1', 'pass', { observations: [obs('drm.cap', { cap: 'X', errno: 0 })] })] })])]);
  t.match(compareRuns(old, more, { source: 'x' }).observations, [{ case: 'drm-core/get-cap/card1', type: 'drm.cap', which: '#1 (cap=X)', path: '', old: null, new: { cap: 'X', errno: 0 } }]);
});

t.test('compare: the baseline acknowledges changes and says whether the rest may exist', async (t) => {
  const old = runOf([suite('drm-core', [caps(95, 0, 1)])]);
  const next = runOf([suite('drm-core', [caps(0, 1, 1)])]);
  const judge = (doc: object) => compareRuns(old, next, { source: 'x', baseline: baselineFromDocument({ name: 'b', ...doc }, 'b.yaml') });
  const ack = judge({ rules: { observationChanges: 'acknowledged' }, acknowledgedChanges: [{ case: '^drm-core/get-cap/', type: 'drm.cap', path: '/value', reason: 'SYNCOBJ now advertised', reference: 'commit abc' }] });
  t.same(ack.observations.map((o) => o.acknowledged ?? null), [null, 'SYNCOBJ now advertised [commit abc] (b.yaml)']);
  t.equal(ack.uapiBlocks, true, 'one change is not acknowledged');
  const all = judge({ rules: { observationChanges: 'acknowledged' }, acknowledgedChanges: [{ type: 'drm.cap', reason: 'new kernel' }] });
  t.equal(all.uapiBlocks, false, 'every change acknowledged');
  t.equal(judge({ rules: { observationChanges: 'empty' }, acknowledgedChanges: [{ reason: 'all' }] }).uapiBlocks, true, 'empty: no change at all, acknowledged or not');
  t.equal(judge({}).uapiBlocks, false, 'report: never blocks');
  t.equal(comparisonFails(judge({})), false);
});

function plan(extra: Partial<RunPlan> = {}): RunPlan {
  const suites = [
    { name: 'drm-core', description: '', modules: ['vgem'], timeoutMs: 30_000, default: true, binary: '/src/suites/build/drm-core', mode: 'cases' as const, cases: ['open', 'version', 'get-cap'] },
    { name: 'kself', description: '', modules: [], timeoutMs: 600_000, default: false, binary: '/home/me/kself test', mode: 'whole' as const, cases: [] },
  ];
  const tests = [
    { suite: 'drm-core', case: 'open' },
    { suite: 'drm-core', case: 'version' },
    { suite: 'drm-core', case: 'get-cap' },
    { suite: 'kself', case: '-' },
  ].map((x, index) => ({ ...x, index, timeoutMs: x.suite === 'kself' ? 600_000 : 30_000 }));
  return { kernel: 'debian:linux-image-6.12-amd64', machine: DEFAULT_MACHINE, suites, tests, out: '/ci/reports', timeouts: { ...DEFAULT_TIMEOUTS }, dmesg: DEFAULT_DMESG, profiles: [], retries: 1, abortOn: [], jobs: 1, repeat: 1, ...extra };
}

const env = (source: unknown) => runOf([], { environment: { ...runOf([]).environment, kernel: { spec: 'x', release: 'r', configSha256: null, source } } }).environment;
const DEB = env({ type: 'debian', package: 'linux-image-6.12.117+deb12-amd64', version: '6.12.117-1~deb12u1' });

t.test('repro: the exact kernel, only the case, the machine and plan settings as flags', async (t) => {
  t.same(exactKernelSpec('debian:linux-image-6.12-amd64', DEB.kernel), { spec: 'debian:linux-image-6.12.117+deb12-amd64=6.12.117-1~deb12u1', exact: true });
  t.same(exactKernelSpec('path:/k/bzImage,modules=/m', env({ type: 'path', sha256: 'ab'.repeat(32) }).kernel), { spec: `path:/k/bzImage,modules=/m,sha256=${'ab'.repeat(32)}`, exact: true });
  t.same(exactKernelSpec('path:/k/bzImage', env({ type: 'path' }).kernel), { spec: 'path:/k/bzImage', exact: false }, 'results from before image hashes');

  t.same(reproCommand(plan({ retries: 0 }), DEB, 'drm-core', 'version')!.argv.slice(-2), ['--retries', '0'], 'retries as the run had them');
  t.same(reproCommand(plan(), DEB, 'drm-core', 'version'), {
    argv: ['hilt', 'run', '--kernel', 'debian:linux-image-6.12.117+deb12-amd64=6.12.117-1~deb12u1', '--suite', 'drm-core:version'],
    exact: true,
    why: [],
  });
  const busy = plan({ machine: { ...DEFAULT_MACHINE, memoryMb: 2048, accel: 'tcg' }, profiles: ['habanalabs-gaudi2'], abortOn: ['taint'], timeouts: { ...DEFAULT_TIMEOUTS, bootMs: 300_000 } });
  t.same(reproCommand(busy, DEB, 'drm-core', 'version')!.argv.slice(4), ['--suite', 'drm-core:version', '--memory', '2048', '--accel', 'tcg', '--boot-timeout', '300', '--profile', 'habanalabs-gaudi2', '--abort-on', 'taint']);
  t.same(
    reproCommand(plan({ optional: ['vgem', '/dev/udmabuf'] }), DEB, 'drm-core', 'version')!.argv.slice(4),
    ['--suite', 'drm-core:version', '--optional', 'vgem'],
    'what the run let the machine lack, as far as the suite requires it (drm-core does not require /dev/udmabuf: the flag would be refused)',
  );
  t.same(reproCommand(plan(), DEB, 'kself', 'some-ktap-case')!.argv.slice(4), ['--suite-bin', 'kself=/home/me/kself test', '--case-timeout', '600'], 'a program run whole runs whole');
  t.same(reproCommand(plan(), DEB, 'drm-core', 'exit-status')!.argv.slice(4), ['--suite', 'drm-core:open,version,get-cap'], 'what the suite process did: the whole suite');
  t.equal(reproCommand(plan(), DEB, 'profile-requirements', 'habanalabs-gaudi2'), null, 'a requirement is no test');
  const odd = plan({ machine: { ...DEFAULT_MACHINE, devices: ['virtio-gpu-pci', 'ivshmem-plain'] } });
  t.same(reproCommand(odd, DEB, 'drm-core', 'version', '/ci/reports/results.json'), {
    argv: ['hilt', 'repro', '/ci/reports/results.json', 'drm-core/version'],
    exact: true,
    why: ['the machine profile qemu-x86_64 cannot be said with flags: hilt repro takes them from the results'],
  });
  t.match(reproCommand(odd, DEB, 'drm-core', 'version'), { exact: false, why: ['the machine profile qemu-x86_64 cannot be said with flags'] }, 'no results path: the flags, marked inexact');

  t.equal(shellQuote(['hilt', 'run', '--kernel', 'debian:a=1~b', '--suite-bin', "k=/home/me/kself test", "it's"]), "hilt run --kernel 'debian:a=1~b' --suite-bin 'k=/home/me/kself test' 'it'\\''s'");
  const rp = reproPlan(plan(), DEB, 'drm-core', 'version', '/tmp/r')!;
  t.same([rp.kernel, rp.suites.map((s) => s.name), rp.tests, rp.out, rp.retries, rp.jobs, rp.repeat], ['debian:linux-image-6.12.117+deb12-amd64=6.12.117-1~deb12u1', ['drm-core'], [{ index: 0, suite: 'drm-core', case: 'version', timeoutMs: 30_000 }], '/tmp/r', 1, 1, 1]);
  const repeated = plan({ repeat: 3, tests: [0, 1, 2].flatMap((r) => plan().tests.map((x, i) => ({ ...x, index: r * 4 + i, repeat: r + 1 }))) });
  t.same(reproCommand(repeated, DEB, 'drm-core', 'version')!.argv.slice(4), ['--suite', 'drm-core:version'], '--repeat: the case once');
});

t.test('shards: every test in exactly one, contiguous and in order, balanced by weight', async (t) => {
  const tests = Array.from({ length: 10 }, (_, i) => i);
  const three = [1, 2, 3].map((k) => shardOf(tests, k, 3));
  t.same(three, [[0, 1, 2], [3, 4, 5, 6], [7, 8, 9]]);
  t.same(three.flat(), tests, 'concatenated in shard order: the plan again');
  t.same(shardOf(tests, 1, 1), tests);
  t.same([1, 2, 3, 4].map((k) => shardOf([0, 1], k, 4)), [[], [0], [], [1]], 'more shards than tests: some are empty (each test where the middle of its weight falls)');
  const heavy = (i: number) => (i === 0 ? 9 : 1);
  t.same([shardOf(tests, 1, 2, heavy), shardOf(tests, 2, 2, heavy)], [[0], [1, 2, 3, 4, 5, 6, 7, 8, 9]], 'by weight: the heavy test alone');
  t.same(parseShard('2/4'), { index: 2, count: 4 });
  for (const bad of ['0/2', '3/2', '1', 'a/b', '1/0']) t.throws(() => parseShard(bad), { kind: 'usage', message: /--shard/ }, bad);
});

function shardRun(name: string, tests: [string, string][], cases: Record<string, CaseResult[]>, over: Partial<RunResult> = {}, shard?: { index: number; count: number }): RunResult {
  const p = plan();
  const planned = tests.map(([s, c], index) => ({ index, suite: s, case: c, timeoutMs: 30_000 }));
  const suites = p.suites.filter((s) => planned.some((x) => x.suite === s.name));
  return runOf(Object.entries(cases).map(([n, cs]) => suite(n, cs)), { id: name, plan: { ...p, tests: planned, suites, ...(shard ? { shard } : {}) }, ...over });
}

t.test('merge: shards joined in shard order; parts of another run refused', async (t) => {
  const one = shardRun('s1', [['drm-core', 'open'], ['drm-core', 'version']], { 'drm-core': [aCase('open', 'pass'), aCase('version', 'fail')] }, {}, { index: 1, count: 2 });
  const two = shardRun('s2', [['drm-core', 'get-cap'], ['kself', '-']], { 'drm-core': [aCase('get-cap', 'skip')], kself: [aCase('a', 'pass'), aCase('b', 'pass')] }, { problems: ['boot 1: a console record was corrupted'] }, { index: 2, count: 2 });
  const merged = mergeResults([{ run: two, source: 'b/results.json' }, { run: one, source: 'a/results.json' }], { out: '/m' });
  t.same(merged.suites.map((s) => `${s.name}:${s.cases.map((c) => c.name).join(',')}:${s.status}`), ['drm-core:open,version,get-cap:fail', 'kself:a,b:pass'], 'in shard order, whatever order given');
  t.same(merged.counts, { ...merged.counts, pass: 3, fail: 1, skip: 1, total: 5 });
  t.same((merged.plan as RunPlan).tests.map((x) => `${x.index}:${x.suite}/${x.case}`), ['0:drm-core/open', '1:drm-core/version', '2:drm-core/get-cap', '3:kself/-']);
  t.equal((merged.plan as RunPlan).out, '/m');
  t.notOk('shard' in (merged.plan as object), 'the merged plan is no shard');
  t.same(merged.boots.map((b) => [b.boot, b.start]), [[1, 0], [2, 4], [3, 2], [4, 6]], 'boots numbered on, their first test in the merged plan');
  t.same(merged.problems, ['shard 2/2: boot 1: a console record was corrupted']);
  t.equal(merged.status, 'complete');
  t.match(merged.id, /^merged-[0-9a-f]{16}$/);

  const alone = mergeResults([{ run: one, source: 'a' }]);
  t.equal(alone.status, 'incomplete', 'a shard missing: incomplete');
  t.same(alone.problems, ['shard 2 of 2 missing from the merge: their cases are not in these results']);

  const kernel = { ...two, environment: { ...two.environment, kernel: { ...two.environment.kernel, release: '6.13.0' } } };
  t.throws(() => mergeResults([{ run: one, source: 'a' }, { run: kernel, source: 'b' }]), { kind: 'usage', message: 'a and b are not parts of one run: the kernels differ (6.12.117+deb12-amd64 against 6.13.0)' });
  const hilt = { ...two, environment: { ...two.environment, hilt: { version: '0.2.0', commit: null } } };
  t.throws(() => mergeResults([{ run: one, source: 'a' }, { run: hilt, source: 'b' }]), { message: /the hilt versions differ/ });
  const machine = { ...two, plan: { ...(two.plan as RunPlan), machine: { ...DEFAULT_MACHINE, memoryMb: 4096 } } };
  t.throws(() => mergeResults([{ run: one, source: 'a' }, { run: machine, source: 'b' }]), { message: /the machine profiles differ/ });
  const dmesg = { ...two, plan: { ...(two.plan as RunPlan), dmesg: { ...DEFAULT_DMESG, level: 3 } } };
  t.throws(() => mergeResults([{ run: one, source: 'a' }, { run: dmesg, source: 'b' }]), { message: 'a and b are not parts of one run: their plans differ in dmesg' });
  t.throws(() => mergeResults([{ run: one, source: 'a' }, { run: one, source: 'a-again' }]), { message: 'a and a-again both ran drm-core/open: they are not disjoint shards of one plan' });
  t.throws(() => mergeResults([]), { kind: 'usage', message: 'nothing to merge' });
});

t.test('merge: --repeat puts a case in the plan once per round; the rounds in two shards are disjoint, not the same test twice', async (t) => {
  const rounds = (name: string, round: number, shard: { index: number; count: number }) => {
    const run = shardRun(name, [['drm-core', 'open']], { 'drm-core': [aCase('open', 'pass')] }, {}, shard);
    const p = run.plan as RunPlan;
    return { ...run, plan: { ...p, repeat: 2, tests: p.tests.map((x) => ({ ...x, repeat: round })) } };
  };
  const merged = mergeResults([{ run: rounds('r1', 1, { index: 1, count: 2 }), source: 'a' }, { run: rounds('r2', 2, { index: 2, count: 2 }), source: 'b' }]);
  t.equal(merged.counts.total, 2, 'both rounds kept');
  t.throws(() => mergeResults([{ run: rounds('r1', 1, { index: 1, count: 2 }), source: 'a' }, { run: rounds('r1', 1, { index: 2, count: 2 }), source: 'b' }]), { message: /a and b both ran drm-core\/open/ }, 'the same round twice is still refused');
});

t.test('merge keeps the shards’ gate verdicts and sums them', async (t) => {
  const b = baselineFromDocument({ name: 'b', expectedFailures: [{ case: 'drm-core/version', reason: 'r' }] }, 'b.yaml');
  const one = applyGate(shardRun('s1', [['drm-core', 'open'], ['drm-core', 'version']], { 'drm-core': [aCase('open', 'fail'), aCase('version', 'fail')] }, {}, { index: 1, count: 2 }), b);
  const two = applyGate(shardRun('s2', [['drm-core', 'get-cap']], { 'drm-core': [aCase('get-cap', 'pass')] }, {}, { index: 2, count: 2 }), b);
  const merged = mergeResults([{ run: one, source: 'a' }, { run: two, source: 'b' }]);
  t.same(merged.gate, { sources: ['b.yaml'], counts: { 'new-failure': 1, 'expected-failure': 1, 'unexpected-pass': 0, flake: 0, pass: 1, skip: 0 }, blocking: 1, unexpectedPassBlocks: false });

  // Shards planned from a plan the baseline had cut each report the cases it skipped: the merge lists them once.
  const skips = baselineFromDocument({ name: 's', skips: [{ case: 'drm-core/flip', reason: 'hangs' }] }, 's.yaml');
  const skipped = [{ suite: 'drm-core', case: 'flip', entry: skips.expectations[0]! }];
  const s1 = applyGate(shardRun('s1', [['drm-core', 'open']], { 'drm-core': [aCase('open', 'pass')] }, {}, { index: 1, count: 2 }), skips, { skipped });
  const s2 = applyGate(shardRun('s2', [['drm-core', 'version']], { 'drm-core': [aCase('version', 'pass')] }, {}, { index: 2, count: 2 }), skips, { skipped });
  t.same(mergeResults([{ run: s1, source: 'a' }, { run: s2, source: 'b' }]).suites[0]!.cases.map((c) => `${c.name}:${c.status}`), ['open:pass', 'flip:skip', 'version:pass']);
});

t.test('baseline update: new failures become entries to review, unexpected passes drop theirs', async (t) => {
  const doc = { name: 'qemu', expectedFailures: [{ case: 'drm-core/version', reason: 'bad date' }, { case: 'faults/panic', status: 'crash' as const, reason: 'on purpose' }] };
  const b = baselineFromDocument(doc, 'b.yaml');
  const run = applyGate(
    runOf([
      suite('drm-core', [aCase('version', 'pass'), aCase('open', 'timeout', { message: 'ran past its 30 s timeout' })]),
      suite('faults', [aCase('panic', 'fail')]),
      suite('dma-buf', [aCase('mmap', 'fail', { subtests: [aCase('card0', 'fail', { observations: [obs('x', { driver: 'vgem' })] }), aCase('card1', 'pass', { observations: [obs('x', { driver: 'virtio_gpu' })] })] })]),
      suite('syncobj', [aCase('wait', 'pass')]),
    ], { id: 'run-7' }),
    b,
    { outcomes: (s, c) => (s === 'syncobj' && c === 'wait' ? [{ status: 'fail', message: 'x' }, { status: 'pass', message: '' }] : undefined) },
  );
  const { doc: out, changes } = updateBaseline(run, doc, { source: 'b.yaml' });
  t.same(out.expectedFailures, [
    { case: 'faults/panic', status: 'fail', reason: 'on purpose' },
    { case: 'drm-core/open', status: 'timeout', reason: 'TODO: why does it fail? First seen in run run-7 on 6.12.117+deb12-amd64: ran past its 30 s timeout' },
    { case: 'dma-buf/mmap', driver: 'vgem', reason: 'TODO: why does it fail? First seen in run run-7 on 6.12.117+deb12-amd64: mmap went fail' },
  ].map((e) => (e.status === 'fail' ? (({ status: _s, ...rest }) => rest)(e) : e)));
  t.same(out.flakes, [{ case: 'syncobj/wait', reason: 'TODO: why is it flaky? It ran fail, pass in run run-7' }]);
  t.same(changes, [
    'drm-core/version: passed: expected failure removed',
    'drm-core/open: new failure (timeout): added as an expected failure; write its reason',
    'faults/panic: expected crash, now fail: status updated',
    'dma-buf/mmap: new failure (fail on vgem): added as an expected failure; write its reason',
    'syncobj/wait: flaked: added as a flake; write its reason',
  ]);
  t.same(doc.expectedFailures.length, 2, 'the input is left alone');
});

t.test('a shard plan: its slice numbered from 0, only the suites it uses, the slice named; an empty shard is refused', async (t) => {
  const { shardPlan } = await import('../../src/gate/shard.js');
  const tests = ['a/1', 'a/2', 'b/1', 'c/-'].map((n, index) => ({ index, suite: n.split('/')[0]!, case: n.split('/')[1]!, timeoutMs: 1 }));
  const plan = { tests, suites: ['a', 'b', 'c'].map((name) => ({ name })) } as unknown as import('../../src/plan/types.js').RunPlan;
  const second = shardPlan(plan, { index: 2, count: 2 });
  t.same(second.tests.map((x) => `${x.index}:${x.suite}/${x.case}`), ['0:b/1', '1:c/-']);
  t.same(second.suites.map((s) => s.name), ['b', 'c']);
  t.same(second.shard, { index: 2, count: 2 });
  const all = [1, 2, 3, 4].flatMap((k) => shardPlan(plan, { index: k, count: 4 }).tests.map((x) => `${x.suite}/${x.case}`));
  t.same(all, ['a/1', 'a/2', 'b/1', 'c/-'], 'four shards of four tests: one each, in order');
  t.throws(() => shardPlan(plan, { index: 3, count: 5 }), { kind: 'usage', message: /only 4 tests, none of them in this shard/ });
});
