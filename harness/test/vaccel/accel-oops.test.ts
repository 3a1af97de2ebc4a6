/**
 * The kernel bug the accel-oops suite shows on request: GET_UNIQUE on an
 * accel node (vaccel's) oopses Debian's 6.12.117. The case runs last, alone
 * in a fresh boot, and the run pins the crash on it: status crash, the
 * oops in its own kernel log with the faulting function, a case that ran
 * before it in another boot untouched. A kernel that no longer oopses
 * records what GET_UNIQUE answered instead, and passes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { runHilt, tempDir } from '../helpers.js';

t.test('accel-oops/get-unique: the oops is pinned on the case, which ran alone in its own boot', async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--retries', '0', '--suite', 'accel-oops:get-unique', '--suite', 'accel:version', '--out', out]);
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  const version = run.suites.find((s) => s.name === 'accel')!.cases[0]!;
  t.match(version, { name: 'version', status: 'pass' }, 'the case before it is untouched');
  const c = run.suites.find((s) => s.name === 'accel-oops')!.cases[0]!;
  const text = c.kernelLog.map((l) => l.text).join('\n');
  if (c.status === 'pass') {
    t.match(c.console.join('\n'), /record-only: DRM_IOCTL_GET_UNIQUE on accel\d+ \(vaccel\) returned \S+: this kernel survives/, `this kernel (${run.environment.kernel.release}) no longer oopses`);
    t.equal(r.code, 0);
    return;
  }
  t.equal(r.code, 1, `exit 1: a crash is a conformance result (stderr: ${r.stderr.slice(-1500)})`);
  t.match(c, { status: 'crash', message: /^the suite process died of SIGKILL during this case: BUG: kernel NULL pointer dereference/ });
  t.match(text, /RIP: 0010:drm_getunique\+/, 'the faulting function is in the case\'s own kernel log');
  t.match(text, /Tainted: .*\[O\]=OOT_MODULE, \[E\]=UNSIGNED_MODULE/, 'vaccel\'s load-time taint, and nothing the case caused before the oops');
  t.equal(run.boots.length, 2, 'the run-last case got a boot of its own');
});
