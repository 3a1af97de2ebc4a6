/**
 * Nothing crafted gets in: every input hilt did not write itself (a reports
 * folder from a CI artifact, a plan from a repository, flags, FIFOs, a
 * results.json from someone else) is refused with exit 2, a message that
 * names the file or flag and the rule, within a second, before anything
 * boots or runs.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { JOURNAL_FILE, parseJournal } from '../../src/journal/index.js';
import { DEFAULT_MACHINE } from '../../src/plan/defaults.js';
import type { RunPlan } from '../../src/plan/types.js';
import { createFold } from '../../src/results/fold.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { ROOT, runHilt, startHilt, tempDir } from '../helpers.js';

/** A journal as a run writes it, of one drm-core case, its plan's machine overridden. */
function journal(machine: object, extra: object[] = []): string {
  const plan = {
    kernel: 'debian:linux-image-6.12-amd64',
    machine: { ...DEFAULT_MACHINE, ...machine },
    suites: [{ name: 'drm-core', description: 'd', modules: ['vgem'], timeoutMs: 30000, default: true, binary: '/nonexistent', mode: 'cases', cases: ['version'] }],
    tests: [{ index: 0, suite: 'drm-core', case: 'version', timeoutMs: 30000 }],
    out: '/tmp/elsewhere',
    timeouts: { bootMs: 120000, silenceMs: 30000, caseGraceMs: 15000, runMs: null },
    dmesg: { level: 4, match: [], ignore: [] },
    profiles: [],
    retries: 1,
    abortOn: [],
    jobs: 1,
    repeat: 1,
  };
  return [{ t: 'run', v: 1, at: '2026-11-30T00:00:00Z', id: 'x', plan, env: {} }, ...extra].map((e) => JSON.stringify(e)).join('\n') + '\n';
}

async function timed(args: string[], opts: { timeoutMs?: number } = {}) {
  const t0 = Date.now();
  const r = await runHilt(args, { timeoutMs: opts.timeoutMs ?? 20_000 });
  return { ...r, ms: Date.now() - t0 };
}

t.test('--resume of a crafted folder whose plan starts another program is refused before anything runs', async (t) => {
  const dir = tempDir(t);
  const marker = join(dir, 'it-ran');
  const evil = join(dir, 'qemu-system-x86_64');
  writeFileSync(evil, `#!/bin/sh\ntouch ${marker}\n`);
  chmodSync(evil, 0o755);
  for (const [field, value] of [
    ['qemu', evil],
    ['extraArgs', ['-chardev', `file,id=x,path=${marker}`]],
    ['devices', ['virtio-gpu-pci', 'ivshmem-plain']],
  ] as const) {
    writeFileSync(join(dir, JOURNAL_FILE), journal({ [field]: value }));
    const r = await timed(['run', '--resume', dir]);
    t.equal(r.code, 2, `${field}: exit 2`);
    t.match(r.stderr, new RegExp(`the journal's plan has machine\\.${field} .*which this command line does not`), `${field}: names the field`);
    t.match(r.stderr, /--machine FILE/, 'says how to resume one that is really yours');
  }
  t.notOk(existsSync(marker), 'no program the journal names was executed');
});

t.test('--resume checks every journal entry and the plan before booting; a complete run has nothing to resume', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, JOURNAL_FILE);
  writeFileSync(path, journal({}, [{ t: 'boot', boot: 1, start: 0, at: 'x', cmdline: [], accel: 'tcg' }, { t: 'rec', boot: 1, seq: 'zero', kind: 'hello', p: '', ms: 1 }]));
  let r = await timed(['run', '--resume', dir]);
  t.equal(r.code, 2);
  t.match(r.stderr, /journal entry 3 \(rec\) breaks https:\/\/hilt\.dev\/schemas\/v1\/journal-entry\.schema\.json at \/seq: must be integer/);
  t.ok(r.ms < 5000, `refused at once (${r.ms} ms)`);

  writeFileSync(path, journal({}, [{ t: 'end', at: 'x', status: 'complete' }]));
  const before = statSync(path).size;
  r = await timed(['run', '--resume', dir]);
  t.equal(r.code, 2);
  t.match(r.stderr, /nothing to resume: the run in .* is complete/);
  t.equal(statSync(path).size, before, 'no second end appended');

  writeFileSync(path, journal({}).replace('"case":"version"', '"case":"no-such-case"'));
  r = await timed(['run', '--resume', dir]);
  t.equal(r.code, 2);
  t.match(r.stderr, /suite drm-core no longer has case no-such-case/);
});

