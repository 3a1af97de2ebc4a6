/**
 * What hilt's own targets offer the run on top of the Target interface: what
 * a boot left to say (a LAVA job's id, a power request that needed a second
 * try) and an error that must end the run (a LAVA job the lab failed, a board
 * that would not power off); a close() for what the target holds for the
 * whole run (a power guard, an HTTP server, a folder on an SSH host).
 */
import type { HiltError } from '../errors.js';
import type { KernelInfo } from '../kernel/types.js';
import type { Machine, Target } from './target.js';

export interface AfterBoot {
  /** Lines for the journal. */
  notes: string[];
  error: HiltError | null;
}

export interface MachineTarget extends Target {
  /** Console bytes may reach hilt this much later than the machine sent them (a LAVA server's log is polled). */
  readonly consoleLagMs: number;
  /** Once a boot is over (its machine has exited). */
  afterBoot(machine: Machine): Promise<AfterBoot>;
  /** The kernel the machine runs, for a machine hilt does not boot (ssh, local). */
  kernel?(): KernelInfo | Promise<KernelInfo>;
  /** The run is over: let go of everything. Safe to call twice. */
  close(): Promise<void>;
}
