/**
 * A LAVA job definition for one boot of a hilt run, as plain data (pure: no
 * files, no processes). The job deploys hilt's kernel and initramfs, boots
 * them, and watches the console while the hilt agent, which is /init, runs
 * every planned test by itself and powers the machine off.
 *
 * Why a boot with a prompt and a `monitors` test, and not a test shell: LAVA's
 * test shells (`definitions:`) log in, put an overlay into the root file system
 * and type commands; the agent needs none of that and must not be disturbed.
 * The `monitors` test action (lava_dispatcher/actions/test/monitor.py) is made
 * for a device that runs its tests itself: it only reads the console, from a
 * start pattern to an end pattern, and types nothing.
 *
 * - boot `prompts`: the agent's first record (`@hilt 0 hello ...`). LAVA's
 *   boot action ends there, so the boot timeout is hilt's: power-on to agent.
 *   On the way LAVA waits for the kernel banner (`Linux version`) and checks
 *   the boot log for panics and oopses: hence no `quiet` on the command line.
 * - `monitors`: starts at the next record, ends at the agent's `done` record
 *   or at the last line of a kernel panic. The kernel runs with `panic=0` (it
 *   stops after the panic report instead of rebooting): with a reboot, QEMU
 *   under `-no-reboot` would exit and LAVA would call the closed console an
 *   infrastructure error, when it is the kernel under test that crashed.
 *   `panic_print=0x20` replays the kernel log before the end line, so hilt
 *   still learns which case was running.
 * - per-case results in LAVA: each agent `end` record becomes a LAVA test case
 *   named by the plan index, with result `unknown` and the case's duration in
 *   ms: the verdicts are hilt's (schemas, profiles, dmesg rules need the host)
 *   and LAVA must not show a second, different opinion.
 *
 * The console text LAVA logs is exactly what hilt's console reader needs;
 * see log.ts for how it is taken back out.
 */
import YAML from 'yaml';
import { usageError } from '../errors.js';
import type { LavaDeviceType } from './device-types.js';

export interface LavaArtifact {
  url: string;
  sha256: string;
}

/** Seconds, as LAVA takes them. */
export interface LavaTimeouts {
  job: number;
  deploy: number;
  /** Power-on to the agent's hello. */
  boot: number;
  /** The agent's tests, from its hello to its done. */
  test: number;
}

export interface LavaJobInput {
  name: string;
  deviceType: LavaDeviceType;
  tags: string[];
  priority: 'high' | 'medium' | 'low' | number;
  visibility: 'public' | 'personal';
  kernel: LavaArtifact;
  ramdisk: LavaArtifact;
  dtb: LavaArtifact | null;
  /** Every kernel command line word the job adds (the console word for QEMU included). */
  cmdline: string[];
  /** QEMU device types only: memory, and options LAVA appends to its own QEMU command. */
  qemu: { memoryMb: number; options: string[] } | null;
  timeouts: LavaTimeouts;
  /** More `context:` variables from the lab profile (LAVA checks their names). */
  context: Record<string, string | number | (string | number)[]>;
  metadata: Record<string, string>;
}

/**
 * The agent's first record: the end of the boot, as LAVA sees it. (`\s`, a
 * regular expression like the rest, also keeps LAVA from warning that the
 * prompt has none of the characters a shell prompt has.)
 */
export const HELLO_PROMPT = '@hilt 0 hello [0-9a-f]{8} v=1\\s';
/** The first record after hello (what the monitor starts at). */
export const MONITOR_START = '@hilt [0-9]+ ';
/** The agent's last record, or the last line of a panic report. */
export const MONITOR_END = '@hilt [0-9]+ done |---\\[ end Kernel panic';
/** Each `end <index> <ms>` record: a LAVA test case per planned test, result left to hilt. */
export const MONITOR_CASE = '@hilt [0-9]+ (?P<result>end) [0-9a-f]{8} (?P<test_case_id>[0-9]+) (?P<measurement>[0-9]+)';

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
export type LavaJob = { [k: string]: Json };

const seconds = (s: number) => ({ seconds: Math.max(1, Math.ceil(s)) });