t.test('FIFOs, devices, folders and oversized files as inputs are refused at once', async (t) => {
  const dir = tempDir(t);
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  for (const args of [
    ['run', '--plan', fifo],
    ['run', '--suite-bin', fifo],
    ['run', '--kernel', `path:${fifo}`],
    ['run', '--machine', fifo],
    ['report', fifo],
  ]) {
    const r = await timed(args);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, /is a FIFO; hilt reads only regular files here/);
    t.ok(r.ms < 5000, `${args.join(' ')}: refused in ${r.ms} ms`);
  }
  const big = join(dir, 'plan.yaml');
  writeFileSync(big, `suites:\n${'  - drm-core\n'.repeat(2_400_000)}`);
  const r = await timed(['run', '--plan', big]);
  t.equal(r.code, 2);
  t.match(r.stderr, /plan .* is \d+\.\d MiB; more than the 1 MiB such a file can sensibly be/);
  t.ok(r.ms < 5000, `a 26 MB plan refused in ${r.ms} ms`);
});

t.test('flags the plan schema forbids are refused naming the flag; --out that cannot hold reports too', async (t) => {
  const cases: [string[], RegExp][] = [
    [['--memory', '0.5'], /^hilt: --memory 0\.5: must be integer/m],
    [['--cpus', '1.5'], /^hilt: --cpus 1\.5: must be integer/m],
    [['--retries', '1000000'], /^hilt: --retries 1000000: must be <= 10/m],
    [['--jobs', '0'], /--jobs takes a whole number|--jobs 0: must be >= 1/],
    [['--out', '/proc/x'], /--out \/proc\/x is inside \/proc, a kernel pseudo file system/],
    [['--out', '/etc/hostname'], /--out \/etc\/hostname is a file, not a folder/],
    [['--out', '/etc/hostname/sub'], /--out \/etc\/hostname\/sub cannot be created or written: a part of its path is a file/],
  ];
  for (const [flags, message] of cases) {
    const r = await timed(['run', '--suite', 'drm-core', ...flags]);
    t.equal(r.code, 2, flags.join(' '));
    t.match(r.stderr, message, flags.join(' '));
    t.notMatch(r.stderr, /internal error/);
    t.ok(r.ms < 5000, `${flags.join(' ')}: ${r.ms} ms`);
  }
});

t.test('hilt report: the cases decide the exit status, not stored counts; a crafted deep file is refused', async (t) => {
  const dir = tempDir(t);
  const { entries } = parseJournal(readFileSync(join(ROOT, 'harness/test/fixtures/runs/panic-mid-run/journal.jsonl'), 'utf8'));
  const fold = createFold((entries[0] as { plan: RunPlan }).plan, new SchemaRegistry());
  for (const e of entries) fold.push(e);
  const results = fold.finish();
  t.equal(results.counts.crash, 1, 'the run has a crash');
  results.counts = { ...results.counts, crash: 0, pass: results.counts.pass + 1 };
  const lying = join(dir, 'results.json');
  writeFileSync(lying, JSON.stringify(results));
  let r = await timed(['report', lying]);
  t.equal(r.code, 1, 'a failing case exits 1 whatever the counts say');
  t.match(r.stderr, /its counts disagree with its cases/);

  const deep = join(dir, 'deep.json');
  writeFileSync(deep, '['.repeat(5000) + ']'.repeat(5000));
  r = await timed(['report', deep]);
  t.equal(r.code, 2);
  t.match(r.stderr, /nests deeper than 128 levels/);
  t.notMatch(r.stderr, /RangeError|internal error/);
});

