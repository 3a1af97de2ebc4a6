/**
 * SshTarget: a machine that is already up (a workstation with a GPU, a board
 * that cannot be power-cycled), reached with the system's OpenSSH client. For
 * the run, hilt makes a temporary folder there, copies the hosted tree into it
 * (`tar c | ssh HOST tar x`), and each "boot" runs the agent in hosted mode
 * over the SSH channel, its stdout the console: the same framed records as a
 * serial port. At the end the folder is removed.
 *
 * The host key is always checked (StrictHostKeyChecking=yes, against the
 * profile's known_hosts file or the user's): a host hilt does not know is a
 * usage error, never a key silently accepted. Only keys authenticate
 * (BatchMode=yes): nothing ever waits for a password.
 *
 * The agent runs on a pseudo-terminal (ssh -tt) so that a dropped connection
 * (hilt's Ctrl-C, a watchdog's kill) hangs it up, and the agent takes its
 * running test down with it. A machine that stops answering (a kernel panic)
 * ends the boot when SSH's keep-alives give up; the next boot finds the host
 * unreachable, and without power settings the run ends there with the rest
 * not run: hilt cannot bring the machine back. With power settings, hilt
 * power-cycles it and waits for SSH to answer again.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { infraError, type HiltError, usageError } from '../errors.js';
import type { KernelInfo } from '../kernel/types.js';
import type { SshSettings } from '../plan/types.js';
import type { Log } from '../util/log.js';
import { childMachine } from './child-machine.js';
import { runArgv } from './command.js';
import { type HostedFiles, hostedArgs, runningKernel } from './hosted.js';
import type { AfterBoot, MachineTarget } from './machine-target.js';
import { type PowerControl, powerControl } from './power.js';
import { ptyMachine } from './pty.js';
import type { BootRequest, Machine } from './target.js';

const TERM_GRACE_MS = 3000;
/** A short command over SSH (probe, mkdir, rm) may take this long. */
const COMMAND_MS = 60_000;
const COPY_MS = 300_000;
/** sha256sum of nothing: the machine shows no kernel configuration. */
/** A kernel configuration is a few hundred KiB; anything past this is not one. */
const CONFIG_MAX = 8 * 1024 * 1024;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const REMOTE_DIR = /^\/\S*\/hilt\.[A-Za-z0-9]{6,}$/;

/** A word as the remote shell must see it (POSIX single quotes). Pure. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_/.,:=+@%-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** ssh runs its command through the remote user's shell: argv words, each quoted. Pure. */
export function remoteCommand(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** The ssh argv up to the destination (pure): host keys checked, keys only, keep-alives. */
export function sshArgs(s: SshSettings, o: { tty?: boolean } = {}): string[] {
  return [
    ...(o.tty ? ['-tt'] : ['-T']),
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    ...(s.knownHosts ? ['-o', `UserKnownHostsFile=${s.knownHosts}`] : []),
    ...(s.identity ? ['-i', s.identity, '-o', 'IdentitiesOnly=yes'] : []),
    '-o', 'ConnectTimeout=10',
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'LogLevel=ERROR',
    '-p', String(s.port),
    '--',
    s.user ? `${s.user}@${s.host}` : s.host,
  ];
}

export const destination = (s: SshSettings) => `${s.user ? `${s.user}@` : ''}${s.host}${s.port !== 22 ? `:${s.port}` : ''}`;

/** What ssh's own failure says, as a HiltError of the right kind (or null when ssh did not fail itself). Pure. */
export function sshFailure(s: SshSettings, code: number | null, output: string): HiltError | null {
  if (code !== 255) return null;
  const said = output.trim().split('\n').slice(-3).join(' ');
  const dest = destination(s);
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|No .* host key is known/i.test(output)) {
    return usageError(
      `the host key of ${dest} is not in ${s.knownHosts ?? 'your known_hosts'} (or does not match it): hilt never accepts an unknown host key (${said})`,
      `Check the key's fingerprint with the machine's owner, then add it: ssh-keyscan -p ${s.port} ${s.host} >> ${s.knownHosts ?? '~/.ssh/known_hosts'}`,
    );
  }
  if (/Permission denied/i.test(output)) {
    return usageError(`${dest} refused hilt's keys (${said})`, `hilt logs in with keys only: put the public key of ${s.identity ?? 'your key'} into the machine's authorized_keys.`);
  }
  return infraError(`cannot reach ${dest} over SSH: ${said || 'ssh failed without a word'}`);
}

export class SshTarget implements MachineTarget {
  readonly kind = 'ssh';
  /** The agent's input is not wired to hilt: one agent run per range of tests, not serve mode. */
  readonly serves = false;
  readonly consoleLagMs = 0;
  private remoteDir: string | null = null;
  private bootId: string | null = null;
  private readonly notes: string[] = [];
  private readonly power: PowerControl | null;

