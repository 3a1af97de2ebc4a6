/**
 * LAVA from `hilt run --lab FILE`: each boot is a job run by LAVA's own
 * dispatcher (lava-run on this host, as the lab profile without a server
 * says); the job's id goes into the journal, results.json and the JUnit
 * properties; a job LAVA fails ends the run with exit 2 and LAVA's message.
 *
 * Needs root, lava-run (apt-get install lava-dispatcher) and QEMU; skipped
 * with the reason otherwise.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { runHilt, tempDir } from '../helpers.js';

function whyNot(): string | false {
  if (process.getuid?.() !== 0) return 'lava-run runs jobs as root only, and this test is not root';
  if (spawnSync('lava-run', ['--help']).status !== 0) return 'lava-run is not installed (apt-get install lava-dispatcher)';
  if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) return 'qemu-system-x86_64 is not installed';
  return false;
}
const skip = whyNot();

t.test('hilt run --lab: the boot is a LAVA job, its id in the journal, results and JUnit', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-lava-');
  writeFileSync(join(dir, 'lab.yaml'), 'name: bench\ndeviceType: qemu\n');
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--lab', join(dir, 'lab.yaml'), '--out', out, '--suite', 'drm-core:version,get-cap']);
  t.equal(r.code, 0, 'passes');
  if (r.code !== 0) t.comment(r.stderr.slice(-3000));
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  t.same(run.suites[0]!.cases.map((c) => `${c.name} ${c.status}`), ['version pass', 'get-cap pass']);
  t.match(run.environment, { target: 'lava', machine: { type: 'lava', name: 'bench', deviceType: 'qemu', dispatcher: 'lava-run (this host)', lavaJobs: /^\d+$/ } });
  t.same(run.boots.map((b) => b.accel), ['none']);
  const id = String(run.environment.machine.lavaJobs);
  t.match(readFileSync(join(out, 'journal.jsonl'), 'utf8'), new RegExp(`"t":"note","text":"boot 1: LAVA job ${id} \\(${out}/lava-job-1\\.yaml, its log ${out}/lava-log-1\\.yaml\\)"`));
  t.match(readFileSync(join(out, 'junit.xml'), 'utf8'), new RegExp(`<property name="machine.lavaJobs" value="${id}"/>`));
  t.match(run.environment.inventory, { release: run.environment.kernel.release, hosted: false });
});

t.test('a job LAVA fails: exit 2 with LAVA\'s message, never a conformance verdict', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-lava-');
  writeFileSync(join(dir, 'lab.yaml'), 'deviceType: qemu\nqemu: { firmware: /nonexistent/bios.rom }\n');
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--lab', join(dir, 'lab.yaml'), '--out', out, '--suite', 'drm-core:version']);
  t.equal(r.code, 2);
  t.match(r.stderr, /hilt: LAVA job \d+ failed with a LAVA Infrastructure error: Connection closed/);
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  t.match(run, { status: 'aborted', error: { kind: 'infrastructure', message: /failed with a LAVA Infrastructure error/ } });
  t.match(run.suites[0]!.cases[0], { status: 'incomplete' });
});
