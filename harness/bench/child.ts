/** Runs a bench script of ours in a fresh node process (clean memory figures) and reads the JSON it prints. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export async function runJsonChild<T>(script: string, args: string[]): Promise<T> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const proc = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('close', resolve);
  });
  if (code !== 0) throw new Error(`${script} exited with ${code}: ${stderr.trim().slice(-3000)}`);
  return JSON.parse(stdout) as T;
}
