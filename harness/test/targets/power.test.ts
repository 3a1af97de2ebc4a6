/**
 * Power: a real pdudaemon (Debian's package, localcmdline outlets writing to
 * a file) through its HTTP API; pdudaemon refusing, unreachable, hanging;
 * power commands that fail, hang (killed with what they started) and use a
 * secret (blanked out of what hilt reports).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import type { PowerSettings } from '../../src/plan/types.js';
import { describePower, pdudaemonUrl, powerControl } from '../../src/targets/power.js';
import { tempDir } from '../helpers.js';
import { settleProcesses } from '../e2e/processes.js';
import { PDUDAEMON, freePort } from './qemu-board.js';

const settings = (o: Partial<PowerSettings>): PowerSettings => ({ pdudaemon: null, commands: null, timeoutMs: 5000, retries: 0, offMs: 0, secrets: {}, ...o });

t.test('pdudaemon request URLs (pure)', async (t) => {
  const p = { url: 'http://pdu.lab:16421/', hostname: 'rack 3', port: 7 };
  t.equal(pdudaemonUrl(p, 'on'), 'http://pdu.lab:16421/power/control/on?hostname=rack+3&port=7');
  t.equal(pdudaemonUrl(p, 'off'), 'http://pdu.lab:16421/power/control/off?hostname=rack+3&port=7');
  t.equal(describePower(settings({ pdudaemon: p })), 'pdudaemon http://pdu.lab:16421/ rack 3 port 7');
});

t.test('a real pdudaemon switches outlets; an unknown PDU is refused', { skip: existsSync(PDUDAEMON) ? false : 'pdudaemon is not installed' }, async (t) => {
  const dir = tempDir(t, 'hilt-pdu-');
  const port = await freePort();
  const log = join(dir, 'outlets');
  writeFileSync(
    join(dir, 'pdudaemon.conf'),
    JSON.stringify({
      daemon: { hostname: '127.0.0.1', port, logging_level: 'DEBUG', listener: 'http' },
      pdus: { rack3: { driver: 'localcmdline', retries: 1, cmd_on: `echo "on %d" >> ${log}`, cmd_off: `echo "off %d" >> ${log}` } },
    }),
  );
  const pdu = spawn(PDUDAEMON, ['--conf', join(dir, 'pdudaemon.conf'), '--logfile', join(dir, 'pdudaemon.log')], { stdio: 'ignore' });
  t.teardown(() => void pdu.kill('SIGKILL'));
  const url = `http://127.0.0.1:${port}`;
  const power = powerControl('b7', settings({ pdudaemon: { url, hostname: 'rack3', port: 7 }, retries: 20 }));
  // pdudaemon takes a moment to listen: the retries cover it, as they cover a PDU that is slow to answer.
  await power.off();
  await power.on();
  await power.off();
  t.same(readFileSync(log, 'utf8').trim().split('\n').slice(-3), ['off 7', 'on 7', 'off 7'], 'each request switched the outlet, in order');
  const unknown = powerControl('b8', settings({ pdudaemon: { url, hostname: 'no-such-pdu', port: 1 }, retries: 1 }));
  await t.rejects(unknown.on(), {
    kind: 'infrastructure',
    message: 'powering b8 on failed (tried 2 times): pdudaemon answered HTTP 500',
    detail: 'try 1: pdudaemon answered HTTP 500; it said:\n    Invalid request\ntry 2: pdudaemon answered HTTP 500; it said:\n    Invalid request',
  });
});

t.test('pdudaemon unreachable or hanging: infrastructure errors saying so; off says the board may still be on', async (t) => {
  const closed = await freePort();
  await t.rejects(powerControl('b1', settings({ pdudaemon: { url: `http://127.0.0.1:${closed}`, hostname: 'p', port: 1 } })).off(), {
    message: `powering b1 off failed (tried once): pdudaemon at http://127.0.0.1:${closed} cannot be reached (ECONNREFUSED)`,
    hint: /b1 may still be on: switch it off by hand/,
  });
  const sockets: Socket[] = [];
  const mute = createServer((s) => sockets.push(s));
  const port = await new Promise<number>((r) => mute.listen(0, '127.0.0.1', () => r((mute.address() as { port: number }).port)));
  t.teardown(() => {
    sockets.forEach((s) => s.destroy());
    mute.close();
  });
  const retried: string[] = [];
  const started = Date.now();
  await t.rejects(
    powerControl('b2', settings({ pdudaemon: { url: `http://127.0.0.1:${port}`, hostname: 'p', port: 1 }, timeoutMs: 300, retries: 1 }), { onRetry: (op, why) => retried.push(`${op}: ${why}`) }).on(),
    { message: 'powering b2 on failed (tried 2 times): pdudaemon did not answer within 0.3 s' },
  );
  t.same(retried, ['on: pdudaemon did not answer within 0.3 s']);
  t.ok(Date.now() - started < 5000, 'the timeout holds');
});

t.test('power commands: argv lists; a failure with its output; a hang killed with its children; secrets in the environment, blanked', async (t) => {
  const dir = tempDir(t, 'hilt-cmd-');
  const ok = powerControl('b', settings({ commands: { on: ['sh', '-c', `echo on >> ${join(dir, 's')}`], off: ['touch', join(dir, 'off with spaces')] } }));
  await ok.on();
  await ok.off();
  t.equal(readFileSync(join(dir, 's'), 'utf8'), 'on\n');
  t.ok(existsSync(join(dir, 'off with spaces')), 'an argument with spaces is one argument: no shell in between');

  await t.rejects(powerControl('b', settings({ commands: { on: ['sh', '-c', 'echo "relay 7 stuck" >&2; exit 3'], off: ['true'] } })).on(), {
    message: 'powering b on failed (tried once): ["sh","-c","echo \\"relay 7 stuck\\" >&2; exit 3"] failed (exit code 3)',
    detail: 'try 1: ["sh","-c","echo \\"relay 7 stuck\\" >&2; exit 3"] failed (exit code 3); it said:\n    relay 7 stuck',
  });
  await t.rejects(powerControl('b', settings({ commands: { on: ['no-such-power-tool'], off: ['true'] } })).on(), { message: /no-such-power-tool is not installed/ });

  const marker = `power-cmd-${process.pid}`;
  process.env.HILT_TEST_MARK = marker;
  t.teardown(() => void delete process.env.HILT_TEST_MARK);
  const hang = powerControl('b', settings({ commands: { on: ['sh', '-c', 'sleep 600 & sleep 600'], off: ['true'] }, timeoutMs: 300 }));
  await t.rejects(hang.on(), { message: /did not finish within 0\.3 s \(killed\)/ });
  delete process.env.HILT_TEST_MARK;
  t.same(await settleProcesses(marker), [], 'the command and what it started in the background are gone');

  process.env.HILT_TEST_POWER_TOKEN = 's3cr3t-t0ken';
  t.teardown(() => void delete process.env.HILT_TEST_POWER_TOKEN);
  const secret = powerControl('b', settings({ commands: { on: ['sh', '-c', 'echo "token=$PDU_TOKEN"; exit 1'], off: ['true'] }, secrets: { PDU_TOKEN: { env: 'HILT_TEST_POWER_TOKEN' } } }));
  await t.rejects(secret.on(), { message: /failed \(exit code 1\)/, detail: /it said:\n {4}token=\*\*\*$/ });
  writeFileSync(join(dir, 'token'), 'filed-secret\n');
  const filed = powerControl('b', settings({ commands: { on: ['sh', '-c', 'test "$PDU_TOKEN" = filed-secret'], off: ['true'] }, secrets: { PDU_TOKEN: { file: join(dir, 'token') } } }));
  await filed.on();
  t.pass('a secret from a file reaches the command');
  t.throws(() => powerControl('b', settings({ commands: { on: ['true'], off: ['true'] }, secrets: { X: { env: 'HILT_TEST_UNSET_VAR' } } })), {
    kind: 'usage',
    message: 'the machine profile reads secret X from $HILT_TEST_UNSET_VAR, which is not set',
  });
});
