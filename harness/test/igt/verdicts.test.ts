/**
 * IGT's verdicts from real captured runs, against igt_runner's own
 * results.json from the same boot, and against verdicts written here by hand;
 * crafted inputs (labelled so) for what the capture has no real case of.
 */
import t from 'tap';
import type { KernelMessage } from '../../src/igt/kmsg.js';
import { type IgtProcessRun, type IgtVerdict, judgeIgtProcess } from '../../src/igt/verdicts.js';
import { loadRun, runnerTests, runs } from './fixture.js';

const byName = (vs: IgtVerdict[]) => Object.fromEntries(vs.map((v) => [v.name, v]));

t.test('every subtest run by hand gets the verdict igt_runner gave it in the same boot', async (t) => {
  const reference = { ...runnerTests('runner-all'), ...runnerTests('runner-unload') };
  const hilt: Record<string, IgtVerdict> = {};
  for (const r of runs('subtest')) Object.assign(hilt, byName(judgeIgtProcess(loadRun(`subtest/${r}`))));
  hilt['igt@core_setmaster_vs_auth'] = judgeIgtProcess(loadRun('whole/core_setmaster_vs_auth'))[0]!;

  t.same(Object.keys(hilt).sort(), Object.keys(reference).sort(), 'the same names, dynamic subtests included');
  for (const [name, ref] of Object.entries(reference)) t.equal(hilt[name]?.result, ref.result, name);

  const counts: Record<string, number> = {};
  for (const v of Object.values(hilt)) counts[v.result] = (counts[v.result] ?? 0) + 1;
  // igt_runner's totals for runner-all (pass 53, skip 35, fail 9) plus vgem_basic@unload (fail).
  t.same(counts, { pass: 53, skip: 35, fail: 10 });
  t.same(
    Object.values(hilt)
      .filter((v) => v.result === 'fail')
      .map((v) => v.name)
      .sort(),
    [
      'igt@kms_invalid_mode@int-max-clock',
      'igt@kms_invalid_mode@int-max-clock@pipe-a-virtual-1',
      'igt@kms_invalid_mode@overflow-vrefresh',
      'igt@kms_invalid_mode@overflow-vrefresh@pipe-a-virtual-1',
      'igt@kms_rmfb@close-fd',
      'igt@kms_rmfb@close-fd@pipe-a-virtual-1',
      'igt@kms_rmfb@rmfb-ioctl',
      'igt@kms_rmfb@rmfb-ioctl@pipe-a-virtual-1',
      'igt@vgem_basic@dmabuf-export',
      'igt@vgem_basic@unload',
    ],
  );
});

t.test('a whole binary in one process: each subtest its own verdict, time and share of the output', async (t) => {
  const reference = runnerTests('runner-all');
  const auth = judgeIgtProcess(loadRun('whole/core_auth'));
  t.same(
    auth.map((v) => `${v.name} ${v.result} ${v.seconds}`),
    ['igt@core_auth@getclient-simple pass 0.123', 'igt@core_auth@getclient-master-drop pass 0.001', 'igt@core_auth@basic-auth pass 0.006', 'igt@core_auth@many-magics pass 0.319'],
  );
  const magics = auth[3]!;
  t.equal(magics.out, 'Starting subtest: many-magics\nReopening device failed after 1020 opens\nSubtest many-magics: SUCCESS (0.319s)\n');
  t.equal(magics.err, 'Starting subtest: many-magics\nSubtest many-magics: SUCCESS (0.319s)\n');
  t.match(auth[0]!.out, /^IGT-Version: .*\nUsing IGT_SRANDOM=\d+ for randomisation\nStarting subtest: getclient-simple\nOpened device: \/dev\/dri\/card0\nSubtest getclient-simple: SUCCESS \(0\.123s\)\n$/);
  t.same(
    magics.dmesg.map((l) => l.replace(/^<(\d)> \[[0-9.]+\] /, '<$1> ')),
    ['<6> [IGT] core_auth: starting subtest many-magics', '<6> [IGT] core_auth: finished subtest many-magics, SUCCESS', '<6> [IGT] core_auth: exiting, ret=0', '<6> Console: switching to colour frame buffer device 160x50'],
    'its kernel log, to the end of the process',
  );

  const rmfb = judgeIgtProcess(loadRun('whole/kms_rmfb'));
  t.same(
    rmfb.map((v) => `${v.name} ${v.result}`),
    ['igt@kms_rmfb@rmfb-ioctl fail', 'igt@kms_rmfb@rmfb-ioctl@pipe-a-virtual-1 fail', 'igt@kms_rmfb@close-fd fail', 'igt@kms_rmfb@close-fd@pipe-a-virtual-1 fail'],
  );
  for (const v of rmfb) t.equal(v.result, reference[v.name]!.result, `${v.name} as igt_runner`);
  t.match(rmfb[1]!.err, /igt_fb-CRITICAL: Last errno: 22, Invalid argument/, "the dynamic subtest's stderr");
});

