/**
 * Secrets a machine profile names (a PDU's password, a console server's
 * token): read when a command needs them, from an environment variable or a
 * file, handed to that command in its environment, and blanked out of
 * anything hilt records (a failed command's output). A secret never goes
 * into an argv, where any user of the host could read it in ps.
 */
import { readFileSync } from 'node:fs';
import { usageError } from '../errors.js';
import type { SecretSource } from '../plan/types.js';

export function readSecret(name: string, source: SecretSource, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in source) {
    const v = env[source.env];
    if (!v) throw usageError(`the machine profile reads secret ${name} from $${source.env}, which is not set`, `export ${source.env}=... before hilt runs.`);
    return v;
  }
  let v: string;
  try {
    v = readFileSync(source.file, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw usageError(`secret ${name}: the file ${source.file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, 'Put the secret alone in that file (chmod 600).');
  }
  if (!v || v.includes('\n')) throw usageError(`secret ${name}: the file ${source.file} must hold the secret alone, on one line`);
  return v;
}

/** The environment variables a command gets for its secrets, and the values to blank out of what it says. */
export function secretEnv(secrets: Record<string, SecretSource>, env: NodeJS.ProcessEnv = process.env): { vars: Record<string, string>; values: string[] } {
  const vars: Record<string, string> = {};
  for (const [name, source] of Object.entries(secrets)) vars[name] = readSecret(name, source, env);
  return { vars, values: Object.values(vars) };
}

/** text with every secret value replaced by ***. Pure. */
export function redact(text: string, values: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is blanked whole.
  for (const v of [...values].filter((x) => x.length >= 3).sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
  return out;
}
