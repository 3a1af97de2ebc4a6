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
import { childMachine } from './child-machine.js';
import { type HostedFiles, hostedArgs, runningKernel } from './hosted.js';
import type { AfterBoot, MachineTarget } from './machine-target.js';
import { ptyMachine } from './pty.js';
import type { BootRequest, Machine } from './target.js';

/** After SIGTERM the agent kills its test and exits; past this it is killed. */
const TERM_GRACE_MS = 3000;
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

/** This host's kernel configuration and where it is: /boot/config-RELEASE, or /proc/config.gz. */
function localConfig(rel: string): { bytes: Buffer; file: string } | null {
  try {
    return { bytes: readFileSync(`/boot/config-${rel}`), file: `/boot/config-${rel}` };
  } catch {
    try {
      return { bytes: gunzipSync(readFileSync('/proc/config.gz')), file: '/proc/config.gz' };
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
    const config = localConfig(rel);
    return runningKernel(this.o.name, rel, config?.bytes ?? null, config?.file ?? null);
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
    return childMachine(spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }), {
      commandLine: [this.o.tree.agent, ...args],
      stop: { signal: 'term', graceMs: TERM_GRACE_MS },
      input: false, // the agent reads nothing
      startError: (e) => infraError(`cannot start the agent ${this.o.tree.agent}: ${e.message}`, { hint: 'Build it: make -C suites' }),
    });
  }

  async afterBoot(): Promise<AfterBoot> {
    return { notes: [], error: null };
  }

  async close(): Promise<void> {}
}
