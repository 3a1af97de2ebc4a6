/** The ssh target's pure parts: quoting for the remote shell (checked through a real sh), its argv, reading ssh's failures. */
import { execFileSync } from 'node:child_process';
import t from 'tap';
import type { SshSettings } from '../../src/plan/types.js';
import { hostedArgs, runningKernel } from '../../src/targets/hosted.js';
import { remoteCommand, shellQuote, sshArgs, sshFailure } from '../../src/targets/ssh.js';

const S: SshSettings = { host: 'gpu-box', user: 'ci', port: 2222, identity: '/k/id', knownHosts: '/k/known_hosts', workDir: '/tmp', power: null };

t.test('words reach the remote shell as they are', async (t) => {
  const words = ['/tmp/hilt.Ab12/agent', '--root', 'it\'s a dir', '$HOME', '`id`', 'a;b', '*', '', 'tab\there', 'line\nbreak', '--count', '0'];
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${remoteCommand(words)}`]).toString();
  t.same(out.split('\0').slice(0, -1), words, 'a real sh splits them back into the same words');
  t.equal(shellQuote('plain-word_1.0'), 'plain-word_1.0');
  t.equal(shellQuote("it's"), `'it'\\''s'`);
});

t.test('ssh\'s argv: host keys checked, keys only, keep-alives, the destination after --', async (t) => {
  t.same(sshArgs(S), [
    '-T',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'UserKnownHostsFile=/k/known_hosts',
    '-i', '/k/id', '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=10',
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'LogLevel=ERROR',
    '-p', '2222',
    '--', 'ci@gpu-box',
  ]);
  const bare = sshArgs({ ...S, user: null, identity: null, knownHosts: null }, { tty: true });
  t.equal(bare[0], '-tt');
  t.notOk(bare.some((a) => a.startsWith('UserKnownHostsFile') || a === '-i'), 'the user\'s own known_hosts and keys');
  t.ok(bare.includes('StrictHostKeyChecking=yes'));
  t.same(hostedArgs('/tmp/hilt.x', ['hilt.mode=run', 'hilt.start=3', 'hilt.count=1', 'quiet']), ['--hosted', '--root', '/tmp/hilt.x', '--mode', 'run', '--start', '3', '--count', '1']);
});

t.test('ssh\'s own failures, as OpenSSH words them', async (t) => {
  t.equal(sshFailure(S, 0, ''), null);
  t.equal(sshFailure(S, 1, 'ls: cannot access'), null, 'the remote command failed, not ssh');
  t.match(sshFailure(S, 255, 'No ED25519 host key is known for [gpu-box]:2222 and you have requested strict checking.\r\nHost key verification failed.'), {
    kind: 'usage',
    message: /^the host key of ci@gpu-box:2222 is not in \/k\/known_hosts \(or does not match it\)/,
    hint: /ssh-keyscan -p 2222 gpu-box >> \/k\/known_hosts/,
  });
  t.match(sshFailure(S, 255, 'ci@gpu-box: Permission denied (publickey).'), { kind: 'usage', message: /refused hilt's keys/ });
  t.match(sshFailure(S, 255, 'ssh: connect to host gpu-box port 2222: Connection refused'), { kind: 'infrastructure', message: 'cannot reach ci@gpu-box:2222 over SSH: ssh: connect to host gpu-box port 2222: Connection refused' });
});

t.test('a running kernel: its config file is kept only when the machine showed a configuration', async (t) => {
  const shown = runningKernel('box', '6.18.0', Buffer.from('CONFIG_DRM=y\n'), '/boot/config-6.18.0');
  t.match(shown, { spec: 'running:box', release: '6.18.0', config: '/boot/config-6.18.0', configSha256: /^[0-9a-f]{64}$/, source: { type: 'running', machine: 'box' } });
  t.match(runningKernel('box', '6.18.0', null, '/boot/config-6.18.0'), { config: null, configSha256: null }, 'no configuration shown: nothing to read, nothing skipped before the run');
  t.match(runningKernel('box', '6.18.0', Buffer.from('CONFIG_DRM=y\n')), { config: null }, 'a hash without a file here (ssh): recorded, not read');
});
