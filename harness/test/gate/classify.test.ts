/**
 * Verdicts against a baseline, case by case: the table in gate/classify.ts
 * checked one row at a time on hand-made results (pure code, plain data),
 * then a whole run judged, the plan cut by skips, and baselines from files
 * and profiles joined.
 */
import t from 'tap';
import { type Baseline, type BaselineDocument, ExpectationIndex, baselineFromDocument, baselineFromProfiles, combineBaselines } from '../../src/gate/baseline.js';
import { applyGate, classifyCase, foldOutcomes, gateBlocks, repeatedRuns, retryWanted, skipPlanned } from '../../src/gate/classify.js';
import { DEFAULT_DMESG, DEFAULT_MACHINE, DEFAULT_TIMEOUTS } from '../../src/plan/defaults.js';
import type { RunPlan } from '../../src/plan/types.js';
import type { CaseResult, Observation, Status } from '../../src/results/model.js';
import { BASELINE_SCHEMA } from '../../src/gate/baseline.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { aCase, runOf } from '../report/fixture.js';

const obs = (driver: string): Observation => ({ type: 'drm.version', data: { device: 'card0', driver }, verdicts: [] });
const onDriver = (name: string, status: Status, driver: string, extra: Partial<CaseResult> = {}) => aCase(name, status, { observations: [obs(driver)], ...extra });

const DOC: BaselineDocument = {
  name: 'qemu-6.12',
  expectedFailures: [
    { case: 'drm-core/version', reason: 'bad date', reference: 'https://bugs.example/1' },
    { case: 'faults/panic', status: 'crash', reason: 'panics on purpose' },
    { case: 'dma-buf/mmap-offset', driver: 'vgem', reason: 'vm_pgoff ignored' },
    { pattern: '^igt/igt@kms_', status: 'timeout', reason: 'no display' },
    { case: 'fences/poll', reason: 'fixed in 6.13' },
  ],
  flakes: [{ pattern: 'syncobj/wait', reason: 'timing' }],
  skips: [{ case: 'faults/hang', reason: 'hangs' }, { pattern: '^whole-prog/slow-' , reason: 'slow' }, { case: 'kselftest-x', reason: 'a whole program' }],
};

function ctx(doc: BaselineDocument = DOC, unexpectedPassBlocks = false) {
  const b = baselineFromDocument(doc, 'b.yaml');
  return { index: new ExpectationIndex(b.expectations), unexpectedPassBlocks };
}

