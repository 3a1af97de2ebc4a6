/**
 * The kernel under test panics, hangs and goes silent for real (suites/faults),
 * between cases of real suites: every fault gets its own precise verdict with
 * its evidence, every case after it still runs, and no QEMU is left behind.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { runHilt, tempDir } from '../helpers.js';
import { settleProcesses } from './processes.js';

const PLAN = ['--suite', 'drm-core:version', '--suite', 'faults', '--suite', 'fences:attach-read,signal'];

function byPath(run: RunResult): Map<string, CaseResult> {
  return new Map(run.suites.flatMap((s) => s.cases.map((c): [string, CaseResult] => [`${s.name}/${c.name}`, c])));
}

t.test('faults mixed with real suites: each fault its verdict and evidence, every later case its own', async (t) => {
  const out = tempDir(t);
  const marker = randomUUID();
  // --retries 0: this is about each fault's first verdict; retries have their own test below.
  const r = await runHilt(['run', '--accel', 'tcg', '--retries', '0', '--silence-timeout', '8', '--out', out, ...PLAN], { env: { HILT_TEST_MARK: marker } });
  t.equal(r.code, 1, `conformance failures exit 1 (stderr: ${r.stderr.slice(-1500)})`);
  t.same(await settleProcesses(marker), [], 'no QEMU outlives hilt');
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  t.equal(run.status, 'complete');
  const c = byPath(run);
  const got = (p: string) => c.get(p) ?? t.fail(`no result for ${p}`);

  t.match(got('drm-core/version'), { status: 'pass' });
  t.match(got('faults/pass'), { status: 'pass', message: '' });

  const warn = got('faults/kmsg-warn') as CaseResult;
  t.equal(warn.status, 'dmesg-warn');
  t.match(warn.kernelLog, [{ level: 4, text: /hilt-fault: a warning written to the kernel log on purpose/, counted: true }]);

  t.match(got('faults/hang'), { status: 'timeout', message: /ran past its 4 s timeout; the agent killed it/ });

  const panic = got('faults/panic') as CaseResult;
  t.equal(panic.status, 'crash');
  t.match(panic.message, /Kernel panic - not syncing: sysrq triggered crash/);
  t.ok(panic.console.some((l) => /sysrq: Trigger a crash/.test(l)), 'the panic text is attached');
  t.ok(panic.console.some((l) => /Call Trace|RIP:/.test(l)), 'with its backtrace');

  t.match(got('faults/silent'), { status: 'timeout', message: /sent nothing for 8 s during this case/ });
  t.match(got('faults/exit-nonzero'), { status: 'pass' });
  t.match(got('faults/exit-status'), { status: 'fail', message: /exited with code 3 after reporting no failure/ });

  // After the panic and the silence the machine was booted again and the run went on.
  t.match(got('fences/attach-read'), { status: 'pass' });
  t.match(got('fences/signal'), { status: 'pass' });
  t.same(
    run.boots.map((b) => b.reason),
    ['panic', 'silence', 'poweroff'],
  );
  for (const [path, result] of c) t.equal(result.attempts, 1, `${path} ran once`);
  // The flood cut lines, and records written while it ran may be lost or cut (all in boot 1, where
  // it ran); nothing else went wrong.
  t.match(got('faults/console-flood'), { status: 'pass' });
  t.ok(run.problems.some((p) => /a console line longer than 16384 bytes cut, \d+ bytes dropped/.test(p)), 'the cut is reported');
  const floodDamage = /^boot 1: (a console line longer than|agent records .* never arrived intact|a console record was corrupted)/;
  t.same(run.problems.filter((p) => !floodDamage.test(p)), [], 'no other problem');
  t.match(got('faults/taint'), { status: 'dmesg-warn', message: 'the kernel became tainted during the case: W (kernel issued a warning)' });
  t.match(run.counts, { pass: 6, fail: 1, timeout: 2, crash: 1, 'dmesg-warn': 2, total: 12 });
});

t.test('--retries runs a case that timed out again, and only that one', async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--retries', '1', '--out', out, '--suite', 'faults:pass,hang'], {});
  t.equal(r.code, 1);
  t.match(r.stderr, /retrying test 2 \(faults\/hang\), which ended with timeout, in a fresh boot \(run 2 of 2\)/);
  const c = byPath(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult);
  t.match(c.get('faults/hang'), { status: 'timeout', attempts: 2, message: /timeout/ }, 'ran twice, timed out twice');
  t.match(c.get('faults/pass'), { status: 'pass', attempts: 1 });
});