  constructor(private readonly o: { name: string; ssh: SshSettings; tree: HostedFiles; bootTimeoutMs: number; log: Log }) {
    this.power = o.ssh.power ? powerControl(o.name, o.ssh.power, { onRetry: (op, why) => this.notes.push(`powering ${o.name} ${op} failed (${why.split('\n')[0]}); tried again`) }) : null;
  }

  describe(): Record<string, string | number | boolean> {
    return { name: this.o.name, type: 'ssh', arch: 'x86_64', host: destination(this.o.ssh), ...(this.power ? { power: this.power.describe() } : {}) };
  }

  private ssh(argv: string[], timeoutMs = COMMAND_MS) {
    return runArgv(['ssh', ...sshArgs(this.o.ssh), remoteCommand(argv)], { timeoutMs });
  }

  /** Runs a short command there; its stdout, or the error ssh's failure means. */
  private async run(argv: string[], what: string): Promise<string> {
    const r = await this.ssh(argv);
    if (r.error) throw infraError(`ssh: ${r.error}`, { hint: 'apt-get install openssh-client' });
    if (r.timedOut) throw infraError(`${what} on ${destination(this.o.ssh)} did not finish within ${COMMAND_MS / 1000} s`);
    const failed = sshFailure(this.o.ssh, r.code, r.output);
    if (failed) throw failed;
    if (r.code !== 0) throw infraError(`${what} on ${destination(this.o.ssh)} failed (exit code ${r.code}): ${r.output.trim().slice(-500)}`);
    return r.output;
  }

  /**
   * The running kernel there: `uname -r`, and its configuration (from /boot or
   * /proc/config.gz), copied next to the hosted tree so that the config-aware
   * skips read it as they read a booted kernel's.
   */
  async kernel(): Promise<KernelInfo> {
    const rel = (await this.run(['uname', '-r'], 'asking for the kernel')).trim();
    const config = await this.configOf();
    const sha = config.length ? createHash('sha256').update(config).digest('hex') : null;
    if (!sha || sha === EMPTY_SHA256) return runningKernel(this.o.name, rel, null);
    const file = join(dirname(this.o.tree.dir), `kernel-config-${sha.slice(0, 32)}`);
    try {
      writeFileSync(file, config);
    } catch (e) {
      this.o.log.warn(`cannot keep ${destination(this.o.ssh)}'s kernel configuration in ${file}: ${(e as Error).message}; its cases skip at run time instead`);
      return { ...runningKernel(this.o.name, rel, config), config: null };
    }
    return runningKernel(this.o.name, rel, config, file);
  }

  /** The kernel configuration's bytes there, empty when it shows none (the command's own output runner keeps only a tail). */
  private configOf(): Promise<Buffer> {
    return new Promise((resolve) => {
      const child = spawn('ssh', [...sshArgs(this.o.ssh), remoteCommand(['sh', '-c', 'cat "/boot/config-$(uname -r)" 2>/dev/null || zcat /proc/config.gz 2>/dev/null || true'])], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const chunks: Buffer[] = [];
      let size = 0;
      child.stdout.on('data', (d: Buffer) => {
        size += d.length;
        if (size <= CONFIG_MAX) chunks.push(d);
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_MS);
      child.once('error', () => resolve(Buffer.alloc(0)));
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve(code === 0 && size <= CONFIG_MAX ? Buffer.concat(chunks) : Buffer.alloc(0));
      });
    });
  }

  /** The machine's boot id, and whether our folder is still there; null when it does not answer. */
  private async probe(): Promise<{ bootId: string; staged: boolean } | null> {
    const r = await this.ssh(['sh', '-c', 'cat /proc/sys/kernel/random/boot_id && if test -x "$1/agent"; then echo staged; fi', 'hilt', this.remoteDir ?? '/nonexistent'], 30_000);
    const failed = sshFailure(this.o.ssh, r.code, r.output);
    if (failed && failed.kind === 'usage') throw failed;
    if (r.code !== 0 || r.timedOut) return null;
    const [id, staged] = r.output.trim().split('\n');
    return { bootId: (id ?? '').trim(), staged: staged?.trim() === 'staged' };
  }

