/**
 * `hilt run` against the floor: the same QEMU command line, kernel and
 * modules, booting an initramfs whose /init is a busybox sh script that only
 * mounts, insmods and runs the same suite programs (every case, output on the
 * console) and powers off. What hilt costs on top of that is its price.
 *
 * The floor's QEMU arguments come from qemuArgs() with the machine profile,
 * kernel and command line words that the warm-up `hilt run` journaled for its
 * boot, and are checked to equal that boot's argv except for the initrd.
 */
import { spawn } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { DEFAULT_BUSYBOX, baseEntries, moduleEntries } from '../src/image/build.js';
import { type CpioEntry, cpioArchive } from '../src/image/cpio.js';
import { resolveKernel } from '../src/kernel/index.js';
import { ROOT, cacheDir } from '../src/paths.js';
import type { RunPlan } from '../src/plan/types.js';
import type { RunResult } from '../src/results/model.js';
import type { JournalEntry } from '../src/journal/index.js';
import { parseJournal } from '../src/journal/index.js';
import { X86_64 } from '../src/targets/qemu-profiles.js';
import { qemuArgs } from '../src/targets/qemu.js';
import { dieWithParent, track } from '../src/util/children.js';
import { silentLog } from '../src/util/log.js';
import { isFile, readCpio } from './cpio-read.js';
import { type Section, fmtMiB, fmtMs, fmtS, median } from './table.js';

export const RUN_RATIO_TARGET = 1.15;
const HILT = join(ROOT, 'bin', 'hilt');
const RUN_LIMIT_MS = 300_000;

export interface RunBenchOptions {
  runs: number;
  progress: (message: string) => void;
}

interface Timed {
  ms: number;
  code: number | null;
}

interface HiltRun extends Timed {
  stderr: string;
  /** Each stderr line with when it arrived, ms after the spawn. */
  lines: { at: number; text: string }[];
  result: RunResult | null;
  journal: JournalEntry[];
  /** Bytes of the raw console logs hilt keeps beside its reports (console-N.log), when it keeps them. */
  consoleBytes: number | null;
}

interface FloorRun extends Timed {
  bytes: number;
  lines: { at: number; text: string }[];
  stderr: string;
}

/** Guest-side milestones, ms after QEMU started. */
interface GuestTimeline {
  firstKtap: number | null;
  lastResult: number | null;
  exit: number | null;
}

