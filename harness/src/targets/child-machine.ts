/**
 * A machine whose console is a child process's stdout: QEMU with its serial
 * port on stdio, the hosted agent on this host, ssh running it elsewhere.
 * Console bytes that arrive before anyone listens are kept for the first
 * listener; stderr is kept up to a cap for error messages; the process is
 * killed if hilt exits first.
 */
import type { ChildProcess } from 'node:child_process';
import { track } from '../util/children.js';
import type { Machine, MachineExit } from './target.js';

const STDERR_CAP = 16 * 1024;

export interface ChildMachineOptions {
  commandLine: string[];
  /**
   * kill: SIGKILL (QEMU: nothing in it needs a chance to clean up). term: SIGTERM,
   * then SIGKILL after graceMs (the agent kills its running test's process group
   * first; for ssh, closing the connection hangs up the remote agent's terminal).
   */
  stop: { signal: 'kill' } | { signal: 'term'; graceMs: number };
  /** Console input goes to the child's stdin (a serial port on stdio); without it typing is dropped. */
  input: boolean;
  /** The exit's stderr as reported: lets a target say what an exit code means when the process said nothing. */
  stderrOf?: (code: number | null, stderr: string) => string;
  /** The error a failed start is reported as. */
  startError: (e: NodeJS.ErrnoException) => Error;
}

export function childMachine(child: ChildProcess, o: ChildMachineOptions): Promise<Machine> {
  track(child);
  const listeners: ((chunk: Buffer) => void)[] = [];
  const early: Buffer[] = [];
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (listeners.length) for (const l of listeners) l(chunk);
    else early.push(chunk);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8').slice(0, STDERR_CAP - stderr.length);
  });
  child.stdin?.on('error', () => {}); // the process is gone: typing into it is moot
  const exited = new Promise<MachineExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stderr: o.stderrOf ? o.stderrOf(code, stderr) : stderr }));
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return new Promise((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => reject(o.startError(e)));
    child.once('spawn', () =>
      resolve({
        commandLine: o.commandLine,
        exited,
        onConsole(cb) {
          listeners.push(cb);
          for (const chunk of early.splice(0)) cb(chunk);
        },
        write(data) {
          if (o.input && child.stdin?.writable) child.stdin.write(data);
        },
        async kill() {
          if (!running()) return exited;
          if (o.stop.signal === 'kill') {
            child.kill('SIGKILL');
            return exited;
          }
          child.kill('SIGTERM');
          const hard = setTimeout(() => child.kill('SIGKILL'), o.stop.graceMs);
          await exited;
          clearTimeout(hard);
          return exited;
        },
      }),
    );
  });
}