  /** Brings a machine that stopped answering back with its power settings, or ends the run. */
  private async reach(): Promise<{ bootId: string; staged: boolean }> {
    const first = await this.probe();
    if (first) return first;
    const dest = destination(this.o.ssh);
    if (!this.power) {
      throw infraError(`${dest} does not answer over SSH${this.bootId ? ' after the last boot ended' : ''}, and hilt cannot power-cycle it (the machine profile has no power settings): the rest of the run is not run`, {
        hint: 'A kernel panic or hang takes an SSH host down with the run; give the profile power: settings so that hilt can bring it back.',
      });
    }
    this.o.log.info(`${dest} does not answer: power-cycling it`);
    this.notes.push(`${dest} did not answer over SSH; hilt power-cycled it`);
    await this.power.off();
    await new Promise((r) => setTimeout(r, this.o.ssh.power!.offMs));
    await this.power.on();
    const deadline = Date.now() + this.o.bootTimeoutMs;
    while (Date.now() < deadline) {
      const again = await this.probe();
      if (again) return again;
      await new Promise((r) => setTimeout(r, 2000));
    }
    throw infraError(`${dest} did not answer over SSH within ${this.o.bootTimeoutMs / 1000} s of power-on`);
  }

  private async stage(): Promise<string> {
    const dest = destination(this.o.ssh);
    const dir = (await this.run(['mktemp', '-d', `${this.o.ssh.workDir.replace(/\/+$/, '')}/hilt.XXXXXXXX`], 'making a temporary folder')).trim();
    if (!REMOTE_DIR.test(dir)) throw infraError(`mktemp on ${dest} answered ${JSON.stringify(dir.slice(0, 200))}, not a folder hilt made`);
    this.remoteDir = dir;
    // tar on both ends: one connection, modes kept, no shell on this side.
    const tar = spawn('tar', ['-C', this.o.tree.dir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ssh = spawn('ssh', [...sshArgs(this.o.ssh), remoteCommand(['tar', '-xf', '-', '-C', dir])], { stdio: ['pipe', 'pipe', 'pipe'] });
    let said = '';
    const keep = (d: Buffer) => (said = (said + d.toString()).slice(-4000));
    tar.stderr.on('data', keep);
    ssh.stderr.on('data', keep);
    ssh.stdout.on('data', keep);
    ssh.stdin.on('error', () => {});
    tar.stdout.pipe(ssh.stdin);
    const ended = (c: ReturnType<typeof spawn>) => new Promise<number | null>((r) => { c.once('close', (code) => r(code)); c.once('error', () => r(-1)); });
    const timer = setTimeout(() => { tar.kill('SIGKILL'); ssh.kill('SIGKILL'); }, COPY_MS);
    const [tarCode, sshCode] = await Promise.all([ended(tar), ended(ssh)]);
    clearTimeout(timer);
    if (tarCode !== 0 || sshCode !== 0) {
      throw sshFailure(this.o.ssh, sshCode, said) ?? infraError(`copying the agent and the suites to ${dest}:${dir} failed (tar ${tarCode}, ssh ${sshCode})`, { detail: said.trim() });
    }
    return dir;
  }

  async boot(request: BootRequest): Promise<Machine> {
    const seen = await this.reach();
    if (this.bootId && seen.bootId !== this.bootId) this.notes.push(`${destination(this.o.ssh)} rebooted since the last boot (boot id ${this.bootId} -> ${seen.bootId})`);
    this.bootId = seen.bootId;
    const dir = seen.staged && this.remoteDir ? this.remoteDir : await this.stage();
    if (request.interactive) {
      const shell = ['sh', '-c', 'cd "$1" && PATH="$1/hilt/suites:$1/hilt/bin:$PATH" exec "${SHELL:-/bin/sh}" -i', 'hilt', dir];
      const args = [...sshArgs(this.o.ssh, { tty: true }), remoteCommand(shell)];
      return ptyMachine('ssh', args, request.interactive, ['ssh', ...args]);
    }
    const args = [...sshArgs(this.o.ssh, { tty: true }), remoteCommand([`${dir}/agent`, ...hostedArgs(dir, request.cmdline)])];
    return childMachine(spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] }), {
      commandLine: ['ssh', ...args],
      // Closing the connection hangs up the agent's terminal: it kills its test and exits.
      stop: { signal: 'term', graceMs: TERM_GRACE_MS },
      input: false, // the agent reads nothing; stdin stays open so the pseudo-terminal does too
      stderrOf: (code, stderr) => (code === 255 && !stderr.trim() ? 'the SSH connection was lost' : stderr),
      startError: (e) => infraError(`cannot start ssh: ${e.message}`, { hint: 'apt-get install openssh-client' }),
    });
  }

  async afterBoot(): Promise<AfterBoot> {
    return { notes: this.notes.splice(0), error: null };
  }

  /** Removes the folder hilt made there (when the machine still answers). */
  async close(): Promise<void> {
    const dir = this.remoteDir;
    this.remoteDir = null;
    if (!dir || !REMOTE_DIR.test(dir)) return;
    const r = await this.ssh(['rm', '-rf', '--', dir], 30_000);
    if (r.code !== 0) this.o.log.warn(`could not remove ${destination(this.o.ssh)}:${dir} (${r.timedOut ? 'no answer' : r.output.trim().slice(-200) || `exit code ${r.code}`})`);
  }
}

