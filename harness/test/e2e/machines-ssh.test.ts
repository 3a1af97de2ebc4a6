/**
 * The ssh target against a real sshd on loopback (targets/sshd.ts): the agent
 * and the suites are copied over SSH, run there in hosted mode on this host's
 * kernel, read back through the SSH channel, and the folder is removed. The
 * verdicts are those the local target gives on the same kernel. A host key
 * that does not match is refused; `hilt boot` gives a shell there.
 *
 * Needs openssh-server; skipped with the reason otherwise.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { CaseResult, RunResult } from '../../src/results/model.js';
import { runHilt, startHilt, tempDir } from '../helpers.js';
import { typeInto } from '../targets/interactive.js';
import { sshdMissing, startSshd } from '../targets/sshd.js';

const skip = sshdMissing();
const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
const verdicts = (run: RunResult) => run.suites.flatMap((s) => s.cases.map((c: CaseResult) => `${s.name}/${c.name}: ${c.status} ${c.message}`));
// What this host lacks of what the suites require (vgem, most likely) is let go: the point is the same verdicts both ways.
const SUITES = ['--suite', 'drm-core', '--suite', 'prime', '--suite', 'dma-heap', '--suite', 'udmabuf', '--optional', 'all'];

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
  if (existsSync('/proc/config.gz') || existsSync(`/boot/config-${release()}`)) {
    // The host's configuration came back over SSH: what it lacks is skipped before the run, as on the local target.
    t.match(ssh.environment.kernel, { configSha256: /^[0-9a-f]{64}$/ });
  }
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

t.test('a host that goes away mid-case (as a panicking one does): the case crashes, the rest is not run, exit 2', { skip }, async (t) => {
  const dir = tempDir(t, 'hilt-ssh-');
  const sshd = await startSshd(dir);
  t.teardown(() => sshd.stop());
  const out = join(dir, 'out');
  const run = startHilt(['run', '--machine', sshd.profile(), '--out', out, '--suite', 'faults:pass,hang', '--suite', 'drm-core:version', '--case-timeout', '60', '--optional', 'all']);
  t.teardown(() => void run.child.kill('SIGKILL'));
  const end = Date.now() + 60_000;
  while (!(existsSync(join(out, 'journal.jsonl')) && /"kind":"begin","p":"1"/.test(readFileSync(join(out, 'journal.jsonl'), 'utf8'))) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  sshd.vanish();
  const r = await run.done;
  t.equal(r.code, 2, 'an infrastructure error: hilt cannot bring the host back');
  t.match(r.stderr, /hilt: \S+@127\.0\.0\.1:\d+ does not answer over SSH after the last boot ended, and hilt cannot power-cycle it \(the machine profile has no power settings\): the rest of the run is not run/);
  const run2 = results(out);
  t.same(
    run2.suites.flatMap((s) => s.cases.map((c) => `${s.name}/${c.name}: ${c.status}`)),
    ['faults/pass: pass', 'faults/hang: crash', 'drm-core/version: incomplete'],
  );
  t.match(run2.suites[0]!.cases[1]!.message, /the machine went down during this case/);
  t.match(run2.suites[1]!.cases[0]!.message, /not run: the run stopped first: .* does not answer over SSH/);
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
