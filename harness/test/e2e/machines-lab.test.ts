/**
 * The lab target on a board QEMU plays (targets/qemu-board.ts): a real
 * pdudaemon switches it, it network-boots through iPXE from the folder hilt
 * stages into, its console is a TCP port. The same suites give the same
 * verdicts as on the qemu target; a panic and a board that loses power
 * mid-case are crashes, after which hilt power-cycles the board and goes on;
 * the board is off at the end; and when hilt is killed mid-run, the power
 * guard switches the board off.
 *
 * Needs pdudaemon, qemu-system-x86_64 and ipxe-qemu; skipped with the reason
 * otherwise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { ROOT, runHilt, startHilt, tempDir } from '../helpers.js';
import { typeInto } from '../targets/interactive.js';
import { boardMissing, startQemuBoard } from '../targets/qemu-board.js';

const skip = boardMissing();
/** drm-core's cases come first in the plan: faults/hang is test number DRM_CORE (from 0). */
const DRM_CORE = readFileSync(join(ROOT, 'suites/build/drm-core.cases'), 'utf8').split('\n').filter(Boolean).length;
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
const verdicts = (run: RunResult, suite: string) =>
  run.suites.find((s) => s.name === suite)?.cases.map((c: CaseResult) => ({ name: c.name, status: c.status, subtests: c.subtests.map((x) => `${x.name} ${x.status}`) }));

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const journalHas = (out: string, re: RegExp) => existsSync(join(out, 'journal.jsonl')) && re.test(readFileSync(join(out, 'journal.jsonl'), 'utf8'));

t.test('a lab board: the qemu target\'s verdicts, a panic and a power cut survived, off at the end', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-board-');
  const board = await startQemuBoard(dir, { marker: `lab-${process.pid}` });
  t.teardown(() => board.stop());
  const out = join(dir, 'out');
  const started = Date.now();
  const run = startHilt(['run', '--machine', board.profile, '--out', out, '--suite', 'drm-core', '--suite', 'faults:hang,panic', '--case-timeout', '120', '--retries', '0']);
  t.teardown(() => void run.child.kill('SIGKILL'));
  // The hang case runs until the board loses its power: the test pulls the plug behind hilt's back.
  await until('faults/hang to begin', 240_000, () => journalHas(out, new RegExp(`"kind":"begin","p":"${DRM_CORE}"`)));
  await new Promise((r) => setTimeout(r, 500));
  t.ok(board.qemuPids().length === 1, 'the board is on while the case runs');
  board.yank();
  const r = await run.done;
  const labMs = Date.now() - started;
  t.equal(r.code, 1, 'crashes are conformance failures');
  if (r.code !== 1) t.comment(r.stderr.slice(-3000));
  const lab = results(out);

  // The reference: the same suite on the qemu target.
  const ref = join(dir, 'ref');
  const q = await runHilt(['run', '--accel', 'tcg', '--out', ref, '--suite', 'drm-core']);
  t.equal(q.code, 0, 'the qemu target passes drm-core');
  if (q.code !== 0) t.comment(q.stderr.slice(-3000));
  t.same(verdicts(lab, 'drm-core'), verdicts(results(ref), 'drm-core'), 'drm-core: case by case, the qemu target\'s verdicts');
  t.equal(verdicts(lab, 'drm-core')?.length, DRM_CORE);

  const faults = new Map(lab.suites.find((s) => s.name === 'faults')!.cases.map((c) => [c.name, c]));
  t.match(faults.get('hang'), { status: 'crash', message: /the machine went down during this case: .*the console tcp:127\.0\.0\.1:\d+ went away/ }, 'the power cut is a crash of the case it came in');
  t.match(faults.get('panic'), { status: 'crash', message: /panicked/ }, 'the panic too');
  t.same(lab.boots.map((b) => b.reason), ['exit', 'panic'], 'the board was power-cycled after the cut and went on with the next case');
  t.same(lab.boots.map((b) => b.accel), ['none', 'none']);
  t.match(lab.environment.machine, { type: 'lab', name: 'board', power: /^pdudaemon http:\/\/127\.0\.0\.1:\d+ qemu-pdu port 1$/ });
  t.match(lab.environment.inventory, { boot: 1, hosted: false, release: lab.environment.kernel.release, pci: [{ vendor: '1af4', device: '1050', driver: 'virtio-pci' }] });
  t.ok(lab.environment.inventory?.nodes.some((n) => n.driver === 'vgem'), 'the inventory shows vgem\'s node');
  t.match(readFileSync(join(out, 'junit.xml'), 'utf8'), /<property name="inventory\.pci\.0000:00:0\d\.0" value="1af4:1050, subsystem 1af4:1100, class 038000, driver virtio-pci"\/>/);

  // Power: off before each boot, on, off after it; off at the end.
  const power = board.powerLog().map((l) => l.split(' ')[0]);
  t.same(power.slice(1), ['off', 'on', 'off', 'off', 'on', 'off'], `each boot: off, on, off (${power.join(' ')})`);
  t.same(board.qemuPids(), [], 'the board is off');
  t.match(board.pduLog(), /Handling HTTP request from 127\.0\.0\.1: \/power\/control\/on\?hostname=qemu-pdu&port=1/, 'through pdudaemon\'s HTTP API');
  t.comment(`lab run ${labMs} ms (2 boots)`);
});

