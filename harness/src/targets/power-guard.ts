/**
 * A dead man's switch for a lab board: a small process of its own that
 * powers the board off if hilt dies while the board is on, whatever killed
 * hilt (SIGKILL, the OOM killer, a crash: nothing in hilt itself can act
 * then). hilt tells it over a pipe when the board may be on and when it is
 * off; when the pipe closes without a goodbye, or closes while the board may
 * be on, the guard switches it off with the profile's power settings (their
 * retries and timeouts too), says what it did in its log, and exits.
 *
 * The guard runs in its own session, so the Ctrl-C that stops hilt does not
 * stop it, and hilt does not wait for it.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PowerSettings } from '../plan/types.js';

export const GUARD_MAIN = fileURLToPath(new URL('./power-guard-main.js', import.meta.url));

/** What the guard reads first: the machine and how to switch it off. */
export interface GuardOrders {
  machine: string;
  power: PowerSettings;
}

export class PowerGuard {
  private ended = false;

  private constructor(private readonly stdin: NodeJS.WritableStream & { unref?: () => void }) {}

  static start(orders: GuardOrders, logFile: string): PowerGuard {
    const log = openSync(logFile, 'a');
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [GUARD_MAIN], { stdio: ['pipe', log, log], detached: true, env });
    closeSync(log);
    child.unref();
    child.on('error', () => {}); // a guard that cannot start leaves the board to hilt's own power-off
    const stdin = child.stdin!;
    stdin.on('error', () => {});
    // The pipe must not keep hilt alive; its closing is the signal.
    (stdin as unknown as { unref?: () => void }).unref?.();
    stdin.write(`${JSON.stringify(orders)}\n`);
    return new PowerGuard(stdin);
  }

  /** The board may be on from now: if hilt dies, power it off. */
  armed(): void {
    if (!this.ended) this.stdin.write('on\n');
  }

  /** The board is off. */
  safe(): void {
    if (!this.ended) this.stdin.write('off\n');
  }

  /** hilt is done with the board: the guard leaves (powering off first if the board may still be on). */
  dismiss(): void {
    if (this.ended) return;
    this.ended = true;
    this.stdin.end('bye\n');
  }
}