t.test('exit statuses when no subtest reports', async (t) => {
  const invalid = judgeIgtProcess(loadRun('invalid/core_auth@no-such-subtest'));
  t.same(invalid.map((v) => [v.name, v.result, v.reason]), [['igt@core_auth@no-such-subtest', 'skip', 'core_auth has no subtest no-such-subtest (exit 79)']]);
  const none = judgeIgtProcess(loadRun('whole/core_setmaster_vs_auth'));
  t.same(none.map((v) => [v.name, v.result]), [['igt@core_setmaster_vs_auth', 'pass']]);
  t.match(none[0]!.out, /SUCCESS \(0\.012s\)/);
});

t.test('stderr markers or none, a subtest reads the same', async (t) => {
  const plain = judgeIgtProcess(loadRun('plain/core_auth@basic-auth'));
  const marked = judgeIgtProcess(loadRun('subtest/core_auth@basic-auth'));
  t.same(
    plain.map((v) => [v.name, v.result]),
    marked.map((v) => [v.name, v.result]),
  );
});

t.test('provoked runs: the verdicts written here, and igt_runner agrees', async (t) => {
  const expected: Record<string, Record<string, string>> = {
    'dmesg-warn': { 'igt@core_auth@getclient-simple': 'dmesg-warn' },
    'dmesg-fail': { 'igt@vgem_basic@dmabuf-export': 'dmesg-fail' },
    'ignored-by-runner-list': { 'igt@core_auth@getclient-simple': 'pass' },
    'ignored-by-test-regex': { 'igt@core_auth@getclient-simple': 'pass' },
    'dynamic-dmesg-warn': { 'igt@kms_flip_event_leak@basic': 'dmesg-warn', 'igt@kms_flip_event_leak@basic@pipe-a-virtual-1': 'dmesg-warn' },
    'stderr-warn': { 'igt@core_auth@getclient-simple': 'pass' },
    crash: { 'igt@core_auth@getclient-simple': 'crash' },
    'dynamic-crash': { 'igt@kms_flip_event_leak@basic': 'warn', 'igt@kms_flip_event_leak@basic@pipe-a-virtual-1': 'crash' },
    'segv-before-start': { 'igt@core_auth@getclient-simple': 'incomplete' },
    killed: { 'igt@core_auth@getclient-simple': 'incomplete' },
    timeout: { 'igt@core_auth@getclient-simple': 'timeout' },
  };
  t.same(runs('provoked').sort(), Object.keys(expected).sort(), 'every provoked run has its expectation');
  for (const [id, want] of Object.entries(expected)) {
    const hilt = Object.fromEntries(judgeIgtProcess(loadRun(`provoked/${id}`)).map((v) => [v.name, v.result]));
    t.same(hilt, want, `${id}: hilt`);
    const runner = Object.fromEntries(Object.entries(runnerTests(`provoked/${id}.runner`)).map(([n, v]) => [n, v.result]));
    t.same(runner, want, `${id}: igt_runner`);
  }
});

