/**
 * The power guard: a process that stands in for hilt arms a guard and is
 * then killed with SIGKILL (nothing in it can run); the guard powers the
 * board off. A hilt that leaves properly with the board off leaves the board
 * alone; one that leaves with the board on gets it switched off.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ROOT, tempDir } from '../helpers.js';

const GUARD = join(ROOT, 'dist/harness/src/targets/power-guard.js');

/** A stand-in for hilt: starts a guard over a board whose power commands write to `state`, then does `then`. */
function standIn(dir: string, then: 'die' | 'leave-off' | 'leave-on'): Promise<void> {
  const script = join(dir, 'hilt.mjs');
  const state = join(dir, 'state');
  const power = { pdudaemon: null, commands: { on: ['sh', '-c', `echo on >> ${state}`], off: ['sh', '-c', `echo off >> ${state}`] }, timeoutMs: 5000, retries: 0, offMs: 0, secrets: {} };
  writeFileSync(
    script,
    `import { PowerGuard } from ${JSON.stringify(GUARD)};
const guard = PowerGuard.start({ machine: 'b1', power: ${JSON.stringify(power)} }, ${JSON.stringify(join(dir, 'guard.log'))});
guard.armed();
setTimeout(() => {
  if (${JSON.stringify(then)} === 'die') process.kill(process.pid, 'SIGKILL');
  if (${JSON.stringify(then)} === 'leave-off') guard.safe();
  guard.dismiss();
}, 300);
`,
  );
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, [script], { stdio: 'ignore', env });
  return new Promise((r) => child.once('close', () => r()));
}

async function settled(file: string, re: RegExp): Promise<string> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (re.test(text)) return text;
    await new Promise((r) => setTimeout(r, 100));
  }
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

t.test('hilt killed with SIGKILL while the board is on: the guard powers it off', async (t) => {
  const dir = tempDir(t, 'hilt-guard-');
  await standIn(dir, 'die');
  const log = await settled(join(dir, 'guard.log'), /b1 is off/);
  t.match(log, /watching b1 for hilt \d+\n.*hilt went away without a word while b1 may be on: powering it off\n.*b1 is off\n/);
  t.equal(readFileSync(join(dir, 'state'), 'utf8'), 'off\n');
});

t.test('hilt leaves with the board off: the guard leaves it alone; with the board on: switches it off', async (t) => {
  const dir = tempDir(t, 'hilt-guard-');
  await standIn(dir, 'leave-off');
  await new Promise((r) => setTimeout(r, 1500));
  t.notOk(existsSync(join(dir, 'state')), 'no power request');
  t.notMatch(readFileSync(join(dir, 'guard.log'), 'utf8'), /powering/);
  const on = tempDir(t, 'hilt-guard-');
  await standIn(on, 'leave-on');
  t.match(await settled(join(on, 'guard.log'), /b1 is off/), /hilt went away \(it said goodbye\) while b1 may be on: powering it off/);
  t.equal(readFileSync(join(on, 'state'), 'utf8'), 'off\n');
});
