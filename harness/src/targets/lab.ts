/**
 * LabTarget: a real board. Each boot powers the board off (a board left on by
 * the boot before, or by someone else, starts clean), stages this boot's iPXE
 * script beside the kernel and initramfs, opens the console, powers the board
 * on and hands back its console as the machine's: the same agent, records,
 * watchdogs and verdicts as in QEMU. After a panic or a hang hilt's watchdogs
 * kill the machine, which here is a power-off, and the next boot resumes.
 *
 * The board is powered off on every way a boot ends: the agent finished and
 * the kernel said it powers down (a board may not cut its own power), the
 * console was lost, a watchdog fired, Ctrl-C, hilt's own error (the executor
 * powers the machine off before it gives up). If hilt itself dies (SIGKILL, a
 * crash), the power guard (power-guard.ts), a process of its own, powers the
 * board off. A power-off that fails ends the run with an infrastructure error
 * saying the board may still be on.
 *
 * Boot states:  off ──power on──► on ──("reboot: Power down" or 10 s after the
 *   agent's done, console lost, kill)──► stopping ──power off──► off (exited settles)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { infraError, type HiltError } from '../errors.js';
import type { MachineProfile, LabSettings } from '../plan/types.js';
import { LineSplitter } from '../text/line-splitter.js';
import type { Log } from '../util/log.js';
import { type ConsoleLink, describeConsole, openConsole } from './console.js';
import { type FileServer, serveFolder, stageBootFiles, stageBootScript } from './network-boot.js';
import { PowerGuard } from './power-guard.js';
import { type PowerControl, powerControl } from './power.js';
import type { AfterBoot, MachineTarget } from './machine-target.js';
import type { BootRequest, Machine, MachineExit } from './target.js';

/** After the agent's `done`, how long the kernel may take to say it powers down before hilt cuts the power. */
const POWER_DOWN_GRACE_MS = 10_000;
const DONE = /@hilt \d+ done [0-9a-f]{8}\b/;
/**
 * The kernel powering down (the agent's end, or the shell's under `hilt boot`) or restarting: the board
 * is switched off then, as QEMU exits. A halted kernel ("System halted") stays on and silent, as in QEMU,
 * where the silence watchdog judges it.
 */
const POWER_DOWN = /reboot: (Power down|Restarting system)/;

export interface LabTargetOptions {
  machine: MachineProfile & { lab: LabSettings };
  kernelImage: string;
  initrd: string;
  /** The run's output folder: the power guard's log goes there. */
  workDir: string;
  log: Log;
}

/** The kernel command line of a board (pure): its console, no reboot after a panic, the profile's words, the boot's. */
export function labKernelWords(machine: MachineProfile & { lab: LabSettings }, request: BootRequest): string[] {
  // panic=0: the kernel stops after its report (panic_print=0x20 replays the log with the case markers);
  // hilt powers the board off. A board that rebooted would network-boot this boot's script again.
  return [`console=${machine.lab.console.kernel}`, 'panic=0', 'panic_print=0x20', 'quiet', ...machine.cmdline, ...request.cmdline];
}

export class LabTarget implements MachineTarget {
  readonly kind = 'lab';
  readonly consoleLagMs = 0;
  private readonly power: PowerControl;
  private guard: PowerGuard | null = null;
  private server: FileServer | null = null;
  private staged: Promise<void> | null = null;
  private readonly notes: string[] = [];
  private problem: HiltError | null = null;

  constructor(private readonly o: LabTargetOptions) {
    this.power = powerControl(o.machine.name, o.machine.lab.power, { onRetry: (op, why) => this.notes.push(`powering ${o.machine.name} ${op} failed (${why.split('\n')[0]}); tried again`) });
  }

  private get lab(): LabSettings {
    return this.o.machine.lab;
  }

  describe(): Record<string, string | number | boolean> {
    const { boot } = this.lab;
    return {
      name: this.o.machine.name,
      type: 'lab',
      arch: 'x86_64',
      power: this.power.describe(),
      console: describeConsole(this.lab.console),
      boot: `ipxe ${boot.url.replace(/\/+$/, '')}/${boot.dir}/boot.ipxe`,
    };
  }

