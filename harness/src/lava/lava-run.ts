/**
 * LAVA's own dispatcher, run on this host: `lava-run --job-id N --output-dir
 * DIR --device device.yaml --dispatcher dispatcher.yaml job.yaml`, as a LAVA
 * worker runs it and as TuxRun does. Its log arrives on stderr as it is
 * written; a SIGTERM makes it cancel the job the way a server does (it
 * finalises: powers the device off, logs a `Canceled` result).
 *
 * lava-run must run as root; it starts QEMU under a pseudo-terminal of its
 * own, and kills it when the job ends.
 */
import { spawn } from 'node:child_process';
import { infraError } from '../errors.js';
import { dieWithParent, track } from '../util/children.js';
import type { LavaJobRef } from './outcome.js';

export const LAVA_RUN = 'lava-run';
/** After a SIGTERM, how long lava-run may take to finalise before it is killed. */
const CANCEL_GRACE_MS = 30_000;
/** A lava-run still running this long after the first SIGTERM gets a second one. */
const CANCEL_AGAIN_MS = 3_000;
const STDOUT_CAP = 16 * 1024;

/** The dispatcher configuration of a worker whose device runs on the worker itself. */
export function localDispatcherYaml(ip = '127.0.0.1'): string {
  return `# Read by lava-run --dispatcher: the address QEMU guests and TFTP clients use to reach the worker.\ndispatcher_ip: ${ip}\n`;
}

export function lavaRunArgs(o: { jobId: string; outputDir: string; device: string; dispatcher: string; job: string }): string[] {
  return ['--job-id', o.jobId, '--output-dir', o.outputDir, '--device', o.device, '--dispatcher', o.dispatcher, o.job];
}

export interface LavaRunExit {
  code: number | null;
  signal: string | null;
  /** lava-run's stdout (it prints its refusals there, e.g. when not root). */
  stdout: string;
}

/** A job running under LAVA, wherever: its log as it grows, its end, a way to cancel it. */
export interface RunningLavaJob {
  ref: LavaJobRef;
  /** How to run the same job by hand. */
  commandLine: string[];
  /** Log text as it arrives, in chunks cut anywhere; callbacks registered at once miss nothing. */
  onLog(cb: (text: string) => void): void;
  readonly ended: Promise<LavaRunExit>;
  /** Asks LAVA to cancel the job; resolves when it has ended. */
  cancel(): Promise<LavaRunExit>;
}

export function startLavaRun(o: { jobId: string; outputDir: string; device: string; dispatcher: string; job: string; lavaRun?: string }): Promise<RunningLavaJob> {
  const cmd = o.lavaRun ?? LAVA_RUN;
  const args = lavaRunArgs(o);
  if (process.getuid?.() !== 0) {
    return Promise.reject(infraError(`${cmd} must run as root, and hilt is not root`, { hint: 'Run hilt as root (sudo) to use the local LAVA dispatcher, or point the lab profile at a LAVA server.' }));
  }
  const [bin, argv] = dieWithParent(cmd, args);
  const child = spawn(bin, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  const listeners: ((text: string) => void)[] = [];
  const early: string[] = [];
  let stdout = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    if (listeners.length) for (const l of listeners) l(text);
    else early.push(text);
  });
  child.stdout.on('data', (d: Buffer) => {
    if (stdout.length < STDOUT_CAP) stdout += d.toString('utf8').slice(0, STDOUT_CAP - stdout.length);
  });
  const ended = new Promise<LavaRunExit>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout })));
  return new Promise((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? infraError(`${cmd} is not installed`, { hint: 'apt-get install lava-dispatcher (Debian 12: lava-dispatcher and lava-common 2023.01).' })
          : infraError(`cannot start ${cmd}: ${e.message}`),
      );
    });
    child.once('spawn', () => {
      resolve({
        ref: { id: o.jobId, url: null },
        commandLine: [cmd, ...args],
        onLog(cb) {
          listeners.push(cb);
          for (const text of early.splice(0)) cb(text);
        },
        ended,
        async cancel() {
          if (child.exitCode === null && child.signalCode === null) {
            // lava-run turns the first signal into JobCanceled, but a signal that lands while
            // it spawns QEMU is swallowed (seen here: the job then ran on and passed). Its
            // handler is replaced by then, so a second signal cancels for sure; a lava-run
            // that still will not end is killed (QEMU follows when its pseudo-terminal closes).
            child.kill('SIGTERM');
            const again = setTimeout(() => child.kill('SIGTERM'), CANCEL_AGAIN_MS);
            const timer = setTimeout(() => child.kill('SIGKILL'), CANCEL_GRACE_MS);
            void ended.finally(() => {
              clearTimeout(again);
              clearTimeout(timer);
            });
          }
          return ended;
        },
      });
    });
  });
}
