/** The one place that turns a machine profile into a Target. */
import { existsSync } from 'node:fs';
import { infraError } from '../errors.js';
import { LocalDispatcher, ServerDispatcher } from '../lava/dispatchers.js';
import { type LavaLab, loadLab, readToken } from '../lava/lab.js';
import { LavaClient } from '../lava/rest.js';
import type { MachineProfile, RunPlan } from '../plan/types.js';
import type { Log } from '../util/log.js';
import type { HostedFiles } from './hosted.js';
import { LabTarget, labMachine } from './lab.js';
import { type LavaMachine, LavaTarget } from './lava.js';
import { LocalTarget } from './local.js';
import type { AfterBoot, MachineTarget } from './machine-target.js';
import { QemuTarget } from './qemu.js';
import { X86_64 } from './qemu-profiles.js';
import { SshTarget } from './ssh.js';
import type { Machine } from './target.js';

export type { BootRequest, Machine, MachineExit, Target } from './target.js';
export type { AfterBoot, MachineTarget } from './machine-target.js';
export type { HostedFiles } from './hosted.js';

/** What a machine needs from the run: the image for a machine hilt boots, the hosted tree for one that is up. */
export interface TargetInputs {
  kernelImage: string;
  initrd: string;
  accel: 'tcg' | 'kvm';
  /** lab, lava: the run's output folder (the power guard's log, LAVA's jobs and logs). */
  workDir?: string;
  log?: Log;
  /** ssh, local: the hosted tree (image/hosted-tree.ts). */
  tree?: HostedFiles;
  /** ssh: how long a power-cycled host may take to answer again. */
  bootTimeoutMs?: number;
  /** lava */
  plan?: RunPlan;
  release?: string;
  cacheDir?: string;
  registry?: Parameters<typeof loadLab>[1];
  signal?: AbortSignal;
}

const nothingAfter = async (): Promise<AfterBoot> => ({ notes: [], error: null });

/** The qemu target: a machine per boot, nothing to report after it, nothing to let go of. */
function qemuTarget(machine: MachineProfile, inputs: TargetInputs): MachineTarget {
  const q = new QemuTarget({ machine, kernelImage: inputs.kernelImage, initrd: inputs.initrd, accel: inputs.accel });
  return Object.assign(q, { consoleLagMs: 0, afterBoot: nothingAfter, close: async () => {} });
}

const need = <T>(v: T | undefined, what: string, type: string): T => {
  if (v === undefined) throw infraError(`internal: a ${type} target needs ${what}`);
  return v;
};

/**
 * A LAVA lab as a target: after each boot the job's end (LAVA's own failure
 * ends the run with LAVA's message), its id and URL for the journal and the
 * results. A server's log is polled, so its console lags.
 */
function lavaTarget(machine: MachineProfile, inputs: TargetInputs): MachineTarget {
  const lab: LavaLab = loadLab(machine.lava?.lab ?? undefined, need(inputs.registry, 'the schemas', 'lava'));
  const log = need(inputs.log, 'a log', 'lava');
  const workDir = need(inputs.workDir, 'a folder', 'lava');
  const firmware = lab.firmware ?? (!lab.server && X86_64.firmware && existsSync(X86_64.firmware) ? X86_64.firmware : null);
  const dispatcher = lab.server
    ? new ServerDispatcher(new LavaClient(lab.server, readToken(lab.token)), { onState: (s) => log.progress(`LAVA job ${s.id}: ${s.state}${s.device ? ` on ${s.device}` : ''}`) })
    : new LocalDispatcher({ workDir, cacheDir: need(inputs.cacheDir, 'the cache', 'lava'), log, noKvm: lab.noKvm });
  const target = new LavaTarget({
    plan: need(inputs.plan, 'the plan', 'lava'),
    lab: { ...lab, firmware },
    dispatcher,
    kernelImage: inputs.kernelImage,
    release: need(inputs.release, 'the kernel release', 'lava'),
    initrd: inputs.initrd,
    archWords: X86_64.cmdline,
    workDir,
    onAction: (text) => log.progress(`LAVA: ${text}`),
    ...(inputs.signal ? { signal: inputs.signal } : {}),
  });
  const jobs: string[] = [];
  const describe = target.describe.bind(target);
  return Object.assign(target, {
    consoleLagMs: lab.server ? 10_000 : 0,
    describe: () => ({ ...describe(), ...(jobs.length ? { lavaJobs: jobs.join(', ') } : {}) }),
    async afterBoot(m: Machine): Promise<AfterBoot> {
      const job = await (m as LavaMachine).lava;
      const ref = `${job.ref.id}${job.ref.url ? ` ${job.ref.url}` : ''}`;
      jobs.push(ref);
      return { notes: [`LAVA job ${ref} (${job.file}, its log ${job.logFile})`], error: job.error };
    },
    close: async () => {},
  });
}

export function createTarget(machine: MachineProfile, inputs: TargetInputs): MachineTarget {
  switch (machine.type) {
    case 'qemu':
      return qemuTarget(machine, inputs);
    case 'lab':
      return new LabTarget({
        machine: labMachine(machine),
        kernelImage: inputs.kernelImage,
        initrd: inputs.initrd,
        workDir: need(inputs.workDir, 'a folder', 'lab'),
        log: need(inputs.log, 'a log', 'lab'),
      });
    case 'ssh':
      if (!machine.ssh) throw infraError(`machine ${machine.name} is an ssh machine without ssh settings`);
      return new SshTarget({ name: machine.name, ssh: machine.ssh, tree: need(inputs.tree, 'the hosted tree', 'ssh'), bootTimeoutMs: inputs.bootTimeoutMs ?? 300_000, log: need(inputs.log, 'a log', 'ssh') });
    case 'local':
      return new LocalTarget({ name: machine.name, tree: need(inputs.tree, 'the hosted tree', 'local') });
    case 'lava':
      return lavaTarget(machine, inputs);
  }
}

/** Machines that are already up: the agent runs hosted, no kernel boots. */
export const isHosted = (machine: MachineProfile) => machine.type === 'ssh' || machine.type === 'local';

