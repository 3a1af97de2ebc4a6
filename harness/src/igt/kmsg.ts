/**
 * The kernel log of one IGT process, as IGT's runner judges it
 * (runner/resultgen.c, fill_from_dmesg): each message belongs to the subtest
 * whose "[IGT] binary: starting subtest NAME" marker came last before it
 * (messages before the first marker go to the first subtest, messages after
 * the last one to the last), and to the dynamic subtest whose marker came
 * last within it. A message is a warning when its level is at or below the
 * warning level (4, KERN_WARNING, by default), it is not the continuation
 * of an earlier record, it does not match IGT's list of known-harmless
 * messages, and it does not match the pattern the test itself announced with
 * "add ignored dmesg regex: PATTERN" since the current (dynamic) subtest
 * began. Pure.
 */
import { igtNamePart } from './names.js';

export interface KernelMessage {
  /** Syslog level, 0 (emergency) to 7 (debug); the facility bits are not part of it. */
  level: number;
  text: string;
  /** Microseconds since boot, when known. */
  usec?: number;
  /** The record continues the one before it (printk KERN_CONT, /dev/kmsg flag 'c'). */
  continuation?: boolean;
}

export const DEFAULT_DMESG_WARN_LEVEL = 4;

/**
 * IGT runner's list of messages that never count against a test (the
 * igt_dmesg_whitelist of runner/resultgen.c), each searched for anywhere in
 * the message, as GRegex searches them there.
 */
export const IGT_DMESG_IGNORE: readonly string[] = [
  'ACPI: button: The lid device is not compliant to SW_LID',
  'ACPI: .*: Unable to dock!',
  'IRQ [0-9]+: no longer affine to CPU[0-9]+',
  'IRQ fixup: irq [0-9]+ move in progress, old vector [0-9]+',
  'Setting dangerous option [a-z_]+ - tainting kernel',
  'Suspending console\\(s\\) \\(use no_console_suspend to debug\\)',
  'atkbd serio[0-9]+: Failed to (deactivate|enable) keyboard on isa[0-9]+/serio[0-9]+',
  'cache: parent cpu[0-9]+ should not be sleeping',
  'hpet[0-9]+: lost [0-9]+ rtc interrupts',
  'i915: probe of [0-9a-fA-F:.]+ failed with error -25',
  'mock: DMA: Out of SW-IOMMU space for [0-9]+ bytes',
  'usb usb[0-9]+: root hub lost power or was reset',
];
const IGNORE = new RegExp(IGT_DMESG_IGNORE.join('|'));

const STARTING_SUBTEST = ': starting subtest ';
const STARTING_DYNAMIC = ': starting dynamic subtest ';
const ADD_IGNORED = 'add ignored dmesg regex: ';

/** A /dev/kmsg record, `PRIORITY,SEQ,USEC,FLAGS;TEXT` (igt_runner's dmesg.txt); null for key=value continuation lines. */
export function parseKmsgRecord(line: string): KernelMessage | null {
  const m = /^(\d+),(\d+),(\d+),([^;]*);(.*)$/.exec(line);
  if (!m) return null;
  return { level: Number(m[1]) & 7, usec: Number(m[3]), continuation: m[4]!.includes('c'), text: unescapeKmsg(m[5]!) };
}

/** One line of `dmesg -r` (busybox or util-linux): `<PRIORITY>[ SECONDS] TEXT`. */
export function parseDmesgRawLine(line: string): KernelMessage | null {
  const m = /^<(\d+)>(?:\[\s*(\d+)\.(\d+)\]\s?)?(.*)$/.exec(line);
  if (!m) return null;
  const usec = m[2] !== undefined ? Number(m[2]) * 1e6 + Number(m[3]!.padEnd(6, '0').slice(0, 6)) : undefined;
  return { level: Number(m[1]) & 7, text: m[4]!, ...(usec !== undefined ? { usec } : {}) };
}

/** /dev/kmsg escapes unprintable bytes as \xNN; printable ones and white space come back as IGT's runner restores them. */
function unescapeKmsg(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (all, hex: string) => {
    const c = parseInt(hex, 16);
    return (c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0c || c === 0x0d ? String.fromCharCode(c) : all;
  });
}

/** A message as IGT's runner prints it in results.json: `<LEVEL> [SECONDS.MICROS] TEXT`. */
export function formatKernelMessage(m: KernelMessage): string {
  const usec = m.usec ?? 0;
  return `<${m.level}> [${Math.floor(usec / 1e6)}.${String(usec % 1e6).padStart(6, '0')}] ${m.text}`;
}

export interface DmesgShare {
  messages: KernelMessage[];
  warnings: KernelMessage[];
}

export interface AttributedDmesg {
  /** By subtest name, as a part of IGT's names (igtNamePart: lower case). */
  subtests: Map<string, DmesgShare>;
  /** By `subtest@dynamic`, both parts as in IGT's names. */
  dynamic: Map<string, DmesgShare>;
  /** Everything, for a run in which no subtest began. */
  all: DmesgShare;
}

const share = (): DmesgShare => ({ messages: [], warnings: [] });

/** A pattern a test announced; one that JavaScript cannot compile ignores nothing, as GRegex ignores nothing when its compile fails. */
function announcedPattern(text: string): RegExp | null {
  const at = text.indexOf(ADD_IGNORED);
  if (at < 0) return null;
  const source = text.slice(at + ADD_IGNORED.length).split('\n')[0]!;
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

/** extraIgnore: patterns of the caller's own (a hilt plan's dmesg.ignore) that never count either. */
export function attributeDmesg(messages: readonly KernelMessage[], warnLevel = DEFAULT_DMESG_WARN_LEVEL, extraIgnore: readonly RegExp[] = []): AttributedDmesg {
  const out: AttributedDmesg = { subtests: new Map(), dynamic: new Map(), all: share() };
  let subtest: string | null = null;
  let dynamic: string | null = null;
  let current = share(); // the running subtest's share; before the first marker it gathers what the first subtest will get
  let currentDynamic = share();
  let ignored: RegExp | null = null;
  for (const m of messages) {
    const subAt = m.text.indexOf(STARTING_SUBTEST);
    if (subAt >= 0) {
      if (subtest !== null) {
        current = share();
        currentDynamic = share();
      }
      subtest = m.text.slice(subAt + STARTING_SUBTEST.length).trim();
      dynamic = null;
      out.subtests.set(igtNamePart(subtest), current);
      ignored = null;
    }
    const dynAt = m.text.indexOf(STARTING_DYNAMIC);
    if (subtest !== null && dynAt >= 0) {
      if (dynamic !== null) currentDynamic = share();
      dynamic = m.text.slice(dynAt + STARTING_DYNAMIC.length).trim();
      out.dynamic.set(`${igtNamePart(subtest)}@${igtNamePart(dynamic)}`, currentDynamic);
      ignored = null;
    }
    const announced = announcedPattern(m.text);
    if (announced) ignored = announced;
    const warns = m.level <= warnLevel && !m.continuation && !IGNORE.test(m.text) && !(ignored && ignored.test(m.text)) && !extraIgnore.some((re) => re.test(m.text));
    for (const s of [current, currentDynamic, out.all]) s.messages.push(m);
    if (warns) {
      current.warnings.push(m);
      out.all.warnings.push(m);
      // Before the first subtest began, a warning is the first subtest's, not its first dynamic subtest's.
      if (subtest !== null) currentDynamic.warnings.push(m);
    }
  }
  return out;
}
