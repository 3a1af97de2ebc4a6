/**
 * The merge gate for real: Debian's kernel in QEMU, the faults suite and a
 * --suite-bin program failing on purpose, judged against real baseline files.
 *
 *   run A  every failure listed: exit 0; an expected failure does not fail the
 *          run, a listed case that passes is reported as an unexpected pass,
 *          skipped cases never run
 *   run B  the same plan, one entry fewer, --compare A: that failure is new
 *          (exit 1), the two runs of one kernel show no observed value changed
 *   then   the command line printed for B's new failure, run exactly as
 *          printed, fails the same way; `hilt repro` does too
 */
import { spawn } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { HILT, ROOT, cleanEnv, runHilt, tempDir } from '../helpers.js';

const FIXTURES = join(ROOT, 'harness/test/gate/fixtures');
// No retries: the faults are deterministic in a first run only (a retry finds the taint bit already set).
const PLAN = ['--accel', 'tcg', '--retries', '0', '--suite', 'faults:pass,kmsg-warn,taint,hang', '--suite', 'drm-core:version', '--suite', 'syncobj:create', '--suite', 'sync-file:info-pending', '--suite-bin', join(FIXTURES, 'gate-ktap.sh')];

const ENTRIES = {
  kmsgWarn: '  - case: faults/kmsg-warn\n    status: dmesg-warn\n    reason: writes a warning to the kernel log on purpose\n    reference: suites/faults/faults.c\n',
  taint: '  - case: faults/taint\n    status: dmesg-warn\n    reason: taints the kernel on purpose\n',
  pass: '  - case: faults/pass\n    reason: listed so that its pass is reported as unexpected\n',
  ktap: '  - case: gate-ktap.sh/fails-on-purpose\n    reason: fails on purpose\n',
};
const SKIPS = "skips:\n  - case: faults/hang\n    reason: hangs until its timeout\n  - pattern: '^gate-ktap\\.sh/slow-'\n    reason: takes an hour on real hardware\n";

function byPath(run: RunResult): Map<string, CaseResult> {
  return new Map(run.suites.flatMap((s) => s.cases.map((c): [string, CaseResult] => [`${s.name}/${c.name}`, c])));
}
const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as RunResult;

