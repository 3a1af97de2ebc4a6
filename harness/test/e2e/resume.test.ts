/**
 * hilt itself dies or is stopped mid-run: SIGKILL loses nothing (the journal
 * is on disk), `hilt run --resume` finishes the run with the same results as
 * a run that was never interrupted; SIGTERM stops cleanly with partial reports.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { runHilt, startHilt, tempDir } from '../helpers.js';
import { settleProcesses } from './processes.js';

// --retries 0: a resume must count each case once; retries have their own test.
const PLAN = ['--retries', '0', '--suite', 'drm-core:version', '--suite', 'faults:pass,hang,panic', '--suite', 'fences:attach-read'];

/** What must not differ between an interrupted-and-resumed run and an uninterrupted one. */
function verdicts(run: RunResult) {
  const strip = (c: CaseResult): unknown => ({
    name: c.name,
    status: c.status,
    message: c.message,
    attempts: c.attempts,
    observations: c.observations.map((o) => ({ type: o.type, ok: o.verdicts.every((v) => v.ok) })),
    subtests: c.subtests.map(strip),
  });
  return { status: run.status, counts: run.counts, suites: run.suites.map((s) => ({ name: s.name, status: s.status, cases: s.cases.map(strip) })) };
}

async function waitForJournal(out: string, needle: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  const path = join(out, 'journal.jsonl');
  while (Date.now() < end) {
    if (existsSync(path) && readFileSync(path, 'utf8').includes(needle)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the journal never showed ${needle}`);
}

const read = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;

t.test('SIGKILL mid-case, then --resume: the same results as an uninterrupted run', async (t) => {
  const reference = tempDir(t);
  const ref = await runHilt(['run', '--accel', 'tcg', '--out', reference, ...PLAN]);
  t.equal(ref.code, 1, 'the reference run has its faults');

  const out = tempDir(t);
  const marker = randomUUID();
  const first = startHilt(['run', '--accel', 'tcg', '--out', out, ...PLAN], { env: { HILT_TEST_MARK: marker } });
  await waitForJournal(out, '"kind":"begin","p":"2"');
  first.child.kill('SIGKILL');
  const killed = await first.done;
  t.equal(killed.signal, 'SIGKILL');
  t.same(await settleProcesses(marker), [], 'QEMU died with hilt (pdeathsig)');
  t.notOk(existsSync(join(out, 'results.json')), 'a killed hilt wrote no reports');

  const resumed = await runHilt(['run', '--resume', out]);
  t.equal(resumed.code, 1, `resume exits like the reference (stderr: ${resumed.stderr.slice(-1500)})`);
  t.match(resumed.stderr, /resuming 5 tests/);
  const run = read(out);
  t.same(verdicts(run), verdicts(read(reference)), 'same verdicts, messages, attempts and observations');
  t.match(run.problems, [/^resumed at test 3 of 5 on /], 'the resume is on record');
  t.equal(run.boots[0]!.reason, 'interrupted', 'the boot hilt died in is marked');
  for (const s of run.suites) for (const c of s.cases) t.equal(c.attempts, 1, `${s.name}/${c.name} counted once`);
});

t.test('--resume refuses what it cannot continue', async (t) => {
  const out = tempDir(t);
  const none = await runHilt(['run', '--resume', out]);
  t.equal(none.code, 2);
  t.match(none.stderr, /--resume .*: no journal.jsonl there/);
  const both = await runHilt(['run', '--resume', out, '--suite', 'drm-core']);
  t.equal(both.code, 2);
  t.match(both.stderr, /--resume takes the plan from the interrupted run; drop --suites/);
});

t.test('SIGTERM mid-case: machine off, partial reports marked incomplete, exit 2', async (t) => {
  const out = tempDir(t);
  const marker = randomUUID();
  const run = startHilt(['run', '--accel', 'tcg', '--out', out, ...PLAN], { env: { HILT_TEST_MARK: marker } });
  await waitForJournal(out, '"kind":"begin","p":"2"');
  run.child.kill('SIGTERM');
  const r = await run.done;
  t.equal(r.code, 2);
  t.match(r.stderr, /SIGTERM: powering the machine off and writing partial reports/);
  t.match(r.stderr, /continue it with: hilt run --resume/);
  t.same(await settleProcesses(marker), [], 'no QEMU left');
  const result = read(out);
  t.equal(result.status, 'incomplete');
  const c = new Map(result.suites.flatMap((s) => s.cases.map((x): [string, CaseResult] => [`${s.name}/${x.name}`, x])));
  t.match(c.get('drm-core/version'), { status: 'pass' });
  t.match(c.get('faults/pass'), { status: 'pass' });
  t.match(c.get('faults/hang'), { status: 'abort', message: /interrupted during this case/ });
  t.match(c.get('faults/panic'), { status: 'incomplete', message: /not run: the run was interrupted first/ });
  t.ok(existsSync(join(out, 'junit.xml')));
});
