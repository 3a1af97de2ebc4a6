/** Shared by the tests: the repository root and running the real hilt CLI. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/harness/test/helpers.js is three levels below the root. */
export const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const HILT = join(ROOT, 'bin', 'hilt');

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a hilt started by a test: the test's own, less what the
 * tap runner injects (NODE_OPTIONS loaders for coverage and TypeScript), so
 * hilt runs as a person would run it.
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (k !== 'NODE_OPTIONS' && !k.startsWith('TAP') && !k.startsWith('_TAPJS')) env[k] = v;
  return { ...env, ...extra };
}

export interface Started {
  child: ChildProcess;
  done: Promise<Ran>;
}

/** Starts hilt and hands back the process, for tests that signal it mid-run. */
export function startHilt(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Started {
  // tap puts its loaders into NODE_OPTIONS of every process a test spawns; env(1) drops them again.
  const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', HILT, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: cleanEnv(opts.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
  const done = new Promise<Ran>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
  child.stdin!.end(opts.input ?? '');
  return { child, done };
}

export function runHilt(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}): Promise<Ran> {
  return startHilt(args, opts).done;
}

export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'hilt-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