function tmp(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Splits a byte stream into lines, noting when each line's last chunk arrived. */
function lineCollector(t0: number) {
  const lines: { at: number; text: string }[] = [];
  let rest = '';
  return {
    lines,
    push(chunk: Buffer) {
      const at = performance.now() - t0;
      const parts = (rest + chunk.toString('latin1')).split('\n');
      rest = parts.pop()!;
      for (const p of parts) lines.push({ at, text: p.replace(/\r$/, '') });
    },
    end() {
      if (rest) lines.push({ at: performance.now() - t0, text: rest.replace(/\r$/, '') });
      rest = '';
    },
  };
}

function waitClose(child: ReturnType<typeof spawn>, what: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} ran longer than ${RUN_LIMIT_MS / 1000} s; killed`));
    }, RUN_LIMIT_MS);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function runHilt(out: string, extra: string[] = []): Promise<HiltRun> {
  // --retries 0: one boot, the same tests as the floor, even if a case flakes.
  const args = ['run', '--accel', 'tcg', '--retries', '0', '--out', out, ...extra];
  const t0 = performance.now();
  const child = spawn(HILT, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const err = lineCollector(t0);
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  const code = await waitClose(child, 'hilt run');
  const ms = performance.now() - t0;
  err.end();
  const stderr = err.lines.map((l) => l.text).join('\n');
  if (code !== 0 && code !== 1) throw new Error(`./bin/hilt ${args.join(' ')} exited with ${code}:\n${stderr.slice(-3000)}`);
  let result: RunResult | null = null;
  let journal: JournalEntry[] = [];
  try {
    result = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
    journal = parseJournal(readFileSync(join(out, 'journal.jsonl'), 'utf8')).entries;
  } catch (e) {
    throw new Error(`hilt run left no readable results in ${out}: ${(e as Error).message}`);
  }
  const logs = readdirSync(out).filter((f) => /^console-\d+\.log$/.test(f));
  const consoleBytes = logs.length ? logs.reduce((n, f) => n + statSync(join(out, f)).size, 0) : null;
  return { ms, code, stderr, lines: err.lines, result, journal, consoleBytes };
}

async function runFloor(qemu: string, args: string[]): Promise<FloorRun> {
  const [cmd, argv] = dieWithParent(qemu, args); // as QemuTarget starts it
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  track(child);
  const out = lineCollector(t0);
  let bytes = 0;
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    bytes += c.length;
    out.push(c);
  });
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin!.on('error', () => {});
  const code = await waitClose(child, 'the floor QEMU');
  const ms = performance.now() - t0;
  out.end();
  return { ms, code, bytes, lines: out.lines, stderr };
}

/** The floor's /init: what the agent does before and around the tests, as a shell script. */
export function floorInit(modules: string[], programs: string[]): string {
  return [
    '#!/bin/sh',
    '# hilt bench floor: the pseudo filesystems the agent mounts, the same modules in the same order,',
    '# every suite program once with all its cases, output straight to the console, then power off.',
    'mount -t proc proc /proc',
    'mount -t sysfs sysfs /sys',
    'mount -t devtmpfs devtmpfs /dev',
    'mount -t tmpfs tmpfs /tmp',
    'mount -t debugfs debugfs /sys/kernel/debug',
    'mkdir -p /dev/pts /dev/shm',
    'mount -t devpts devpts /dev/pts',
    'mount -t tmpfs tmpfs /dev/shm',
    ...modules.map((m) => `insmod ${m}`),
    ...programs,
    'poweroff -f',
    '',
  ].join('\n');
}

interface FloorImage {
  path: string;
  bytes: number;
  modules: string[];
  /** Files shared with the real image and byte-identical there. */
  identical: number;
}

/** Builds the floor initramfs from the same pieces buildInitramfs uses, and checks them against the image hilt booted. */
async function buildFloorImage(plan: RunPlan, realInitrd: string, dir: string): Promise<FloorImage> {
  const kernel = await resolveKernel(plan.kernel, { cacheDir: cacheDir(), log: silentLog });
  const inputs = {
    kernel,
    suites: plan.suites,
    agentBinary: '',
    busybox: process.env.HILT_BUSYBOX ?? DEFAULT_BUSYBOX, // what the executor gives buildInitramfs
    agent: { tests: [], heartbeatMs: 0, kmsgLevel: 0, bootKmsgLevel: 0, consoleLevel: 0 },
    cacheDir: cacheDir(),
    log: silentLog,
  };
  const mods = await moduleEntries(inputs);
  const programs: string[] = [];
  const suiteEntries: CpioEntry[] = [];
  for (const suite of plan.suites) {
    const guest = suite.mode === 'cases' ? `hilt/suites/${suite.name}` : `hilt/bin/${suite.name}`;
    suiteEntries.push({ type: 'file', path: guest, mode: 0o755, data: readFileSync(suite.binary) });
    programs.push('/' + guest);
  }
  const entries: CpioEntry[] = [
    ...(await baseEntries(Buffer.from(floorInit(mods.guestPaths, programs)), inputs.busybox)),
    ...mods.entries,
    ...suiteEntries,
  ];
  const chunks = cpioArchive(entries);
  const path = join(dir, 'floor.cpio');
  writeFileSync(path, Buffer.concat(chunks));

  // The same bytes as the real image, and the same module order as the agent's plan.
  const real = new Map(readCpio(readFileSync(realInitrd)).map((m) => [m.path, m]));
  let identical = 0;
  for (const m of readCpio(readFileSync(path))) {
    if (!isFile(m) || m.path === 'init') continue;
    const r = real.get(m.path);
    if (!r || !r.data.equals(m.data)) throw new Error(`floor image: ${m.path} differs from the image hilt booted (${realInitrd})`);
    identical++;
  }
  const realPlan = real.get('hilt/plan')?.data.toString('utf8') ?? '';
  const realModules = realPlan.split('\n').filter((l) => l.startsWith('module ')).map((l) => l.slice(7));
  if (realModules.join(' ') !== mods.guestPaths.join(' ')) {
    throw new Error(`floor image loads ${mods.guestPaths.join(' ')} but the agent's plan loads ${realModules.join(' ')}`);
  }
  return { path, bytes: chunks.reduce((n, c) => n + c.length, 0), modules: mods.names, identical };
}

