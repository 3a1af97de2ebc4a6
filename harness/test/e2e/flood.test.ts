/**
 * A console flood costs bounded memory and the report says what was left
 * out: a program writes corrupt frames onto the console past the agent and
 * warnings into the kernel log. (npm run bench -- --only flood does it with
 * 200,000 of each; CI does it with 20,000.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { ROOT, startHilt, tempDir } from '../helpers.js';

t.test('20,000 corrupt frames and 20,000 warnings: counted, capped, said', async (t) => {
  const dir = tempDir(t);
  const bin = join(dir, 'flood');
  execFileSync('gcc', ['-static', '-O2', '-DLINES=20000', '-o', bin, join(ROOT, 'harness/test/fixtures/suite-bins/flood.c')]);
  const out = join(dir, 'out');
  const run = startHilt(['run', '--accel', 'tcg', '--retries', '0', '--out', out, '--suite-bin', bin]);
  let peakKb = 0;
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited
    }
  }, 100);
  const r = await run.done;
  clearInterval(timer);
  t.equal(r.code, 1, 'the warnings make the case dmesg-warn');
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  const c = results.suites[0]!.cases[0]!;
  t.equal(c.status, 'dmesg-warn');
  t.match(c.message, /^the kernel logged \d+ warnings during the case: WARNING: hilt flood 0/);
  t.ok(c.kernelLog.length <= 2001, `the case keeps at most 2000 kernel messages and a line saying how many it left out (${c.kernelLog.length})`);
  t.ok(results.problems.length <= 501, 'the run keeps at most 500 problems and says how many more');
  t.match(results.problems.find((p) => p.startsWith('…')), /^… \d+ more problems of the same run not kept$/);
  t.ok(peakKb > 0 && peakKb < 250 * 1024, `hilt's own peak RSS ${Math.round(peakKb / 1024)} MiB < 250 MB`);
});
