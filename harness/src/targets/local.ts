/**
 * LocalTarget: this host's running kernel, for a workstation with a real
 * accelerator. Nothing boots: each "boot" runs the agent in hosted mode on
 * the hosted tree (image/hosted-tree.ts), its stdout the console. The suites
 * use what this kernel has (its modules are not loaded by hilt) and skip,
 * with their reasons, what is absent. A watchdog's kill stops the agent,
 * which takes the running test's process group down with it; the next boot
 * goes on with the next test. `hilt boot` gives a shell in the tree.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { infraError } from '../errors.js';
import type { KernelInfo } from '../kernel/types.js';
import { forget, trackPid } from '../util/children.js';
import { type HostedFiles, hostedArgs, runningKernel } from './hosted.js';
import type { AfterBoot, MachineTarget } from './machine-target.js';
import { ptyMachine } from './pty.js';
import type { BootRequest, Machine, MachineExit } from './target.js';

const STDERR_CAP = 16 * 1024;
/** After SIGTERM the agent kills its test and exits; past this it is killed. */
const TERM_GRACE_MS = 3000;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

/** This host's kernel configuration: /boot/config-RELEASE, or /proc/config.gz. */
function localConfig(rel: string): Buffer | null {
  try {
    return readFileSync(`/boot/config-${rel}`);
  } catch {
    try {
      return gunzipSync(readFileSync('/proc/config.gz'));
    } catch {
      return null;
    }
  }
}

export class LocalTarget implements MachineTarget {
  readonly kind = 'local';
  /** The agent's input is not wired to hilt: one agent run per range of tests, not serve mode. */
  readonly serves = false;
  readonly consoleLagMs = 0;

  constructor(private readonly o: { name: string; tree: HostedFiles }) {}

  describe(): Record<string, string | number | boolean> {
    return { name: this.o.name, type: 'local', arch: process.arch === 'x64' ? 'x86_64' : process.arch, host: hostname() };
  }

  kernel(): KernelInfo {
    const rel = release();
    return runningKernel(this.o.name, rel, localConfig(rel));
  }

  boot(request: BootRequest): Promise<Machine> {
    const dir = this.o.tree.dir;
    if (request.interactive) {
      const shell = process.env.SHELL || '/bin/sh';
      const argv = ['-C', dir, `PATH=${dir}/hilt/suites:${dir}/hilt/bin:${process.env.PATH ?? '/usr/bin:/bin'}`, shell, '-i'];
      return ptyMachine('/usr/bin/env', argv, request.interactive, ['env', ...argv]);
    }
    const args = hostedArgs(dir, request.cmdline);
    // SIGTERM when hilt dies: the agent then takes its running test down with it.
    const [cmd, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'TERM', '--', this.o.tree.agent, ...args]] : [this.o.tree.agent, args];
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) trackPid(child.pid);
    const listeners: ((chunk: Buffer) => void)[] = [];
    const early: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (listeners.length) for (const l of listeners) l(chunk);
      else early.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8').slice(0, STDERR_CAP - stderr.length);
    });
    const exited = new Promise<MachineExit>((resolve) =>
      child.once('close', (code, signal) => {
        if (child.pid !== undefined) forget(child.pid);
        resolve({ code, signal, stderr });
      }),
    );
    return new Promise((resolve, reject) => {
      child.once('error', (e) => reject(infraError(`cannot start the agent ${this.o.tree.agent}: ${e.message}`, { hint: 'Build it: make -C suites' })));
      child.once('spawn', () =>
        resolve({
          commandLine: [this.o.tree.agent, ...args],
          exited,
          onConsole(cb) {
            listeners.push(cb);
            for (const chunk of early.splice(0)) cb(chunk);
          },
          write() {}, // the agent reads nothing
          async kill() {
            if (child.exitCode === null && child.signalCode === null) {
              child.kill('SIGTERM');
              const hard = setTimeout(() => child.kill('SIGKILL'), TERM_GRACE_MS);
              await exited;
              clearTimeout(hard);
            }
            return exited;
          },
        }),
      );
    });
  }

  async afterBoot(): Promise<AfterBoot> {
    return { notes: [], error: null };
  }

  async close(): Promise<void> {}
}