function argAfter(argv: string[], flag: string): string {
  const i = argv.indexOf(flag);
  if (i < 0 || i + 1 >= argv.length) throw new Error(`the journaled QEMU command line has no ${flag}`);
  return argv[i + 1]!;
}

/** The floor's argv: qemuArgs() with hilt's inputs; must differ from hilt's journaled argv in the initrd alone. */
function floorArgs(plan: RunPlan, hiltArgv: string[], kernelImage: string, initrd: string): { args: string[]; requestWords: string[] } {
  const append = argAfter(hiltArgv, '-append').split(' ');
  const fixed = [...X86_64.cmdline, ...plan.machine.cmdline];
  if (fixed.some((w, i) => append[i] !== w)) throw new Error(`hilt's -append '${append.join(' ')}' does not start with the profile's words '${fixed.join(' ')}'`);
  const requestWords = append.slice(fixed.length);
  const args = qemuArgs({ machine: plan.machine, kernelImage, initrd, accel: 'tcg' }, { cmdline: requestWords });
  const mine = [plan.machine.qemu, ...args];
  const initrdAt = hiltArgv.indexOf('-initrd') + 1;
  const diff = mine.flatMap((a, i) => (a !== hiltArgv[i] && i !== initrdAt ? [`#${i}: '${hiltArgv[i]}' vs '${a}'`] : []));
  if (mine.length !== hiltArgv.length || diff.length) {
    throw new Error(`the floor's QEMU command line differs from hilt's beyond -initrd: ${diff.join(', ') || 'length'}\n hilt:  ${hiltArgv.join(' ')}\n floor: ${mine.join(' ')}`);
  }
  return { args, requestWords };
}

interface FloorCheck {
  ok: boolean;
  problems: string[];
  counts: { pass: number; fail: number; skip: number };
  /** suite/case of each 'not ok'. */
  failed: string[];
  timeline: GuestTimeline;
}

