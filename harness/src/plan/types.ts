import type { SuiteInfo } from '../suites/catalog.js';

export interface MachineProfile {
  type: 'qemu';
  name: string;
  memoryMb: number;
  cpus: number;
  accel: 'auto' | 'tcg' | 'kvm';
  /** TCG on one host thread (the default: no emulator-made oopses) or one per vCPU. */
  tcgThreads: 'single' | 'multi';
  qemu: string;
  devices: string[];
  extraArgs: string[];
  cmdline: string[];
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
