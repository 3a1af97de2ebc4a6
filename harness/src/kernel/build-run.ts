/** Runs kbuild and merge_config.sh with their output kept in a log. */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { infraError } from '../errors.js';
import type { Command } from './tree-plan.js';

export const BUILD_TOOLS_HINT = 'A kernel build needs: apt-get install build-essential flex bison bc libelf-dev libssl-dev';

/**
 * The environment of make and merge_config.sh: the person's, less what would
 * point kbuild elsewhere (another output or config file) or tie it to an
 * outer make's jobserver.
 */
function buildEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['KBUILD_OUTPUT', 'KCONFIG_CONFIG', 'KCONFIG_ALLCONFIG', 'MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES']) delete env[k];
  return { ...env, ...extra };
}

/** Runs a command with its output appended to a log; stdout lines also go to onLine. */
export function runLogged(cmd: Command, logPath: string, onLine?: (line: string) => void): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const log = createWriteStream(logPath, { flags: 'a' });
    log.write(`$ ${cmd.argv.join(' ')}\n`);
    const child = spawn(cmd.argv[0]!, cmd.argv.slice(1), { cwd: cmd.cwd, env: buildEnv(cmd.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    child.stdout.on('data', (d: Buffer) => {
      log.write(d);
      if (!onLine) return;
      const lines = (partial + d.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const l of lines) onLine(l);
    });
    child.stderr.on('data', (d: Buffer) => log.write(d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      log.end();
      reject(
        e.code === 'ENOENT'
          ? infraError(`${cmd.argv[0]} is not installed; building a kernel tree needs it`, { hint: BUILD_TOOLS_HINT })
          : infraError(`${cmd.argv.join(' ')}: ${e.message}`),
      );
    });
    child.on('close', (code, signal) => log.end(() => resolvePromise(code ?? (signal ? 128 : 1))));
  });
}
