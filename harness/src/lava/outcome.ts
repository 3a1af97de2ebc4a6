/**
 * How a LAVA job's end reads for hilt (pure). A job that LAVA ended with an
 * error is an infrastructure verdict carrying LAVA's own error message, never
 * a conformance failure: a wrong prompt, a missing context variable, a boot
 * that timed out, a worker that lost the console. What the kernel under test
 * did wrong shows in the console the job recorded (the job's monitor ends
 * cleanly on the agent's `done` and on a kernel panic), and hilt judges that
 * from the agent's records exactly as on any other target.
 *
 * A job hilt itself canceled (its own watchdog fired, or the person pressed
 * Ctrl-C) is not an error here: the watchdog already journaled why.
 */
import { type HiltError, infraError } from '../errors.js';
import type { LavaJobEnd } from './log.js';

export interface LavaJobRef {
  id: string;
  /** The job's page on the server; null for a local lava-run. */
  url: string | null;
}

const HINTS: Record<string, string> = {
  Infrastructure: 'The lab (worker, device, console connection) failed, not the kernel under test: ask the lab admins, or run again.',
  Job: 'LAVA could not run the job as written: `hilt lava job` prints it; check the device type, its prompts and context against the lab.',
  LAVATimeout: 'A LAVA timeout ran out before hilt\'s own watchdogs fired: the timeouts come from --boot-timeout, --case-timeout and --run-timeout.',
  Configuration: 'The LAVA instance is misconfigured: ask the lab admins.',
  Bug: 'LAVA hit a bug of its own: ask the lab admins.',
  Canceled: 'Someone canceled the job in the lab.',
};

const describe = (ref: LavaJobRef) => `LAVA job ${ref.id}${ref.url ? ` (${ref.url})` : ''}`;

export function lavaJobError(
  end: LavaJobEnd | null,
  o: { ref: LavaJobRef; canceledByHilt: boolean; errors: string[]; dispatcherExit?: string | null },
): HiltError | null {
  const detail = o.errors.length ? `LAVA logged:\n${o.errors.slice(-6).map((e) => `  ${e}`).join('\n')}` : undefined;
  if (!end) {
    if (o.canceledByHilt) return null;
    return infraError(`${describe(o.ref)} ended without a result${o.dispatcherExit ? ` (${o.dispatcherExit})` : ''}`, {
      hint: 'The dispatcher stopped before it could say how the job ended.',
      ...(detail ? { detail } : {}),
    });
  }
  if (end.result === 'pass') return null;
  if (end.errorType === 'Canceled' && o.canceledByHilt) return null;
  const type = end.errorType ?? 'unknown';
  const msg = end.errorMsg ?? 'no error message';
  return infraError(`${describe(o.ref)} failed with a LAVA ${type} error: ${msg}`, {
    hint: HINTS[type] ?? 'See the job log.',
    ...(detail ? { detail } : {}),
  });
}