t.test('the evidence a verdict carries', async (t) => {
  const [warned] = judgeIgtProcess(loadRun('provoked/dmesg-warn'));
  t.equal(warned!.dmesgWarnings.length, 1);
  t.match(warned!.dmesgWarnings[0], /^<4> \[\d+\.\d{6}\] hilt-capture: a warning an IGT hook wrote to \/dev\/kmsg$/);
  t.equal(warned!.reason, 'IGT: SUCCESS; the kernel logged 1 message at warning level or worse: hilt-capture: a warning an IGT hook wrote to /dev/kmsg');
  t.ok(warned!.dmesg.some((l) => l.endsWith('[IGT] core_auth: starting subtest getclient-simple')));

  const [ignored] = judgeIgtProcess(loadRun('provoked/ignored-by-test-regex'));
  t.ok(ignored!.dmesg.some((l) => l.includes('<4>') && l.endsWith('hilt-capture-expected warning')), 'the ignored warning is still in its log');
  t.same(ignored!.dmesgWarnings, []);

  const [killed] = judgeIgtProcess(loadRun('provoked/killed'));
  t.equal(killed!.reason, 'IGT never reported a result; the process was killed by SIGKILL');
  const [timeout] = judgeIgtProcess(loadRun('provoked/timeout'));
  t.equal(timeout!.reason, 'the watchdog stopped it before it reported');
  const [parent] = judgeIgtProcess(loadRun('provoked/dynamic-crash'));
  t.equal(parent!.reason, 'IGT: SUCCESS; IGT logged warnings on stderr');
});

// Crafted inputs from here on: what the capture has no real run of.
const crafted = (o: Partial<IgtProcessRun>): IgtProcessRun => ({ binary: 'crafted', requested: null, stdout: '', stderr: '', exit: { code: 0, signal: null }, timedOut: false, kmsg: [], ...o });
const marker = (text: string, level = 6): KernelMessage => ({ level, text: `[IGT] crafted: ${text}` });
const results = (run: IgtProcessRun) => judgeIgtProcess(run).map((v) => `${v.name} ${v.result}`);

t.test('exit 112 aborts the running subtest and dynamic subtest, not finished ones (crafted)', async (t) => {
  const stdout = 'Starting subtest: a\nSubtest a: SUCCESS (0.1s)\nStarting subtest: b\nStarting dynamic subtest: d1\nDynamic subtest d1: SUCCESS (0.1s)\nStarting dynamic subtest: d2\n';
  t.same(results(crafted({ stdout, exit: { code: 112, signal: null } })), ['igt@crafted@a pass', 'igt@crafted@b abort', 'igt@crafted@b@d1 pass', 'igt@crafted@b@d2 abort']);
  t.same(results(crafted({ requested: 'x', stdout: 'IGT-Version: 2\n', exit: { code: 112, signal: null } })), ['igt@crafted@x abort'], 'before any subtest: the exit decides');
  t.same(results(crafted({ requested: 'x', stdout: 'IGT-Version: 2\n', exit: { code: 77, signal: null } })), ['igt@crafted@x skip']);
  t.same(results(crafted({ requested: 'x', stdout: 'IGT-Version: 2\n', exit: { code: 98, signal: null } })), ['igt@crafted@x fail']);
  t.same(results(crafted({ requested: 'x', stdout: 'IGT-Version: 2\n', exit: { code: null, signal: 'SIGSEGV' } })), ['igt@crafted@x fail']);
  t.same(results(crafted({ requested: 'x', stdout: 'IGT-Version: 2\n', timedOut: true, exit: { code: null, signal: 'SIGKILL' } })), ['igt@crafted@x timeout']);
});

t.test("a result line's own words, a fixture's verdict without a start, bold lines (crafted)", async (t) => {
  const stdout = 'Starting subtest: a\nSubtest a: TIMEOUT (1.000s)\nSubtest b: SKIP (0.000s)\nSubtest c: FAIL (0.000s)\nStarting subtest: d\nSubtest d: WEIRD (0.1s)\n\x1b[1mSubtest e: SUCCESS (0.5s)\x1b[0m\n';
  const vs = judgeIgtProcess(crafted({ stdout, exit: { code: 98, signal: null } }));
  t.same(
    vs.map((v) => `${v.name} ${v.result} ${v.seconds}`),
    ['igt@crafted@a timeout 1', 'igt@crafted@b skip 0', 'igt@crafted@c fail 0', 'igt@crafted@d incomplete 0.1', 'igt@crafted@e pass 0.5'],
  );
});

