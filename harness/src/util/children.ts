/**
 * Every machine process hilt starts is registered here and killed when hilt
 * exits, however it exits. A SIGKILL of hilt itself cannot run any handler,
 * so processes are also started under `setpriv --pdeathsig KILL`: the kernel
 * kills them the moment their parent dies.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

const live = new Set<number>();
let hooked = false;

function killAll(): void {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** Kills pid when hilt exits, unless forget(pid) came first. */
export function trackPid(pid: number): void {
  if (!hooked) {
    process.on('exit', killAll);
    hooked = true;
  }
  live.add(pid);
}

export function forget(pid: number): void {
  live.delete(pid);
}

export function track(child: ChildProcess): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  trackPid(pid);
  child.once('exit', () => forget(pid));
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p)) ?? null;

/** Wraps a command so that it dies with its parent (Linux util-linux setpriv), when available. */
export function dieWithParent(cmd: string, args: string[]): [string, string[]] {
  return SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', cmd, ...args]] : [cmd, args];
}