/** The floor's console must hold each suite's KTAP with every planned case reported. */
function checkFloor(run: FloorRun, plan: RunPlan): FloorCheck {
  const problems: string[] = [];
  const counts = { pass: 0, fail: 0, skip: 0 };
  const failed: string[] = [];
  const lines = run.lines.map((l) => l.text);
  const header = (name: string) => lines.indexOf(`# hilt suite ${name}`);
  let firstKtap: number | null = null;
  let lastResult: number | null = null;
  for (const suite of plan.suites) {
    const at = header(suite.name);
    if (at < 0) {
      problems.push(`${suite.name}: no KTAP header on the console`);
      continue;
    }
    let results = 0;
    let planned: number | null = null;
    for (let i = at + 1; i < lines.length && !lines[i]!.startsWith('# hilt suite '); i++) {
      const l = lines[i]!;
      const p = /^1\.\.(\d+)$/.exec(l);
      if (p && planned === null) planned = Number(p[1]);
      if (/^(not )?ok \d+ /.test(l)) {
        results++;
        if (l.startsWith('not ok')) {
          counts.fail++;
          failed.push(`${suite.name}/${l.replace(/^not ok \d+ /, '')}`);
        }
        else if (/ # SKIP\b/i.test(l)) counts.skip++;
        else counts.pass++;
        lastResult = Math.max(lastResult ?? 0, run.lines[i]!.at);
      }
    }
    const want = suite.mode === 'cases' ? suite.cases.length : planned ?? 0;
    if (planned !== want || results !== want) problems.push(`${suite.name}: plan 1..${planned ?? '?'}, ${results} results, ${want} cases expected`);
  }
  const k = run.lines.findIndex((l) => l.text === 'KTAP version 1');
  if (k >= 0) firstKtap = run.lines[k]!.at;
  if (run.code !== 0) problems.push(`QEMU exited with ${run.code}: ${run.stderr.trim().slice(0, 300)}`);
  return { ok: !problems.length, problems, counts, failed, timeline: { firstKtap, lastResult, exit: run.ms } };
}

function hiltVerdict(r: RunResult, path: string): string {
  const [suite, name] = [path.slice(0, path.indexOf('/')), path.slice(path.indexOf('/') + 1)];
  const c = r.suites.find((s) => s.name === suite)?.cases.find((x) => x.name === name);
  return c ? `${c.status}${c.message ? ` (${c.message.slice(0, 100)}${c.message.length > 100 ? '…' : ''})` : ''}` : 'no such case';
}

/** Guest milestones from hilt's journal (ms after its boot session started, right after QEMU's spawn). */
function hiltTimeline(journal: JournalEntry[]): GuestTimeline & { hello: number | null; records: number; consoleLines: number; approxBytes: number; inCases: number } {
  let firstKtap: number | null = null;
  let lastResult: number | null = null;
  let exit: number | null = null;
  let hello: number | null = null;
  let records = 0;
  let consoleLines = 0;
  let approxBytes = 0;
  let inCases = 0;
  for (const e of journal) {
    if (e.t === 'rec') {
      records++;
      // "@hilt SEQ KIND CRC32 PAYLOAD\r\n" (payload escaped; close enough)
      approxBytes += 6 + String(e.seq).length + 1 + e.kind.length + 1 + 8 + 1 + Buffer.byteLength(e.p) + 2;
      if (e.kind === 'hello') hello = e.ms;
      if (e.kind === 'out' && firstKtap === null) firstKtap = e.ms;
      if (e.kind === 'end') {
        lastResult = e.ms;
        inCases += Number(e.p.split(' ')[1] ?? 0); // the agent's own time of the case, begin to end
      }
    } else if (e.t === 'con') {
      consoleLines++;
      approxBytes += Buffer.byteLength(e.text) + 2;
    } else if (e.t === 'boot-end') exit = e.ms;
  }
  return { firstKtap, lastResult, exit, hello, records, consoleLines, approxBytes, inCases };
}

/** Cost of one write + fdatasync on the filesystem of the output folder (the journal syncs each begin/end). */
function fdatasyncCost(dir: string, n = 40): number {
  const fd = openSync(join(dir, 'sync-probe'), 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      writeSync(fd, `{"t":"rec","boot":1,"seq":${i},"kind":"begin","p":"0 x y","ms":1}\n`);
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
  }
  return median(times);
}

/** hilt's start-up step by step in fresh processes (startup-child.js); the median of each step over `n` processes. */
async function startupSteps(n: number): Promise<[string, number][]> {
  const child = fileURLToPath(new URL('./startup-child.js', import.meta.url));
  const all: [string, number][][] = [];
  for (let i = 0; i < n; i++) {
    const proc = spawn(process.execPath, [child], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await waitClose(proc, 'startup-child');
    if (code !== 0) throw new Error(`startup-child exited with ${code}: ${err.trim().slice(-2000)}`);
    all.push(JSON.parse(out) as [string, number][]);
  }
  return all[0]!.map(([label], i) => [label, median(all.map((steps) => steps[i]![1]))]);
}

/** Which entries JournalWriter fdatasyncs at once (mirrors harness/src/run/journal.ts). */
const SYNC_NOW = new Set(['run', 'boot', 'boot-end', 'watchdog', 'end']);
const SYNC_NOW_RECORDS = new Set(['begin', 'end', 'timeout', 'exit', 'done', 'hello']);

export async function runBench(o: RunBenchOptions): Promise<Section[]> {
  const dir = tmp('hilt-bench-run-');
  try {
    o.progress('run: warm-up hilt run (fetches the kernel and builds the image on a cold cache)');
    const warm = await runHilt(join(dir, 'warm'), ['-q']);
    const runEntry = warm.journal.find((e): e is Extract<JournalEntry, { t: 'run' }> => e.t === 'run');
    const bootEntry = warm.journal.find((e): e is Extract<JournalEntry, { t: 'boot' }> => e.t === 'boot');
    if (!runEntry || !bootEntry) throw new Error('the warm-up run journaled no run or boot entry');
    if (bootEntry.accel !== 'tcg') throw new Error(`hilt booted with ${bootEntry.accel}, not TCG`);
    const plan = runEntry.plan as RunPlan;
    const kernelImage = argAfter(bootEntry.cmdline, '-kernel');
    const realInitrd = argAfter(bootEntry.cmdline, '-initrd');

    o.progress('run: building the floor initramfs');
    const image = await buildFloorImage(plan, realInitrd, dir);
    const { args, requestWords } = floorArgs(plan, bootEntry.cmdline, kernelImage, image.path);
    const accelArg = argAfter(args, '-accel');
    // To boot the floor by hand: HILT_BENCH_KEEP=1 keeps this folder.
    writeFileSync(join(dir, 'floor-argv.json'), JSON.stringify(dieWithParent(plan.machine.qemu, args).flat()));

    o.progress('run: warm-up floor boot');
    const warmFloor = await runFloor(plan.machine.qemu, args);
    const warmCheck = checkFloor(warmFloor, plan);
    if (!warmCheck.ok) {
      throw new Error(`the floor did not run every suite:\n  ${warmCheck.problems.join('\n  ')}\nconsole tail:\n${warmFloor.lines.slice(-30).map((l) => l.text).join('\n')}`);
    }

    const floor: FloorRun[] = [];
    const hilt: HiltRun[] = [];
    const checks: FloorCheck[] = [];
    for (let i = 0; i < o.runs; i++) {
      o.progress(`run: ${i + 1}/${o.runs} floor`);
      const f = await runFloor(plan.machine.qemu, args);
      const c = checkFloor(f, plan);
      if (!c.ok) throw new Error(`floor run ${i + 1}: ${c.problems.join('; ')}`);
      floor.push(f);
      checks.push(c);
      o.progress(`run: ${i + 1}/${o.runs} hilt`);
      const out = join(dir, `hilt-${i}`);
      const h = await runHilt(out, ['-q']);
      const boots = h.result?.boots ?? [];
      if (h.result?.status !== 'complete' || boots.length !== 1 || boots[0]!.accel !== 'tcg') {
        throw new Error(`hilt run ${i + 1}: status ${h.result?.status}, ${boots.length} boots (${boots.map((b) => b.accel).join(',')}): not one clean TCG boot`);
      }
      hilt.push(h);
      rmSync(out, { recursive: true, force: true });
    }

    // One more hilt run, instrumented: -v progress lines and a QEMU wrapper that logs its start and exit.
    o.progress('run: one instrumented hilt run (-v, QEMU behind a timestamping wrapper)');
    const stamps = join(dir, 'qemu-stamps');
    const wrapper = join(dir, 'qemu-wrap.sh');
    writeFileSync(
      wrapper,
      `#!/bin/sh\necho "spawn $(date +%s%N)" >> '${stamps}'\n${plan.machine.qemu} "$@"\nrc=$?\necho "exit $(date +%s%N)" >> '${stamps}'\nexit $rc\n`,
      { mode: 0o755 },
    );
    const machineFile = join(dir, 'machine.json');
    writeFileSync(machineFile, JSON.stringify({ qemu: wrapper }));
    const startWall = performance.timeOrigin + performance.now();
    const inst = await runHilt(join(dir, 'instrumented'), ['-v', '--machine', machineFile]);
    const stampText = readFileSync(stamps, 'utf8');
    const wall = (k: string) => {
      const m = new RegExp(`^${k} (\\d+)$`, 'm').exec(stampText);
      return m ? Number(BigInt(m[1]!) / 1000n) / 1000 - startWall : null;
    };
    const at = (re: RegExp) => inst.lines.find((l) => re.test(l.text))?.at ?? null;
    const tRunning = at(/^hilt: running /);
    const tImage = at(/^hilt: building the initramfs/);
    const tBoot = at(/^hilt: boot 1:/);
    const tSpawn = wall('spawn');
    const tQemuExit = wall('exit');
    const tReports = at(/; reports: /);
    const tExit = inst.ms;

    o.progress('run: timing hilt start-up step by step (3 fresh processes)');
    const startup = await startupSteps(3);
    const syncMs = fdatasyncCost(dir);
    const syncs = hilt[0]!.journal.filter((e) => SYNC_NOW.has(e.t) || (e.t === 'rec' && SYNC_NOW_RECORDS.has(e.kind))).length;

    const fMs = floor.map((r) => r.ms);
    const hMs = hilt.map((r) => r.ms);
    const ratioMed = median(hMs) / median(fMs);
    const ratioMin = Math.min(...hMs) / Math.min(...fMs);
    const ratioPaired = median(hMs.map((h, i) => h / fMs[i]!));
    const cv = (xs: number[]) => {
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) / mean;
    };
    const ht = hilt.map((h) => hiltTimeline(h.journal));
    const ft = checks.map((c) => c.timeline);
    const med = (xs: (number | null)[]) => {
      const v = xs.filter((x): x is number => x !== null);
      return v.length ? median(v) : null;
    };
    const fmtOpt = (x: number | null) => (x === null ? '?' : fmtMs(x));
    const span = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
    const r0 = hilt[0]!.result!;
    const fc = checks[0]!.counts;

    const main: Section = {
      title: `1. hilt run vs the floor — ${plan.tests.length} tests in ${plan.suites.length} suites, ${plan.kernel}, accel ${accelArg}, ${o.runs} alternating runs after one warm-up each`,
      rows: [
        { label: 'floor (busybox /init)  median', value: fmtS(median(fMs)) },
        { label: 'floor                  min', value: fmtS(Math.min(...fMs)) },
        { label: 'hilt run --accel tcg -q median', value: fmtS(median(hMs)) },
        { label: 'hilt run               min', value: fmtS(Math.min(...hMs)) },
        { label: 'ratio hilt/floor (median)', value: ratioMed.toFixed(3), target: `<= ${RUN_RATIO_TARGET}`, pass: ratioMed <= RUN_RATIO_TARGET },
        { label: 'ratio hilt/floor (min)', value: ratioMin.toFixed(3), target: `<= ${RUN_RATIO_TARGET}`, pass: ratioMin <= RUN_RATIO_TARGET },
        { label: 'median of per-pair ratios', value: ratioPaired.toFixed(3) },
        { label: 'hilt - floor (medians)', value: fmtMs(median(hMs) - median(fMs)) },
        { label: 'warm-up hilt run (first)', value: fmtS(warm.ms) },
        { label: 'warm-up floor', value: fmtS(warmFloor.ms) },
      ],
      notes: [
        `every run: floor ${fMs.map((x) => (x / 1000).toFixed(2)).join(' ')} s; hilt ${hMs.map((x) => (x / 1000).toFixed(2)).join(' ')} s ` +
          `(spread: floor ${(cv(fMs) * 100).toFixed(0)}%, hilt ${(cv(hMs) * 100).toFixed(0)}% of the mean; TCG speed drifts with the host, so judge with --runs 10 or more)`,
        `the warm-up hilt run fetched the kernel and built the image if the cache (${cacheDir()}) lacked them; the timed runs hit that cache`,
        `same QEMU argv as hilt's journaled boot except -initrd (checked); -accel ${accelArg}; hilt's results say ${r0.boots.length} boot, accel ${r0.boots[0]!.accel}`,
        `floor image ${fmtMiB(image.bytes)}: ${image.identical} files byte-identical to hilt's image ${realInitrd.split('/').pop()!.slice(0, 12)}…; modules in load order: ${image.modules.join(' ')}`,
        `floor console: KTAP of all ${plan.suites.length} suites, every case reported (${fc.pass} ok, ${fc.skip} skip, ${fc.fail} not ok); ` +
          `hilt: ${r0.counts.pass} pass, ${r0.counts.skip} skip, ${r0.counts.total - r0.counts.pass - r0.counts.skip} other`,
        ...(checks[0]!.failed.length ? [`floor 'not ok': ${checks[0]!.failed.join(', ')}; hilt says: ${checks[0]!.failed.map((f) => hiltVerdict(r0, f)).join('; ')}`] : []),
        `kernel command line words after the profile's: ${requestWords.join(' ')} (both sides)`,
      ],
    };

    const ph = (label: string, a: number | null, b: number | null, value?: string) => ({ label, value: value ?? fmtOpt(span(a, b)) });
    const floorQemu = median(fMs);
    const breakdown: Section = {
      title: "   where hilt's time goes (one instrumented run: -v progress lines, QEMU behind a wrapper script that logs spawn/exit)",
      rows: [
        ph('node start-up, schemas, plan', 0, tRunning),
        ph('kernel (cached)', tRunning, tImage),
        ph('initramfs (cache hit)', tImage, tBoot),
        ph('to QEMU spawn (setpriv, wrapper)', tBoot, tSpawn),
        ph('QEMU running', tSpawn, tQemuExit),
        { label: '  floor QEMU running (median)', value: fmtMs(floorQemu) },
        ph('QEMU exit to reports written', tQemuExit, tReports),
        ph('reports written to exit', tReports, tExit),
        { label: 'total (instrumented run)', value: fmtMs(tExit) },
      ],
      notes: [],
    };
    const hm = (k: keyof GuestTimeline) => med(ht.map((t) => t[k]));
    const fm = (k: keyof GuestTimeline) => med(ft.map((t) => t[k]));
    const guest: Section = {
      title: '   guest timeline, median ms after QEMU start (hilt: its journal; floor: console arrival) — hilt | floor',
      rows: [
        { label: 'first suite output', value: `${fmtOpt(hm('firstKtap'))} | ${fmtOpt(fm('firstKtap'))}` },
        { label: 'first output to last result', value: `${fmtOpt(med(ht.map((t) => span(t.firstKtap, t.lastResult))))} | ${fmtOpt(med(ft.map((t) => span(t.firstKtap, t.lastResult))))}` },
        {
          label: '  per test, hilt - floor',
          value: `${((med(ht.map((t) => span(t.firstKtap, t.lastResult)))! - med(ft.map((t) => span(t.firstKtap, t.lastResult)))!) / plan.tests.length).toFixed(1)} ms`,
        },
        {
          label: '  hilt: outside any case',
          value: (() => {
            const gaps = ht.map((t) => (span(t.firstKtap, t.lastResult) ?? 0) - t.inCases);
            const share = median(ht.map((t, i) => gaps[i]! / (span(t.firstKtap, t.lastResult) ?? 1)));
            return `${fmtMs(median(gaps))} (${(share * 100).toFixed(0)}%)`;
          })(),
        },
        { label: 'last result to QEMU exit', value: `${fmtOpt(med(ht.map((t) => span(t.lastResult, t.exit))))} | ${fmtOpt(med(ft.map((t) => span(t.lastResult, t.exit))))}` },
        { label: 'QEMU exit', value: `${fmtOpt(hm('exit'))} | ${fmtOpt(fm('exit'))}` },
        { label: 'agent hello (hilt only)', value: fmtOpt(med(ht.map((t) => t.hello))) },
        {
          label: 'console bytes',
          value: `${hilt[0]!.consoleBytes !== null ? '' : '≈'}${Math.round(med(hilt.map((h, i) => h.consoleBytes ?? ht[i]!.approxBytes))! / 1024)} KiB | ${Math.round(median(floor.map((f) => f.bytes)) / 1024)} KiB`,
        },
      ],
      notes: [
        "'outside any case': the tests phase less the agent's own begin-to-end time of each case (journal 'end' records): process starts and the gaps between a case's end and the next one's announcement; " +
          'a share of one run, so host speed drift cancels out',
        `hilt's console carried ${ht[0]!.records} framed records and ${ht[0]!.consoleLines} plain lines; its journal fdatasyncs ${syncs} times per run, ` +
          `${syncMs.toFixed(2)} ms each in ${tmpdir()} (≈${fmtMs(syncs * syncMs)} of disk time, on libuv's thread pool, not the event loop)`,
      ],
    };
    const startupTotal = startup.reduce((n, [, ms]) => n + ms, 0);
    const startSection: Section = {
      title: "   hilt's start-up and report-time fixed costs, step by step (fresh node processes, median of 3)",
      rows: [...startup.map(([label, ms]) => ({ label, value: fmtMs(ms) })), { label: 'sum', value: fmtMs(startupTotal) }],
      notes: [`for scale: the floor's whole run is ${fmtMs(floorQemu)}; ${RUN_RATIO_TARGET} of it leaves ${fmtMs(floorQemu * (RUN_RATIO_TARGET - 1))} for everything hilt adds`],
    };
    return [main, breakdown, startSection, guest];
  } finally {
    if (process.env.HILT_BENCH_KEEP) o.progress(`run: kept ${dir} (floor.cpio, floor-argv.json, the instrumented run)`);
    else rmSync(dir, { recursive: true, force: true });
  }
}
