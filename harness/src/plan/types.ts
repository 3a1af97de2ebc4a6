import type { SuiteInfo } from '../suites/catalog.js';

/** The kinds of machine hilt reaches: see harness/src/targets/README-section.md. */
export type MachineType = 'qemu' | 'lab' | 'ssh' | 'local' | 'lava';
export const MACHINE_TYPES: readonly MachineType[] = ['qemu', 'lab', 'ssh', 'local', 'lava'];

/**
 * Where a secret is read at the moment it is needed: an environment variable
 * or a file. The value itself is never in a profile, a plan, a journal or a report.
 */
export type SecretSource = { env: string } | { file: string };

/** How hilt switches a machine on and off: a pdudaemon server, or commands (argv lists). */
export interface PowerSettings {
  /** pdudaemon's HTTP listener: GET {url}/power/control/{on,off}?hostname=..&port=.. */
  pdudaemon: { url: string; hostname: string; port: number } | null;
  commands: { on: string[]; off: string[] } | null;
  /** Each power request may take this long before it counts as hung. */
  timeoutMs: number;
  /** How often a failed or hung request is tried again. */
  retries: number;
  /** How long the machine stays off before it is switched on again. */
  offMs: number;
  /** Environment variables the power commands get, each read from its source when a command runs. */
  secrets: Record<string, SecretSource>;
}

/** A machine's serial console: a TCP address (ser2net, a BMC's serial-over-LAN) or a command run under a pseudo-terminal. */
export interface ConsoleSettings {
  tcp: { host: string; port: number } | null;
  command: string[] | null;
  /** The kernel's console= device on this machine (ttyS0,115200). */
  kernel: string;
}

/** Network boot: the kernel, initramfs and an iPXE script staged where the machine's boot loader fetches them. */
export interface NetworkBoot {
  method: 'ipxe';
  /** The folder the lab's TFTP/HTTP server serves (or hilt serves, with serve). */
  root: string;
  /** The machine's folder under root: dir/boot.ipxe, dir/vmlinuz, dir/initrd.cpio. */
  dir: string;
  /** How the machine reaches root: http://... or tftp://... */
  url: string;
  /** hilt serves root over HTTP at this address for the run. */
  serve: { host: string; port: number } | null;
}

export interface LabSettings {
  power: PowerSettings;
  console: ConsoleSettings;
  boot: NetworkBoot;
}

export interface SshSettings {
  host: string;
  user: string | null;
  port: number;
  /** The private key (-i), or null for the ssh agent's and the user's defaults. */
  identity: string | null;
  /** The known_hosts file the host's key must be in; null: the user's. Host keys are always checked. */
  knownHosts: string | null;
  /** Where the temporary folder is made on the machine. */
  workDir: string;
  /** A machine hilt can power-cycle after a crash; null: a crash ends the run. */
  power: PowerSettings | null;
}

/** An accelerator the machine must show before any suite runs (checked against the agent's inventory). */
export interface AcceleratorDemand {
  /** PCI ids, four lowercase hex digits; null: any. With neither, driver names a DRM or accel node's driver. */
  vendor: string | null;
  device: string | null;
  driver: string | null;
  /** At least this many. */
  count: number;
}

export interface MachineProfile {
  type: MachineType;
  name: string;
  /** The virtual machine's settings: the qemu target's, and a LAVA qemu device type's. */
  memoryMb: number;
  cpus: number;
  accel: 'auto' | 'tcg' | 'kvm';
  /** TCG on one host thread (the default: no emulator-made oopses) or one per vCPU. */
  tcgThreads: 'single' | 'multi';
  qemu: string;
  devices: string[];
  extraArgs: string[];
  cmdline: string[];
  /** What the machine must show (optional in journals written before machines had them). */
  accelerators?: AcceleratorDemand[];
  lab?: LabSettings | null;
  ssh?: SshSettings | null;
  /** The LAVA lab profile (schemas/lava-lab.schema.json), or null for lava-run on this host. */
  lava?: { lab: string | null } | null;
}

export interface DmesgRules {
  /** Messages at or below this syslog level count; -1 counts none by level. */
  level: number;
  match: string[];
  ignore: string[];
}

export interface PlannedTest {
  /** Position in the whole run; the agent resumes by it (hilt.start=N). */
  index: number;
  /** With --repeat N, which of the N runs of the plan this test belongs to (1-based); absent otherwise. */
  repeat?: number;
  /** It may leave the machine unusable: it runs after every other test, alone in a freshly booted machine. */
  alone?: boolean;
  /** The plan named this case (--suite S:CASE): a kernel without an option it needs is refused before boot, not skipped. */
  named?: boolean;
  suite: string;
  /** Case name, or '-' for a program run whole. */
  case: string;
  timeoutMs: number;
}

/** A run, fully decided: validated once at the door, serialized into results.json. */
export interface RunPlan {
  kernel: string;
  machine: MachineProfile;
  suites: SuiteInfo[];
  tests: PlannedTest[];
  out: string;
  timeouts: { bootMs: number; silenceMs: number; caseGraceMs: number; runMs: number | null };
  dmesg: DmesgRules;
  profiles: string[];
  /**
   * What the machine may lack of what the suites require (results/requirements.ts):
   * module names, node paths, CONFIG_ options, drm-devices, or all. Absent in
   * plans journaled before hilt had it: everything was optional then.
   */
  optional?: string[];
  retries: number;
  /** Kernel conditions that stop the whole run, like IGT's runner --abort-on-monitored-error. */
  abortOn: AbortCondition[];
  /** Machines run at once (--jobs). */
  jobs: number;
  /** How many times the plan's tests are run in this invocation (--repeat), to hunt flakes. */
  repeat: number;
  /** IGT's part of the run (--igt DIR), when it has one: its suites are those of mode 'igt'. */
  igt?: IgtPlan;
}

/** What a run asks of IGT (plan/igt.ts): kept in the plan, so results.json shows it. */
export interface IgtPlan {
  /** The folder given: an IGT meson build dir or an install prefix. */
  dir: string;
  /** Where the test programs are: DIR/tests or DIR/libexec/igt-gpu-tools. */
  testsDir: string;
  /** -t: include patterns, searched in igt@program@subtest without regard to case. */
  tests: string[];
  /** -x: exclude patterns. */
  exclude: string[];
  /** IGT_DEVICE: IGT's device filter (`--device` of IGT's tests). */
  device: string | null;
  /** IGT_FORCE_DRIVER: the driver IGT opens when a test asks for any. */
  forceDriver: string | null;
}

/** taint: the kernel gained a taint bit that means trouble; lockdep: lockdep switched itself off. */
export type AbortCondition = 'taint' | 'lockdep';
export const ABORT_CONDITIONS: readonly AbortCondition[] = ['taint', 'lockdep'];