t.test('a board that shows what its profile demands; hilt killed mid-run: the power guard switches the board off', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-board-');
  const board = await startQemuBoard(dir, {
    marker: `kill-${process.pid}`,
    extraProfile: ['accelerators:', '  - { vendor: "1af4", device: "1050", driver: virtio-pci }'].join('\n'),
  });
  t.teardown(() => board.stop());
  const out = join(dir, 'out');
  const run = startHilt(['run', '--machine', board.profile, '--out', out, '--suite', 'faults:hang', '--case-timeout', '120']);
  t.teardown(() => void run.child.kill('SIGKILL'));
  await until('the case to begin', 240_000, () => journalHas(out, /"kind":"begin"/));
  t.ok(journalHas(out, /"t":"boot","boot":2,/), 'boot 1 only showed the machine (the profile demands accelerators), boot 2 runs the case');
  t.equal(board.qemuPids().length, 1, 'the board is on');
  const offsBefore = board.powerLog().filter((l) => l.startsWith('off')).length;
  run.child.kill('SIGKILL');
  await run.done;
  await until('the board to go off', 60_000, () => board.qemuPids().length === 0);
  t.equal(board.powerLog().filter((l) => l.startsWith('off')).length, offsBefore + 1, 'one more power-off, after hilt died');
  const guard = readFileSync(join(out, 'power-guard.log'), 'utf8');
  t.match(guard, /hilt went away without a word while board may be on: powering it off\n.*board is off/);
});

t.test('hilt boot on a lab board: the console attached, a shell in the test kernel, the board off when it ends', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-board-');
  const board = await startQemuBoard(dir, { marker: `boot-${process.pid}` });
  t.teardown(() => board.stop());
  // The power guard's log goes to the plan's folder: ./reports of where hilt boot runs.
  const s = await typeInto(['boot', '--machine', board.profile, '--suite', 'drm-core'], /hilt:\/# /, 'ls /hilt/suites; cat /proc/cmdline; exit\r', 240_000, dir);
  t.equal(s.code, 0, 'the shell ended, the board powered down, hilt exited 0');
  t.match(s.output, /drm-core/);
  t.match(s.output, /initrd=initrd\.cpio console=ttyS0 panic=0 .* hilt\.mode=shell/, 'the kernel the iPXE script booted');
  t.match(s.output, /hilt: machine off/);
  if (!t.passing()) t.comment(s.output.slice(-3000));
  t.same(board.powerLog().map((l) => l.split(' ')[0]).slice(1), ['off', 'on', 'off']);
  t.same(board.qemuPids(), []);
  t.match(readFileSync(join(dir, 'reports', 'power-guard.log'), 'utf8'), /watching board/);
});