/** One word of a kernel command line, safe inside the double quotes of QEMU's -append as LAVA splits it. */
export function checkKernelWord(word: string): string | null {
  return /^[^\s"'\\]+$/.test(word) ? null : `kernel command line word ${JSON.stringify(word)} has a space, a quote or a backslash, which the LAVA job cannot carry`;
}

export function buildLavaJob(o: LavaJobInput): LavaJob {
  for (const w of o.cmdline) {
    const bad = checkKernelWord(w);
    if (bad) throw usageError(bad, 'Give the word without spaces or quotes (the machine profile\'s cmdline).');
  }
  const dt = o.deviceType;
  const qemu = dt.boot === 'qemu';
  const context: LavaJob = {};
  if (qemu) {
    context.arch = dt.arch;
    if (o.qemu) {
      context.memory = o.qemu.memoryMb;
      context.extra_options = o.qemu.options;
    }
  } else {
    context.extra_kernel_args = o.cmdline.join(' ');
    if (dt.console) context.console_device = dt.console;
  }
  for (const [k, v] of Object.entries(o.context)) context[k] = v;

  const t = o.timeouts;
  const deploy: LavaJob = qemu
    ? {
        to: 'tmpfs',
        timeout: seconds(t.deploy),
        images: {
          kernel: { url: o.kernel.url, sha256sum: o.kernel.sha256, image_arg: `-kernel {kernel} -append "${o.cmdline.join(' ')}"` },
          ramdisk: { url: o.ramdisk.url, sha256sum: o.ramdisk.sha256, image_arg: '-initrd {ramdisk}' },
        },
      }
    : {
        to: 'tftp',
        timeout: seconds(t.deploy),
        kernel: { url: o.kernel.url, sha256sum: o.kernel.sha256, ...(dt.kernelType ? { type: dt.kernelType } : {}) },
        // LAVA must not unpack the initramfs to add its own overlay or modules: the agent is /init.
        ramdisk: {
          url: o.ramdisk.url,
          sha256sum: o.ramdisk.sha256,
          install_modules: false,
          install_overlay: false,
          ...(dt.ramdiskHeader ? { header: dt.ramdiskHeader } : {}),
        },
        ...(o.dtb ? { dtb: { url: o.dtb.url, sha256sum: o.dtb.sha256 } } : {}),
      };
  // The connection LAVA opens during the boot is what the monitor reads, and
  // its per-read timeout is the timeout of the action that opened it: give it
  // the whole test time, so that hilt's finer watchdogs decide about silence.
  const connectionAction = qemu ? 'execute-qemu' : 'connect-device';
  const boot: LavaJob = {
    method: dt.boot,
    ...(qemu ? { media: 'tmpfs' } : { commands: dt.commands }),
    timeout: seconds(t.boot),
    timeouts: { [connectionAction]: seconds(t.test) },
    prompts: [HELLO_PROMPT],
  };
  const test: LavaJob = {
    timeout: seconds(t.test),
    monitors: [{ name: 'hilt', start: MONITOR_START, end: MONITOR_END, pattern: MONITOR_CASE, fixupdict: { end: 'unknown' } }],
  };
  return {
    device_type: dt.name,
    job_name: o.name.slice(0, 200),
    priority: o.priority,
    visibility: o.visibility,
    ...(o.tags.length ? { tags: o.tags } : {}),
    ...(Object.keys(o.metadata).length ? { metadata: o.metadata } : {}),
    context,
    timeouts: {
      job: seconds(t.job),
      // The monitor waits this long for its start pattern.
      connections: { 'lava-test-monitor': seconds(t.test) },
    },
    actions: [{ deploy }, { boot }, { test }],
  };
}

/**
 * The job as YAML a person can read and submit (`lavacli jobs submit`), with
 * comment lines on top. Block style, keys in the order LAVA's docs use.
 */
export function lavaJobYaml(job: LavaJob, comment: string[] = []): string {
  const doc = new YAML.Document(job);
  if (comment.length) doc.commentBefore = comment.map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0, indentSeq: false });
}
