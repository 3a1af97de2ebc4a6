/**
 * Runs a machine's console command under a pseudo-terminal (node-pty): for an
 * interactive console (`hilt boot`) and for console programs that insist on
 * a terminal (telnet, picocom, conmux-console). node-pty is a native addon,
 * loaded only when a console needs it.
 */
import { infraError } from '../errors.js';
import { forget, trackPid } from '../util/children.js';
import type { Machine, MachineExit } from './target.js';

export async function loadPty(): Promise<typeof import('node-pty')> {
  try {
    return await import('node-pty');
  } catch (e) {
    throw infraError(`node-pty could not be loaded (${(e as Error).message})`, { hint: 'Reinstall the dependencies: npm ci (it builds node-pty with node-gyp).' });
  }
}

/** Starts cmd argv on a pseudo-terminal and hands it back as a Machine: its output is the console. */
export async function ptyMachine(cmd: string, argv: string[], size: { cols: number; rows: number }, commandLine: string[]): Promise<Machine> {
  const pty = await loadPty();
  const child = pty.spawn(cmd, argv, { name: process.env.TERM ?? 'xterm', cols: size.cols, rows: size.rows, env: process.env as Record<string, string> });
  trackPid(child.pid);
  const listeners: ((chunk: Buffer) => void)[] = [];
  const early: Buffer[] = [];
  child.onData((d) => {
    const chunk = Buffer.from(d, 'utf8');
    if (listeners.length) for (const l of listeners) l(chunk);
    else early.push(chunk);
  });
  let done = false;
  const exited = new Promise<MachineExit>((resolve) =>
    child.onExit(({ exitCode, signal }) => {
      done = true;
      forget(child.pid);
      resolve({ code: exitCode, signal: signal ? String(signal) : null, stderr: '' });
    }),
  );
  return {
    commandLine,
    exited,
    onConsole(cb) {
      listeners.push(cb);
      for (const chunk of early.splice(0)) cb(chunk);
    },
    write(data) {
      if (!done) child.write(typeof data === 'string' ? data : data.toString('utf8'));
    },
    async kill() {
      if (!done) child.kill('SIGKILL');
      return exited;
    },
    resize(cols, rows) {
      if (!done) child.resize(cols, rows);
    },
  };
}
