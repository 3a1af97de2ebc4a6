/**
 * The kernel itself fails, for real: with LKDTM in a kernel built from a
 * tree, the fault suite makes a real WARN, a real soft lockup and a real hung
 * task (Debian's kernel has no LKDTM: there they skip). Each gets its verdict
 * with the kernel's own report as evidence, and the run goes on in a fresh
 * boot after each panic. Opt-in (tree-fixture.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { runHilt, tempDir } from '../helpers.js';
import { SKIP_REASON, testTree } from './tree-fixture.js';

const tree = testTree();
if (!tree) {
  t.plan(0, SKIP_REASON);
} else {
  t.test('LKDTM: a WARN is dmesg-warn, a soft lockup and a hung task are crashes, each with the kernel report', async (t) => {
    const out = tempDir(t);
    const r = await runHilt(['run', '--accel', 'tcg', '--silence-timeout', '8', '--kernel', `tree:${tree}`, '--suite', 'faults:pass,lkdtm-warn,lkdtm-soft-lockup,lkdtm-hung-task', '--suite', 'fences:signal', '--out', out], {
      timeoutMs: 45 * 60_000,
    });
    t.equal(r.code, 1, `conformance failures exit 1 (stderr: ${r.stderr.slice(-2000)})`);
    const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    const c = new Map(run.suites.flatMap((s) => s.cases.map((x): [string, CaseResult] => [`${s.name}/${x.name}`, x])));
    const got = (p: string) => c.get(p) ?? (t.fail(`no result for ${p}`) as never);
    const text = (x: CaseResult) => [x.message, ...x.console, ...x.kernelLog.map((k) => k.text)].join('\n');

    t.match(got('faults/pass'), { status: 'pass' });

    const warn = got('faults/lkdtm-warn');
    t.equal(warn.status, 'dmesg-warn', warn.message);
    t.ok(
      warn.kernelLog.some((k) => k.counted && /WARNING: CPU: \d+ PID: \d+ at drivers\/misc\/lkdtm\/bugs\.c:\d+ lkdtm_WARNING/.test(k.text)),
      'the WARN_ON splat is the evidence',
    );

    const lockup = got('faults/lkdtm-soft-lockup');
    t.equal(lockup.status, 'crash', lockup.message);
    t.match(text(lockup), /watchdog: BUG: soft lockup - CPU#\d+ stuck for \d+s!/);
    t.match(text(lockup), /Kernel panic - not syncing: softlockup: hung tasks/);

    const hung = got('faults/lkdtm-hung-task');
    t.equal(hung.status, 'crash', hung.message);
    t.match(text(hung), /INFO: task faults:\d+ blocked for more than \d+ seconds?\./);
    t.match(text(hung), /Kernel panic - not syncing: hung_task: blocked tasks/);

    // After two panics the machine was booted again and the next suite ran; then each crash was retried
    // alone in a fresh boot (--retries 1, the default), and crashed again: a crash, not a flake.
    t.match(got('fences/signal'), { status: 'pass' });
    t.same(run.boots.map((b) => b.reason), ['panic', 'panic', 'poweroff', 'panic', 'panic']);
    t.same([lockup, hung].map((x) => [x.attempts, x.previous?.map((p) => p.status)]), [[2, ['crash']], [2, ['crash']]], 'each crash ran twice, crashing both times');
    t.comment(`verdicts: ${[...c].map(([p, x]) => `${p}=${x.status}`).join(', ')}`);
    t.comment(`messages: soft lockup: ${lockup.message.split('\n')[0]} | hung task: ${hung.message.split('\n')[0]}`);
  });
}