t.test("warn: IGT's own stderr lines before a marker, not other writers' (crafted)", async (t) => {
  const stdout = 'Starting subtest: a\nSubtest a: SUCCESS (0.1s)\n';
  const withErr = (stderr: string) => results(crafted({ stdout, stderr }));
  t.same(withErr('Starting subtest: a\n(crafted:12) WARNING: something odd\nSubtest a: SUCCESS (0.1s)\n'), ['igt@crafted@a warn']);
  t.same(withErr('Starting subtest: a\n(crafted:12) [thread:13] igt_kms-WARNING: odd\nSubtest a: SUCCESS (0.1s)\n'), ['igt@crafted@a warn']);
  t.same(withErr('Starting subtest: a\nlibfoo: a library talking\nSubtest a: SUCCESS (0.1s)\n'), ['igt@crafted@a pass'], 'not IGT');
  t.same(withErr('Starting subtest: a\nSubtest a: SUCCESS (0.1s)\n(crafted:12) WARNING: after the result\n'), ['igt@crafted@a pass'], 'igt_runner looks no further than the last marker');
  t.same(withErr('(crafted:12) WARNING: no markers on stderr at all\n'), ['igt@crafted@a warn']);
  const kmsg = [marker('starting subtest a'), { level: 4, text: 'something' }];
  t.same(results(crafted({ stdout, stderr: 'Starting subtest: a\n(crafted:12) WARNING: x\nSubtest a: SUCCESS (0.1s)\n', kmsg })), ['igt@crafted@a dmesg-warn'], 'warn and a kernel warning: dmesg-warn');
});

t.test('which kernel messages count, and for which subtest (crafted)', async (t) => {
  const stdout = 'Starting subtest: a\nSubtest a: SUCCESS (0.1s)\nStarting subtest: b\nSubtest b: SUCCESS (0.1s)\n';
  const judge = (kmsg: KernelMessage[]) => results(crafted({ stdout, kmsg }));
  t.same(judge([marker('starting subtest a'), marker('starting subtest b'), { level: 4, text: 'late' }]), ['igt@crafted@a pass', 'igt@crafted@b dmesg-warn']);
  t.same(judge([{ level: 3, text: 'early' }, marker('starting subtest a'), marker('starting subtest b')]), ['igt@crafted@a dmesg-warn', 'igt@crafted@b pass'], 'before the first marker: the first subtest');
  t.same(judge([marker('starting subtest a'), { level: 5, text: 'notice' }, { level: 4, text: 'cont', continuation: true }]), ['igt@crafted@a pass', 'igt@crafted@b pass'], 'notice level and continuations do not count');
  t.same(judge([marker('starting subtest a'), { level: 4, text: 'IRQ 5: no longer affine to CPU1' }]), ['igt@crafted@a pass', 'igt@crafted@b pass'], "on IGT runner's list");
  t.same(
    judge([marker('starting subtest a'), marker('add ignored dmesg regex: expected.*'), { level: 4, text: 'expected thing' }, marker('starting subtest b'), { level: 4, text: 'expected thing' }]),
    ['igt@crafted@a pass', 'igt@crafted@b dmesg-warn'],
    "a test's own pattern lasts until the next subtest begins",
  );
  const dyn = 'Starting subtest: a\nStarting dynamic subtest: d\nDynamic subtest d: SUCCESS (0.1s)\nSubtest a: SUCCESS (0.1s)\n';
  t.same(
    results(crafted({ stdout: dyn, kmsg: [{ level: 4, text: 'before any subtest' }, marker('starting subtest a'), marker('starting dynamic subtest d')] })),
    ['igt@crafted@a dmesg-warn', 'igt@crafted@a@d pass'],
    "a warning before the first subtest is the first subtest's, not its dynamic subtest's",
  );
  t.same(
    results(crafted({ stdout: dyn, kmsg: [marker('starting subtest a'), marker('starting dynamic subtest d'), { level: 4, text: 'in d' }] })),
    ['igt@crafted@a dmesg-warn', 'igt@crafted@a@d dmesg-warn'],
  );
  t.same(judge([{ level: 4, text: 'no marker at all' }]), ['igt@crafted@a pass', 'igt@crafted@b pass'], 'no subtest ever began in the log: nobody gets the warning, as in igt_runner');
  t.same(results(crafted({ stdout: 'SUCCESS (0.1s)\n', kmsg: [{ level: 4, text: 'w' }] })), ['igt@crafted dmesg-warn'], 'a binary without subtests takes them');
});

t.test('no output and no kernel log: incomplete (crafted)', async (t) => {
  const [v] = judgeIgtProcess(crafted({ requested: 'x', exit: { code: 0, signal: null } }));
  t.equal(v!.result, 'incomplete');
  t.match(v!.reason, /no output/);
});