/** Shell words as a POSIX shell reads the printed line: plain words and '...' quoting (all shellQuote writes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${line}`);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (ch === '\\') {
      word = (word ?? '') + line[++i];
    } else if (ch === ' ') {
      if (word !== null) words.push(word);
      word = null;
    } else word = (word ?? '') + ch;
  }
  if (word !== null) words.push(word);
  return words;
}

t.test('expected failures do not fail the run, new ones do, and a failure reproduces from its printed command line', async (t) => {
  const dir = tempDir(t);
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const baselineA = join(dir, 'a.yaml');
  const baselineB = join(dir, 'b.yaml');
  writeFileSync(baselineA, `name: e2e\nexpectedFailures:\n${ENTRIES.kmsgWarn}${ENTRIES.taint}${ENTRIES.pass}${ENTRIES.ktap}${SKIPS}`);
  writeFileSync(baselineB, `name: e2e\nrules:\n  observationChanges: empty\nexpectedFailures:\n${ENTRIES.kmsgWarn}${ENTRIES.pass}${ENTRIES.ktap}${SKIPS}`);

  const ra = await runHilt(['run', ...PLAN, '--baseline', baselineA, '--out', a]);
  t.equal(ra.code, 0, `every failure expected: exit 0 (stderr: ${ra.stderr.slice(-2500)})`);
  t.match(ra.stderr, /the baseline skips 1 test: faults\/hang/);
  t.match(ra.stderr, /gate: 3 expected failures, 1 unexpected pass, \d+ pass, 2 skip \(expectations from profile vgem, profile virtio-gpu, [^)]*a\.yaml\); the gate passes/);
  t.match(ra.stderr, /unexpected pass: faults\/pass \(pass\) — passed, but the baseline expects fail: listed so that its pass is reported as unexpected/);
  const runA = results(a);
  const A = byPath(runA);
  t.match(runA.gate, { blocking: 0, counts: { 'new-failure': 0, 'expected-failure': 3, 'unexpected-pass': 1, skip: 2 } });
  t.match(A.get('faults/kmsg-warn'), { status: 'dmesg-warn', gate: { class: 'expected-failure', blocks: false, entry: { match: 'faults/kmsg-warn', reference: 'suites/faults/faults.c' } } }, 'the status stays what happened');
  t.match(A.get('gate-ktap.sh/fails-on-purpose'), { status: 'fail', message: '2 + 2 came out 5', gate: { class: 'expected-failure' } }, 'a case of a program run whole');
  t.match(A.get('gate-ktap.sh/slow-skipped-by-baseline'), { status: 'fail', gate: { class: 'skip', blocks: false, reason: /baseline skips it: takes an hour/ } }, 'a skipped case of a whole program is not judged');
  t.match(A.get('faults/hang'), { status: 'skip', attempts: 0, gate: { class: 'skip' } }, 'a skipped case never ran');
  t.equal(runA.boots.length, 1, 'the hang never ran: no watchdog, no second boot');
  t.match(A.get('faults/pass'), { status: 'pass', gate: { class: 'unexpected-pass', blocks: false } });
  const junitA = readFileSync(join(a, 'junit.xml'), 'utf8');
  t.match(junitA, /<testcase classname="hilt\.faults" name="kmsg-warn" time="[\d.]+">\s*<skipped message="expected failure: writes a warning to the kernel log on purpose \[suites\/faults\/faults\.c\] \([^)]*\)" type="expected-failure"\/>/);
  t.match(readFileSync(join(a, 'report.html'), 'utf8'), /<section class="gclass" id="unexpected-passes">/);

  const rb = await runHilt(['run', ...PLAN, '--baseline', baselineB, '--compare', a, '--out', b]);
  t.equal(rb.code, 1, `a new failure: exit 1 (stderr: ${rb.stderr.slice(-2500)})`);
  t.match(rb.stderr, /new failure: faults\/taint \(dmesg-warn\) — the kernel became tainted during the case: W/);
  const printed = /\n\S*\s*reproduce: (hilt run [^\n]+)\n/.exec(rb.stderr)?.[1];
  t.ok(printed, 'the terminal summary prints the command line under the failure');
  const runB = results(b);
  const taint = byPath(runB).get('faults/taint')!;
  t.match(taint.gate, { class: 'new-failure', blocks: true });
  t.match(taint.gate!.repro!.slice(0, 4), ['hilt', 'run', '--kernel', /^debian:linux-image-[0-9.]+\+deb\d+-amd64=[0-9][^ ]*$/], 'the kernel by its exact package version');
  const cmp = runB.gate!.comparison!;
  t.same([cmp.regressed, cmp.fixed, cmp.added, cmp.vanished, cmp.changed], [[], [], [], [], []], 'the same cases came out the same');
  t.same(cmp.observations, [], 'two runs of one kernel: no observed value changed (times left out)');
  t.same([cmp.uapiRule, cmp.uapiBlocks], ['empty', false]);
  t.match(readFileSync(join(b, 'report.html'), 'utf8'), /<h2>Compared with an earlier run<\/h2>/);

  // The line in junit.xml, run exactly as printed (only `hilt` is this checkout's bin/hilt), in a fresh folder.
  const junitB = readFileSync(join(b, 'junit.xml'), 'utf8');
  const line = /<testcase classname="hilt\.faults" name="taint"[^>]*>\s*<failure [^>]*><!\[CDATA\[reproduce: ([^\]]+)\]\]><\/failure>/.exec(junitB)?.[1];
  t.ok(line, 'junit.xml carries the command line with the failure');
  t.equal(line, printed, 'the same line as the terminal');
  const argv = shellWords(line!);
  t.equal(argv[0], 'hilt');
  const desk = tempDir(t);
  const rr = await runHilt(argv.slice(1), { cwd: desk });
  t.equal(rr.code, 1, `the reproduction fails as the run did (stderr: ${rr.stderr.slice(-2000)})`);
  const again = results(join(desk, 'reports'));
  t.same(again.suites.flatMap((s) => s.cases.map((c) => `${s.name}/${c.name}`)), ['faults/taint'], 'only that case ran');
  t.match(byPath(again).get('faults/taint'), { status: taint.status, message: taint.message }, 'and failed the same way');
  t.equal(again.environment.kernel.release, runB.environment.kernel.release, 'on the same kernel');

  // hilt repro takes everything from the results file.
  const rep = join(dir, 'repro');
  const rp = await runHilt(['repro', b, 'faults/taint', '--out', rep]);
  t.equal(rp.code, 1, `hilt repro fails the same way (stderr: ${rp.stderr.slice(-2000)})`);
  t.match(rp.stderr, /faults\/taint: dmesg-warn then, dmesg-warn now: reproduced/);
  t.match(results(rep).environment.kernel, { spec: argv[3] });

  // --shell: the same machine, the case typed at the guest shell, the console handed over (Ctrl-] leaves).
  const shell = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', HILT, 'repro', b, 'faults/taint', '--shell', '--out', join(dir, 'shell')], { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let guest = '';
  let stderr = '';
  shell.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  shell.stdout.on('data', (d: Buffer) => {
    guest += d.toString();
    // The person presses Ctrl-] once the case has run.
    if (/\nok 1 taint/.test(guest) && shell.stdin.writable) setTimeout(() => shell.stdin.end(Buffer.from([0x1d])), 300);
  });
  const killer = setTimeout(() => shell.kill('SIGKILL'), 180_000);
  const code = await new Promise<number | null>((resolve) => shell.on('close', resolve));
  clearTimeout(killer);
  t.equal(code, 0, `the person left with Ctrl-] (stderr: ${stderr.slice(-1500)})`);
  t.match(guest, /hilt:\/# \S*faults --run taint\r*\nKTAP version 1[^]*\nok 1 taint/, 'hilt typed the case at the guest shell, and it ran there');

  // Without a machine: two runs of one plan are no shards, the baseline update, the comparison.
  const merged = await runHilt(['merge', join(dir, 'm'), a, b]);
  t.equal(merged.code, 2);
  t.match(merged.stderr, /both ran faults\/pass: they are not disjoint shards of one plan/);
  const updated = join(dir, 'c.yaml');
  const up = await runHilt(['baseline', 'update', b, '--baseline', baselineB, '--out', updated]);
  t.equal(up.code, 0, up.stderr);
  t.match(up.stderr, /faults\/taint: new failure \(dmesg-warn\): added as an expected failure; write its reason/);
  t.match(up.stderr, /faults\/pass: passed: expected failure removed/);
  t.match(readFileSync(updated, 'utf8'), /- case: faults\/taint\n {4}status: dmesg-warn\n {4}reason: "TODO: why does it fail\? First seen in run /);
  const cmpAB = await runHilt(['compare', a, b, '--json']);
  t.equal(cmpAB.code, 0, 'no regression between A and B');
  t.match(JSON.parse(cmpAB.stdout), { regressed: [], observations: [] });
});

t.test('a case that fails and then passes on a retry is a flake and does not block', async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--suite', 'faults:pass', '--suite-bin', join(FIXTURES, 'flaky-once.sh'), '--retries', '1', '--out', out]);
  t.equal(r.code, 0, `a flake does not block (stderr: ${r.stderr.slice(-2000)})`);
  t.match(r.stderr, /  flake: flaky-once\.sh\/flaky \(pass\) — failed 1 of 2 runs and passed the others \(fail, pass\): failed the first time, on purpose/);
  const c = byPath(results(out)).get('flaky-once.sh/flaky');
  t.match(c, { status: 'pass', gate: { class: 'flake', blocks: false, outcomes: [{ status: 'fail', message: 'failed the first time, on purpose' }, { status: 'pass' }] } }, 'both outcomes kept');
  t.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /<testcase classname="hilt\.flaky-once\.sh" name="flaky"[^>]*>\s*<flakyFailure message="failed the first time, on purpose" type="fail"\/>/);
  t.match(readFileSync(join(out, 'report.html'), 'utf8'), /<section class="gclass" id="flakes">[^]*data-case="flaky"[^]*<td>fail, pass<\/td>/);
});

t.test('--jobs 2 gives the cases and verdicts of a serial run; so do --shard 1/2 and 2/2 merged', async (t) => {
  const dir = tempDir(t);
  const baseline = join(dir, 'b.yaml');
  writeFileSync(baseline, `name: e2e\nexpectedFailures:\n${ENTRIES.kmsgWarn}${ENTRIES.ktap}${SKIPS}`);
  const plan = [...PLAN, '--baseline', baseline];
  const verdicts = (run: RunResult) => [...byPath(run)].map(([k, c]) => `${k}:${c.status}:${c.gate?.class ?? '-'}`).sort();
  const serial = await runHilt(['run', ...plan, '--out', join(dir, 'serial')]);
  t.equal(serial.code, 1, `the serial run has its new failure, faults/taint (stderr: ${serial.stderr.slice(-1500)})`);
  const jobs = await runHilt(['run', ...plan, '--jobs', '2', '--out', join(dir, 'jobs')]);
  t.equal(jobs.code, serial.code, `--jobs 2: the same exit (stderr: ${jobs.stderr.slice(-1500)})`);
  t.same(verdicts(results(join(dir, 'jobs'))), verdicts(results(join(dir, 'serial'))), '--jobs 2: the same cases and verdicts');
  const cmp = await runHilt(['compare', join(dir, 'serial'), join(dir, 'jobs'), '--json']);
  t.match(JSON.parse(cmp.stdout), { regressed: [], fixed: [], added: [], vanished: [], changed: [], observations: [] }, 'and the same observed values');

  const s1 = await runHilt(['run', ...plan, '--shard', '1/2', '--out', join(dir, 's1')]);
  const s2 = await runHilt(['run', ...plan, '--shard', '2/2', '--out', join(dir, 's2')]);
  t.ok([0, 1].includes(s1.code ?? -1) && [0, 1].includes(s2.code ?? -1), 'each shard ran to its verdict');
  const merged = await runHilt(['merge', join(dir, 'merged'), join(dir, 's1'), join(dir, 's2')]);
  t.equal(merged.code, serial.code, `the merge decides as the serial run did (stderr: ${merged.stderr.slice(-1500)})`);
  t.same(verdicts(results(join(dir, 'merged'))), verdicts(results(join(dir, 'serial'))), 'the same cases and verdicts');
});
