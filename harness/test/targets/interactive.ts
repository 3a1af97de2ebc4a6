/** `hilt boot` as a person runs it: on a pseudo-terminal, typing into it. */
import { cleanEnv, HILT, ROOT } from '../helpers.js';

export interface Session {
  output: string;
  code: number | null;
}

/** Starts hilt on a pseudo-terminal; once `ready` shows in its output, types `input`; resolves when hilt exits. */
export async function typeInto(args: string[], ready: RegExp, input: string, timeoutMs = 120_000, cwd = ROOT): Promise<Session> {
  const pty = await import('node-pty');
  const p = pty.spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', HILT, ...args], { name: 'xterm', cols: 160, rows: 40, cwd, env: cleanEnv({ PS1: 'hilt-test$ ' }) as Record<string, string> });
  let output = '';
  let typed = false;
  return new Promise((resolve) => {
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.onData((d) => {
      output += d;
      if (!typed && ready.test(output)) {
        typed = true;
        setTimeout(() => p.write(input), 300);
      }
    });
    p.onExit(({ exitCode }) => {
      clearTimeout(timer);
      resolve({ output, code: exitCode });
    });
  });
}
