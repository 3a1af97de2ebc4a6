/**
 * The ssh target against a real sshd on loopback (targets/sshd.ts): the agent
 * and the suites are copied over SSH, run there in hosted mode on this host's
 * kernel, read back through the SSH channel, and the folder is removed. The
 * verdicts are those the local target gives on the same kernel. A host key
 * that does not match is refused; `hilt boot` gives a shell there.
 *
 * Needs openssh-server; skipped with the reason otherwise.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { runHilt, tempDir } from '../helpers.js';
import { typeInto } from '../targets/interactive.js';
import { sshdMissing, startSshd } from '../targets/sshd.js';

const skip = sshdMissing();
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
const verdicts = (run: RunResult) => run.suites.flatMap((s) => s.cases.map((c: CaseResult) => `${s.name}/${c.name}: ${c.status} ${c.message}`));
const SUITES = ['--suite', 'drm-core', '--suite', 'prime', '--suite', 'dma-heap', '--suite', 'udmabuf'];

t.test('suites over SSH on this host\'s kernel: the local target\'s verdicts; the folder removed', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-ssh-');
  const sshd = await startSshd(dir);
  t.teardown(() => sshd.stop());
  const out = join(dir, 'out');
  const r = await runHilt(['run', '--machine', sshd.profile(), '--out', out, ...SUITES]);
  if (!(r.code === 0 || r.code === 1)) t.comment(r.stderr.slice(-3000), sshd.log().slice(-2000));
  t.ok(r.code === 0 || r.code === 1, `exit by the verdicts (${r.code})`);
  const ssh = results(out);
  t.equal(ssh.status, 'complete');
  t.match(ssh.environment, { target: 'ssh', machine: { type: 'ssh', host: `${sshd.user}@127.0.0.1:${sshd.port}` }, kernel: { release: release(), source: { type: 'running' } } });
  t.match(ssh.environment.inventory, { hosted: true, release: release() });
  const boot = readFileSync(join(out, 'journal.jsonl'), 'utf8').split('\n').find((l) => l.startsWith('{"t":"boot"'))!;
  t.match(boot, /"ssh","-tt","-o","BatchMode=yes","-o","StrictHostKeyChecking=yes","-o","UserKnownHostsFile=[^"]+known_hosts"/, 'host keys checked, keys only');
  t.same(readdirSync(sshd.workDir), [], 'the folder hilt made there is gone');

  writeFileSync(join(dir, 'local.yaml'), 'type: local\nname: loopback\n');
  const local = join(dir, 'local');
  await runHilt(['run', '--machine', join(dir, 'local.yaml'), '--out', local, ...SUITES]);
  t.same(verdicts(ssh), verdicts(results(local)), 'case by case, the local target\'s verdicts');
  t.ok(verdicts(ssh).length > 40);
  t.match(sshd.log(), /Accepted publickey for \S+ from 127\.0\.0\.1/);
});

t.test('a host key that does not match: refused, exit 2, nothing copied', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-ssh-');
  const sshd = await startSshd(dir);
  t.teardown(() => sshd.stop());
  const r = await runHilt(['run', '--machine', sshd.profile({ knownHosts: sshd.strangerKnownHosts }), '--out', join(dir, 'out'), '--suite', 'drm-core']);
  t.equal(r.code, 2);
  t.match(r.stderr, /hilt: the host key of \S+@127\.0\.0\.1:\d+ is not in \S+stranger_known_hosts \(or does not match it\): hilt never accepts an unknown host key/);
  t.match(r.stderr, /ssh-keyscan -p \d+ 127\.0\.0\.1 >> /);
  t.same(readdirSync(sshd.workDir), []);
  t.notMatch(sshd.log(), /Accepted publickey/, 'hilt never logged in');
});

t.test('hilt boot over SSH: a shell in the folder with the suites', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-ssh-');
  const sshd = await startSshd(dir);
  t.teardown(() => sshd.stop());
  const s = await typeInto(['boot', '--machine', sshd.profile(), '--suite', 'drm-core'], /Ctrl-\] leaves/, 'ls hilt/suites; echo "in $PWD"; exit\r');
  t.equal(s.code, 0);
  t.match(s.output, /drm-core/);
  t.match(s.output, new RegExp(`in ${sshd.workDir}/hilt\\.[A-Za-z0-9]+`), 'in the folder hilt made there');
  t.same(readdirSync(sshd.workDir), [], 'removed when the shell ended');
});
