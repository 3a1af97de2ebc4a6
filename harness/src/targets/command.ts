/**
 * Runs one command of a machine profile (a power switch, a console probe):
 * an argv list, never a shell string; its own process group, so a command
 * that hangs is killed whole (with whatever it started) when its time is up;
 * stdout and stderr kept together, capped, as the evidence of a failure.
 */
import { spawn } from 'node:child_process';
import { forget, trackPid } from '../util/children.js';

const OUTPUT_CAP = 8 * 1024;

export interface CommandResult {
  code: number | null;
  signal: string | null;
  /** stdout and stderr as they came, the last OUTPUT_CAP bytes. */
  output: string;
  timedOut: boolean;
  /** The command could not be started (ENOENT...). */
  error: string | null;
  ms: number;
}

export function runArgv(argv: string[], o: { timeoutMs: number; env?: Record<string, string>; cwd?: string }): Promise<CommandResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let output = '';
    const keep = (d: Buffer) => {
      output += d.toString('utf8');
      if (output.length > OUTPUT_CAP * 2) output = output.slice(-OUTPUT_CAP);
    };
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, ...o.env },
      ...(o.cwd ? { cwd: o.cwd } : {}),
    });
    if (child.pid !== undefined) trackPid(-child.pid);
    let timedOut = false;
    let error: string | null = null;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, o.timeoutMs);
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (e) => {
      error = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `${argv[0]} is not installed (or not on PATH)` : e.message;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      // A command that exited may have left children in its group (a daemon it forked keeps its own session).
      if (child.pid !== undefined) forget(-child.pid);
      resolve({ code, signal, output: output.slice(-OUTPUT_CAP), timedOut, error, ms: Date.now() - t0 });
    });
  });
}
