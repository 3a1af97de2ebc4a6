/**
 * A lab board that misbehaves before any suite runs, with real processes and
 * sockets and no board at all: a power switch that hangs, a console that
 * never shows a boot. Each ends as an infrastructure error (exit 2) carrying
 * its evidence, the board is switched off every time, and a secret the power
 * command uses never shows in what hilt writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { runHilt, tempDir } from '../helpers.js';
import { freePort } from '../targets/qemu-board.js';
import { settleProcesses } from './processes.js';

const SECRET = 'correct-horse-battery-staple';

function labProfile(dir: string, o: { on: string[]; consolePort: number; timeout?: number; secret?: boolean }): string {
  const state = join(dir, 'state');
  const file = join(dir, 'board.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      type: 'lab',
      name: 'bench-board',
      power: {
        on: o.on,
        off: ['sh', '-c', `echo off >> ${state}`],
        timeout: o.timeout ?? 5,
        retries: 1,
        offTime: 0,
        ...(o.secret ? { secrets: { PDU_PASSWORD: { env: 'HILT_TEST_PDU_PASSWORD' } } } : {}),
      },
      console: { tcp: `127.0.0.1:${o.consolePort}` },
      boot: { root: join(dir, 'tftp'), url: 'http://192.0.2.1/' },
    }),
  );
  return file;
}

const state = (dir: string) => readFileSync(join(dir, 'state'), 'utf8').trim().split('\n');

t.test('a power switch that hangs: an infrastructure error with its output, the secret blanked, the board switched off', async (t) => {
  const dir = tempDir(t, 'hilt-power-');
  const marker = `power-hang-${process.pid}`;
  const profile = labProfile(dir, {
    on: ['sh', '-c', `echo on >> ${join(dir, 'state')}; echo "logging in to the PDU as admin:$PDU_PASSWORD"; sleep 600`],
    consolePort: await freePort(),
    timeout: 1,
    secret: true,
  });
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--machine', profile, '--out', out, '--suite', 'drm-core:version'], { env: { HILT_TEST_PDU_PASSWORD: SECRET, HILT_TEST_MARK: marker } });
  t.equal(r.code, 2, 'an infrastructure error');
  t.match(r.stderr, /hilt: powering bench-board on failed \(tried 2 times\): \["sh","-c",".*"\] did not finish within 1 s \(killed\)/);
  t.match(r.stderr, /try 1: .*did not finish within 1 s \(killed\); it said:\n\s+logging in to the PDU as admin:\*\*\*\ntry 2: /, 'both tries, with what the command said, secret blanked');
  for (const [what, text] of [['stderr', r.stderr], ['results.json', readFileSync(join(out, 'results.json'), 'utf8')], ['journal', readFileSync(join(out, 'journal.jsonl'), 'utf8')]] as const) {
    t.notOk(text.includes(SECRET), `the secret is not in the ${what}`);
  }
  const steps = state(dir);
  t.same(steps.slice(-3), ['on', 'on', 'off'], `powered on twice (each try hung), then off (${steps.join(' ')})`);
  t.same(await settleProcesses(marker), [], 'the hung commands were killed with what they started');
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  t.match(run, { status: 'aborted', error: { kind: 'infrastructure', message: /powering bench-board on failed/ } });
});

t.test('a console that never shows a boot: booted twice, an infrastructure error, off after each', async (t) => {
  const dir = tempDir(t, 'hilt-console-');
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s)); // accepts, says nothing
  const port = await new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const profile = labProfile(dir, { on: ['sh', '-c', `echo on >> ${join(dir, 'state')}`], consolePort: port });
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--machine', profile, '--out', out, '--suite', 'drm-core:version', '--boot-timeout', '2']);
  t.equal(r.code, 2);
  t.match(r.stderr, /boot 2 never reached the hilt agent within 2 s, and so did the boot before it/);
  t.match(r.stderr, /the console said nothing/);
  t.same(state(dir), ['off', 'on', 'off', 'off', 'on', 'off'], 'each boot: off, on, and off when the watchdog fired');
  t.ok(sockets.length >= 2, 'hilt opened the console for each boot');
  const journal = readFileSync(join(out, 'journal.jsonl'), 'utf8');
  t.equal(journal.match(/"t":"watchdog","boot":\d,"kind":"boot"/g)?.length, 2);
});