t.test('guest and file text reach the terminal without its escape sequences acting', async (t) => {
  const r = await timed(['run', '--suite', 'no\x1b]0;pwned\x07such']);
  t.equal(r.code, 2);
  t.notMatch(r.stderr, /\x1b|\x07/, 'no raw escape or bell');
  t.match(r.stderr, /no\^\[\]0;pwned\^Gsuch/, 'shown as cat -v shows them');
});

t.test('a new run moves the earlier run\'s reports aside instead of destroying them, even when it fails', async (t) => {
  const out = tempDir(t);
  writeFileSync(join(out, JOURNAL_FILE), journal({}));
  writeFileSync(join(out, 'junit.xml'), '<testsuites/>');
  mkdirSync(join(out, 'other'));
  const r = await timed(['run', '--out', out, '--suite', 'drm-core:version', '--kernel', 'debian:linux-image-no-such-kernel'], { timeoutMs: 120_000 });
  t.equal(r.code, 2);
  t.match(r.stderr, /apt has no package 'linux-image-no-such-kernel'/);
  t.match(r.stderr, /an earlier run's reports in .* were moved to .*previous \(hilt run --resume .*previous continues it\)/);
  t.equal(readFileSync(join(out, 'previous', JOURNAL_FILE), 'utf8'), journal({}), 'the earlier journal is whole');
  t.ok(existsSync(join(out, 'other')), 'what is not a report is left alone');
  const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
  t.match(junit, /not run: the run stopped first: apt has no package/, 'the failed run reports itself, not the earlier run');
});

/** Starts a run, waits for a line of its progress, sends SIGINT, and returns what it left. */
async function interruptAt(t: { teardown(fn: () => void): void }, args: string[], cue: RegExp, env: NodeJS.ProcessEnv) {
  const out = tempDir(t);
  const run = startHilt(['run', '--out', out, ...args], { env });
  let seen = false;
  const watch = (d: Buffer) => {
    if (!seen && cue.test(d.toString())) {
      seen = true;
      run.child.kill('SIGINT');
    }
  };
  run.child.stderr!.on('data', watch);
  const r = await run.done;
  return { r, out, seen };
}

t.test('Ctrl-C while the kernel downloads, and while the initramfs is built: exit 2, a report marked incomplete', async (t) => {
  const kernels = join(homedir(), '.cache/hilt/kernels');
  const cached = existsSync(kernels) ? readdirSync(kernels).map((d) => join(kernels, d, 'root')).find((r) => existsSync(join(r, 'boot'))) : undefined;
  const stages: [string, string[], RegExp][] = [['downloading the kernel', ['--suite', 'drm-core:version'], /downloading linux-image/]];
  if (cached) {
    const image = readdirSync(join(cached, 'boot')).find((f) => f.startsWith('vmlinuz-'))!;
    const release = image.slice('vmlinuz-'.length);
    stages.push(['building the initramfs', ['--suite', 'drm-core:version', '--kernel', `path:${join(cached, 'boot', image)},modules=${join(cached, 'lib/modules', release)}`], /building the initramfs/]);
  }
  for (const [stage, args, cue] of stages) {
    // A cache of its own: the kernel is fetched and the image built afresh, so there is a stage to interrupt.
    const { r, out, seen } = await interruptAt(t, args, cue, { HILT_CACHE_DIR: tempDir(t, 'hilt-cache-') });
    t.ok(seen, `${stage}: the stage was reached`);
    t.equal(r.code, 2, `${stage}: exit 2 (${r.stderr.slice(-300)})`);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    t.equal(results.status, 'incomplete', `${stage}: the report says the run is incomplete`);
    t.match(results.suites[0].cases[0], { status: 'incomplete', message: 'not run: the run was interrupted first' });
  }
});
