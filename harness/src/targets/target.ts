/**
 * One interface for every machine hilt can test on. A target boots (or
 * reaches) a machine and hands back its console as raw bytes; the rest of
 * hilt never knows whether that was QEMU, a lab board or a LAVA job.
 */
export interface MachineExit {
  code: number | null;
  signal: string | null;
  /** What the machine's own process said on stderr, capped (QEMU's errors). */
  stderr: string;
}

export interface Machine {
  /** Console bytes as they arrive; callbacks registered before boot() resolves miss nothing. */
  onConsole(cb: (chunk: Buffer) => void): void;
  /** Bytes typed into the console. */
  write(data: string | Buffer): void;
  /** Settles when the machine is off, however that happened. */
  readonly exited: Promise<MachineExit>;
  /** Hard power-off; resolves once the machine is off. */
  kill(): Promise<MachineExit>;
  /** The terminal's size changed (an interactive console on a pseudo-terminal). */
  resize?(cols: number, rows: number): void;
  /** The command or job that runs it, for reports and for reproducing by hand. */
  readonly commandLine: string[];
}

export interface BootRequest {
  /** Kernel command line words on top of the target's own. */
  cmdline: string[];
  /**
   * A person will type into the console (`hilt boot`): the target attaches it
   * through a pseudo-terminal (node-pty), so line editing and control keys
   * reach the guest's shell as they would on a serial terminal.
   */
  interactive?: { cols: number; rows: number };
}

export interface Target {
  readonly kind: string;
  /**
   * Whether the console takes input, so that a machine booted with
   * hilt.mode=serve can be handed work as it goes (the default); false for
   * a target that only shows output (a LAVA job): it boots once per range.
   */
  readonly serves?: boolean;
  /** What reports record about the machine. */
  describe(): Record<string, string | number | boolean>;
  boot(request: BootRequest): Promise<Machine>;
}