  private async stage(): Promise<void> {
    const { boot } = this.lab;
    await stageBootFiles(boot, this.o.kernelImage, this.o.initrd);
    if (boot.serve) {
      this.server = await serveFolder(boot.root, boot.serve);
      this.o.log.info(`serving ${boot.root} over HTTP at ${boot.serve.host}:${this.server.port} for the run`);
    }
  }

  private pause(ms: number) {
    return new Promise((r) => setTimeout(r, ms));
  }

  async boot(request: BootRequest): Promise<Machine> {
    await (this.staged ??= this.stage());
    if (!this.guard) {
      mkdirSync(this.o.workDir, { recursive: true });
      this.guard = PowerGuard.start({ machine: this.o.machine.name, power: this.lab.power }, join(this.o.workDir, 'power-guard.log'));
    }
    const name = this.o.machine.name;
    this.guard.armed(); // until the first power-off has been confirmed, the board may be on
    await this.power.off();
    this.guard.safe();
    await this.pause(this.lab.power.offMs);
    const words = labKernelWords(this.o.machine, request);
    const script = await stageBootScript(this.lab.boot, words);
    const link = openConsole(this.lab.console, request.interactive ? { size: request.interactive } : {});
    this.guard.armed();
    try {
      await this.power.on();
    } catch (e) {
      link.close();
      // An "on" that failed or hung may still have switched the board on.
      await this.power.off().then(() => this.guard?.safe(), (off: HiltError) => this.notes.push(`after the failed power-on, powering ${name} off failed too: ${off.message}`));
      throw e;
    }
    return this.machine(link, [`lab:${name}`, `power=${this.power.describe()}`, `console=${describeConsole(this.lab.console)}`, `ipxe=${script}`, ...words]);
  }

  private machine(link: ConsoleLink, commandLine: string[]): Machine {
    const listeners: ((chunk: Buffer) => void)[] = [];
    const early: Buffer[] = [];
    const splitter = new LineSplitter({ maxLineBytes: 16 * 1024, encoding: 'latin1' });
    let state: 'on' | 'stopping' | 'off' = 'on';
    let graceTimer: NodeJS.Timeout | null = null;
    let settle!: (exit: MachineExit) => void;
    const exited = new Promise<MachineExit>((resolve) => (settle = resolve));

    const powerDown = async (why: string, code: number | null) => {
      if (state !== 'on') return exited;
      state = 'stopping';
      if (graceTimer) clearTimeout(graceTimer);
      let stderr = why;
      try {
        await this.power.off();
        this.guard?.safe();
      } catch (e) {
        this.problem ??= e as HiltError;
        stderr = `${why}; then powering it off failed: ${(e as Error).message}`;
      }
      link.close();
      state = 'off';
      settle({ code, signal: null, stderr });
      return exited;
    };

    link.onData((chunk) => {
      for (const line of splitter.push(chunk)) {
        if (DONE.test(line) && !graceTimer) {
          graceTimer = setTimeout(() => void powerDown('the agent finished, but the kernel never said it powers down', 0), POWER_DOWN_GRACE_MS);
        } else if (POWER_DOWN.test(line)) {
          const clean = line.includes('Power down');
          // Give the console a moment to bring the last bytes.
          setTimeout(() => void powerDown(clean ? '' : `the kernel restarted by itself: ${line.trim()}`, clean ? 0 : null), 200);
        }
      }
      if (listeners.length) for (const l of listeners) l(chunk);
      else early.push(chunk);
    });
    void link.lost.then((why) => powerDown(why, null));

    return {
      commandLine,
      exited,
      onConsole(cb) {
        listeners.push(cb);
        for (const chunk of early.splice(0)) cb(chunk);
      },
      write: (data) => link.write(data),
      resize: (cols, rows) => link.resize(cols, rows),
      kill: () => powerDown('hilt powered the board off', null),
    };
  }

  async afterBoot(): Promise<AfterBoot> {
    const error = this.problem;
    this.problem = null;
    return { notes: this.notes.splice(0), error };
  }

  async close(): Promise<void> {
    this.guard?.dismiss();
    this.guard = null;
    await this.server?.close();
    this.server = null;
  }
}

/** A machine profile of type lab, checked. */
export function labMachine(machine: MachineProfile): MachineProfile & { lab: LabSettings } {
  if (!machine.lab) throw infraError(`machine ${machine.name} is a lab machine without power, console and boot settings`);
  return machine as MachineProfile & { lab: LabSettings };
}
