/**
 * A real sshd on loopback for the ssh target's tests (Debian's
 * openssh-server): its own host key, an authorized key made for the test, a
 * known_hosts file holding the host key, a spare port. The machine profile
 * hilt gets names the key files; nothing about the host key is ever skipped.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './qemu-board.js';

export const SSHD = '/usr/sbin/sshd';

export function sshdMissing(): string | false {
  if (!existsSync(SSHD)) return 'openssh-server is not installed (apt-get install openssh-server)';
  if (!existsSync('/usr/bin/ssh') || !existsSync('/usr/bin/ssh-keygen')) return 'the OpenSSH client is not installed (apt-get install openssh-client)';
  return false;
}

export interface TestSshd {
  port: number;
  user: string;
  /** The ssh machine profile: keys, known_hosts, a work folder of the test's. */
  profile(extra?: Record<string, unknown>): string;
  /** A known_hosts file that does not hold the host key. */
  strangerKnownHosts: string;
  workDir: string;
  log(): string;
  /** Every sshd process of this server, the sessions' too: the host "goes away". */
  vanish(): void;
  stop(): void;
}

/** The processes below pid, from /proc's parent links. */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      // comm may hold spaces and parentheses: the fields after its closing parenthesis are fixed.
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (of: number) => {
    for (const [child, ppid] of parent) if (ppid === of) out.push(child), walk(child);
  };
  walk(pid);
  return out;
}

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

export async function startSshd(dir: string): Promise<TestSshd> {
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hilt-test', '-f', file]);
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  keygen(join(dir, 'stranger_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
  const port = await freePort();
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  // Someone else's key for the same address: hilt must refuse the host, not learn its key.
  const strangerPub = readFileSync(join(dir, 'stranger_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'stranger_known_hosts'), `[127.0.0.1]:${port} ${strangerPub}\n`);
  const workDir = join(dir, 'remote');
  mkdirSync(workDir);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      `PidFile ${join(dir, 'sshd.pid')}`,
      '',
    ].join('\n'),
  );
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
  let log = '';
  const sshd: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  sshd.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const started = Date.now();
  while (!(await listening(port))) {
    if (sshd.exitCode !== null || Date.now() - started > 15_000) throw new Error(`sshd did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const user = userInfo().username;
  return {
    port,
    user,
    strangerKnownHosts: join(dir, 'stranger_known_hosts'),
    workDir,
    profile(extra = {}) {
      const file = join(dir, `ssh-${Object.keys(extra).join('-') || 'plain'}.json`);
      const ssh = { host: '127.0.0.1', port, user, identity: join(dir, 'client_key'), knownHosts: join(dir, 'known_hosts'), workDir, ...extra };
      writeFileSync(file, JSON.stringify({ type: 'ssh', name: 'loopback', ssh }));
      return file;
    },
    log: () => log,
    vanish() {
      // The listener and every session it forked (sshd rewrites its environment, so no marker survives there).
      for (const pid of [sshd.pid!, ...descendants(sshd.pid!)]) {
        try {
          if (readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('sshd')) process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    },
    stop: () => void sshd.kill('SIGKILL'),
  };
}