t.test('the baseline schema takes the document and refuses what it cannot be', async (t) => {
  const registry = new SchemaRegistry();
  t.same(registry.validate(BASELINE_SCHEMA, DOC), []);
  const bad = (doc: unknown) => registry.validate(BASELINE_SCHEMA, doc).map((v) => `${v.path} ${v.message}`);
  t.ok(bad({ name: 'x', expectedFailures: [{ case: 'a/b', pattern: 'x', reason: 'r' }] }).length, 'case and pattern both');
  t.ok(bad({ name: 'x', expectedFailures: [{ case: 'a/b' }] }).length, 'no reason');
  t.ok(bad({ name: 'x', expectedFailures: [{ case: 'a/b', status: 'pass', reason: 'r' }] }).length, 'a pass is not a failure');
  t.ok(bad({ name: 'x', skips: [{ case: 'a/b', driver: 'vgem', reason: 'r' }] }).length, 'skips have no driver');
  t.ok(bad({ name: 'x', flakes: [{ pattern: '(', reason: 'r' }] }).length, 'a pattern must be a regular expression');
  t.ok(bad({ name: 'x', rules: { unexpectedPass: 'maybe' } }).length);
  t.throws(() => baselineFromDocument({ name: 'x', skips: [{ pattern: '[', reason: 'r' }] }, 'b.yaml'), { kind: 'usage', message: /b\.yaml: skips\[0\]: \/\[\/ is not a valid regular expression/ });
});

t.test('one case at a time', async (t) => {
  const c = ctx();
  const judge = (suite: string, k: CaseResult, outcomes?: { status: Status; message: string }[]) => classifyCase(suite, k, c, outcomes);

  t.equal(judge('drm-core', aCase('open', 'pass')), null, 'a plain pass nothing names: nothing to store');
  t.match(judge('drm-core', aCase('open', 'fail')), { class: 'new-failure', blocks: true }, 'a failure nothing names');
  t.match(judge('drm-core', aCase('version', 'fail')), { class: 'expected-failure', blocks: false, reason: 'expected failure: bad date [https://bugs.example/1] (b.yaml)', entry: { source: 'b.yaml', match: 'drm-core/version', reference: 'https://bugs.example/1' } });
  t.match(judge('drm-core', aCase('version', 'crash')), { class: 'new-failure', blocks: true, reason: /expects fail .* but it ended with crash/ }, 'worse than expected: new');
  t.match(judge('faults', aCase('panic', 'crash')), { class: 'expected-failure' }, 'the status it is expected to fail with');
  t.match(judge('faults', aCase('panic', 'fail')), { class: 'expected-failure', reason: /it ended with fail, milder than the crash the baseline expects: update the entry/ }, 'milder than expected: still expected');
  t.match(judge('igt', aCase('igt@kms_flip@basic', 'timeout')), { class: 'expected-failure', entry: { match: '/^igt/igt@kms_/' } }, 'by pattern, searched in suite/case');
  t.equal(judge('other', aCase('igt@kms_flip@basic', 'pass')), null, 'an anchored pattern does not match elsewhere');
  t.match(judge('fences', aCase('poll', 'pass')), { class: 'unexpected-pass', blocks: false, reason: /passed, but the baseline expects fail: fixed in 6\.13 .*remove the entry/ });
  t.match(classifyCase('fences', aCase('poll', 'pass'), ctx(DOC, true)), { class: 'unexpected-pass', blocks: true }, 'blocks when the baseline says so');
  t.equal(judge('fences', aCase('poll', 'skip')), null, 'a skip of an expected failure is a skip');

  // Flakes: a failure and a pass of the same case; or a known flake.
  t.match(judge('drm-core', aCase('open', 'pass'), [{ status: 'fail', message: 'EBUSY' }, { status: 'pass', message: '' }]), {
    class: 'flake',
    blocks: false,
    reason: 'failed 1 of 2 runs and passed the others (fail, pass): EBUSY',
    outcomes: [{ status: 'fail' }, { status: 'pass' }],
  });
  t.match(judge('syncobj', aCase('wait', 'timeout')), { class: 'flake', blocks: false, reason: /^a known flake: timing \(b\.yaml\); it ended timeout/ });
  t.match(judge('syncobj', aCase('wait', 'fail'), [{ status: 'fail', message: 'x' }, { status: 'fail', message: 'y' }]), { class: 'flake', outcomes: [{}, {}] }, 'a known flake that failed every run does not block');
  t.match(judge('drm-core', aCase('open', 'pass'), [{ status: 'pass', message: '' }, { status: 'pass', message: '' }]), { class: 'pass', outcomes: [{}, {}] }, 'repeated passes keep their runs');

  // Skips: not judged, whatever happened.
  t.match(judge('whole-prog', aCase('slow-one', 'fail')), { class: 'skip', blocks: false, reason: /baseline skips it: slow/ });

  // Per device: an entry for vgem excuses vgem's subtest only.
  const mmap = (a: Status, b: Status) => aCase('mmap-offset', a === 'fail' || b === 'fail' ? 'fail' : 'pass', { subtests: [onDriver('card0', a, 'vgem'), onDriver('card1', b, 'virtio_gpu')] });
  t.match(judge('dma-buf', mmap('fail', 'pass')), { class: 'expected-failure' }, 'fails on vgem, as expected');
  t.match(judge('dma-buf', mmap('fail', 'fail')), { class: 'new-failure', reason: /also fails on virtio_gpu, which the baseline entry for vgem does not cover/ }, 'and on virtio_gpu: new');
  t.match(judge('dma-buf', mmap('pass', 'pass')), { class: 'unexpected-pass', reason: /^passed on vgem/ }, 'passes on vgem: unexpected');
  t.match(judge('dma-buf', aCase('mmap-offset', 'pass', { subtests: [onDriver('card1', 'pass', 'virtio_gpu')] })), null, 'no vgem device: the entry does not apply');
});

t.test('retryWanted: a failure the baseline expects is not run again; a new one is', async (t) => {
  const wanted = retryWanted(baselineFromDocument(DOC, 'b.yaml'));
  t.equal(wanted('drm-core', aCase('version', 'fail')), false, 'an expected failure');
  t.equal(wanted('drm-core', aCase('version', 'crash')), true, 'worse than expected');
  t.equal(wanted('drm-core', aCase('open', 'fail')), true, 'a new failure');
  t.equal(wanted('drm-core', aCase('open', 'pass')), false, 'a pass');
  t.match(classifyCase('drm-core', aCase('version', 'pass'), ctx(), [{ status: 'fail', message: 'x' }, { status: 'pass', message: '' }]), { class: 'flake', reason: /the baseline expects it to fail \(bad date/ }, 'an expected failure that passed on a retry is a flake, and says so');
});

t.test('foldOutcomes: how often each status came up', async (t) => {
  const f = foldOutcomes([
    { status: 'fail', message: '' },
    { status: 'pass', message: '' },
    { status: 'fail', message: '' },
    { status: 'crash', message: '' },
  ]);
  t.same(f.tally, { fail: 2, pass: 1, crash: 1 });
  t.equal(f.flaky, true);
  t.equal(f.worst, 'crash');
  t.equal(foldOutcomes([{ status: 'fail', message: '' }]).flaky, false);
});

function plan(): RunPlan {
  const suite = (name: string, cases: string[], mode: 'cases' | 'whole' = 'cases') => ({ name, description: '', modules: [], timeoutMs: 30_000, default: true, binary: `/x/${name}`, mode, cases });
  const suites = [suite('faults', ['pass', 'hang', 'panic']), suite('drm-core', ['version']), suite('kselftest-x', [], 'whole')];
  const tests = [
    ['faults', 'pass'],
    ['faults', 'hang'],
    ['faults', 'panic'],
    ['drm-core', 'version'],
    ['kselftest-x', '-'],
  ].map(([s, c], index) => ({ index, suite: s!, case: c!, timeoutMs: 30_000 }));
  return { kernel: 'debian:linux-image-6.12-amd64', machine: DEFAULT_MACHINE, suites, tests, out: '/tmp/x', timeouts: { ...DEFAULT_TIMEOUTS }, dmesg: DEFAULT_DMESG, profiles: [], retries: 0, abortOn: [], jobs: 1, repeat: 1 };
}

t.test('skipPlanned: skipped tests leave the plan, which is numbered again', async (t) => {
  const b = baselineFromDocument(DOC, 'b.yaml');
  const { plan: kept, skipped } = skipPlanned(plan(), b);
  t.same(kept.tests.map((x) => `${x.index}:${x.suite}/${x.case}`), ['0:faults/pass', '1:faults/panic', '2:drm-core/version']);
  t.same(kept.suites.map((s) => s.name), ['faults', 'drm-core'], 'a suite with no test left goes too');
  t.same(skipped.map((s) => [s.suite, s.case, s.entry.reason]), [
    ['faults', 'hang', 'hangs'],
    ['kselftest-x', null, 'a whole program'],
  ]);
  const none = skipPlanned(plan(), baselineFromDocument({ name: 'n' }, 'n.yaml'));
  t.same(none.skipped, []);
});

t.test('applyGate: a run judged whole, the skipped tests reported, counts and blocking summed', async (t) => {
  const b = baselineFromDocument(DOC, 'b.yaml');
  const { skipped } = skipPlanned(plan(), b);
  const run = runOf([
    { name: 'faults', mode: 'cases', status: 'crash', durationMs: 1, exits: [], cases: [aCase('pass', 'pass'), aCase('panic', 'crash')] },
    { name: 'drm-core', mode: 'cases', status: 'fail', durationMs: 1, exits: [], cases: [aCase('version', 'dmesg-fail')] },
    { name: 'fences', mode: 'cases', status: 'pass', durationMs: 1, exits: [], cases: [aCase('poll', 'pass')] },
  ]);
  const judged = applyGate(run, b, { skipped, repro: (s, c) => ['hilt', 'run', '--suite', `${s.name}:${c.name}`] });
  t.same(judged.gate, { sources: ['b.yaml'], counts: { 'new-failure': 1, 'expected-failure': 1, 'unexpected-pass': 1, flake: 0, pass: 1, skip: 2 }, blocking: 1, unexpectedPassBlocks: false });
  t.same(judged.counts, { ...run.counts, skip: 2, total: 6 }, 'status counts include the skipped tests');
  const faults = judged.suites.find((s) => s.name === 'faults')!;
  t.same(faults.cases.map((c) => `${c.name}:${c.status}:${c.gate?.class ?? '-'}`), ['pass:pass:-', 'panic:crash:expected-failure', 'hang:skip:skip']);
  t.match(faults.cases[2], { attempts: 0, durationMs: null, message: 'skipped by the baseline: hangs (b.yaml)', gate: { entry: { match: 'faults/hang' } } });
  t.match(judged.suites.find((s) => s.name === 'kselftest-x'), { mode: 'whole', status: 'skip', cases: [{ name: 'kselftest-x', status: 'skip' }] }, 'a skipped whole program is reported');
  const version = judged.suites.find((s) => s.name === 'drm-core')!.cases[0]!;
  t.match(version.gate, { class: 'new-failure', repro: ['hilt', 'run', '--suite', 'drm-core:version'] }, 'dmesg-fail is worse than the fail expected; with its command line');
  t.equal(faults.cases[0], run.suites[0]!.cases[0], 'a plain pass is shared, not copied');
  t.equal(gateBlocks(judged), true);
  // Judged again (a merge, a report): the skipped tests stay skipped, runs and command lines stay.
  const again = applyGate(judged, b);
  t.same(again.gate, judged.gate);
  t.same(again.suites.find((s) => s.name === 'drm-core')!.cases[0]!.gate?.repro, version.gate!.repro);
  t.equal(gateBlocks(applyGate(run, combineBaselines([b, baselineFromDocument({ name: 'more', expectedFailures: [{ case: 'drm-core/version', status: 'dmesg-fail', reason: 'warns too' }] }, 'more.yaml')]))), false, 'a second baseline excuses the last one');
});

t.test('profiles’ known issues are expected failures on their driver: one mechanism, two sources', async (t) => {
  const fromProfiles = baselineFromProfiles([
    { name: 'vgem', doc: { match: { driver: 'vgem' }, knownIssues: [{ case: 'dma-buf/mmap-offset', reason: 'vm_pgoff', reference: 'drm_gem_shmem_fault' }] } },
    { name: 'virtio-gpu', doc: { match: { driver: 'virtio_gpu' } } },
  ]);
  t.same(fromProfiles.sources, ['profile vgem']);
  t.match(fromProfiles.expectations, [{ kind: 'expected-failure', case: 'dma-buf/mmap-offset', driver: 'vgem', status: 'fail', source: 'profile vgem', reference: 'drm_gem_shmem_fault' }]);
  const both: Baseline = combineBaselines([fromProfiles, baselineFromDocument({ name: 'file', rules: { unexpectedPass: 'block', observationChanges: 'acknowledged' } }, 'f.yaml')]);
  t.same([both.sources, both.unexpectedPass, both.observationChanges], [['profile vgem', 'f.yaml'], 'block', 'acknowledged'], 'sources in order, the strictest rules');
  const c = { index: new ExpectationIndex(both.expectations), unexpectedPassBlocks: true };
  t.match(classifyCase('dma-buf', aCase('mmap-offset', 'fail', { subtests: [onDriver('card0', 'fail', 'vgem')] }), c), { class: 'expected-failure', entry: { source: 'profile vgem' } });
});

t.test('retries and --repeat: the runs of a case come from the fold (previous) and from its copies', async (t) => {
  const b = baselineFromDocument({ name: 'b' }, 'b.yaml');
  const retried = applyGate(runOf([{ name: 'x', mode: 'cases', status: 'pass', durationMs: 1, exits: [], cases: [aCase('c', 'pass', { previous: [{ status: 'fail', message: 'EIO' }] })] }]), b);
  t.match(retried.suites[0]!.cases[0]!.gate, { class: 'flake', outcomes: [{ status: 'fail', message: 'EIO' }, { status: 'pass', message: '' }] }, 'a retry that passed');
  const copies = runOf([{ name: 'x', mode: 'cases', status: 'fail', durationMs: 1, exits: [], cases: [aCase('c', 'pass'), aCase('d', 'pass'), aCase('c', 'fail'), aCase('d', 'pass'), aCase('c', 'pass')] }]);
  const runs = repeatedRuns(copies);
  t.same([...runs.keys()], ['x/c', 'x/d']);
  t.same(runs.get('x/c')!.map((o) => o.status), ['pass', 'fail', 'pass']);
  const judged = applyGate(copies, b, { outcomes: (s, c) => runs.get(`${s}/${c}`) });
  t.same(judged.suites[0]!.cases.map((c) => `${c.name}:${c.gate?.class ?? '-'}`), ['c:flake', 'd:pass', 'c:flake', 'd:pass', 'c:flake'], 'every copy judged on all the rounds');
  t.match(judged.suites[0]!.cases[0]!.gate!.reason, /^failed 1 of 3 runs and passed the others \(pass, fail, pass\)/);
});
