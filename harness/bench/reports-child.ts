/**
 * Builds the results of a synthetic run of SUITES × CASES cases the way a real
 * run does (a journal folded through ResultsFold, with the registry's observation
 * judge and the default dmesg rules), judges it against a baseline (the gate,
 * with a reproduction line for every case that did not pass), then writes
 * results.json, junit.xml and report.html into DIR as `hilt run` does
 * (writeReports), timing each step. Prints one JSON object. Runs in a process
 * of its own so that its peak RSS is its own.
 *
 *   node dist/harness/bench/reports-child.js DIR [SUITES=100] [CASES=1000]
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_DMESG, DEFAULT_MACHINE, DEFAULT_TIMEOUTS } from '../src/plan/defaults.js';
import type { PlannedTest, RunPlan } from '../src/plan/types.js';
import { writeFileAtomic } from '../src/report/atomic.js';
import { buildHtml } from '../src/report/html.js';
import { junitChunks } from '../src/report/junit.js';
import { checkResults, writeResultsJson } from '../src/report/results-json.js';
import { baselineFromDocument } from '../src/gate/baseline.js';
import { applyGate } from '../src/gate/classify.js';
import { reproCommand } from '../src/gate/repro.js';
import type { RunResult, Status } from '../src/results/model.js';
import { runEnvironment } from '../src/run/environment.js';
import { createFold } from '../src/results/fold.js';
import type { JournalEntry } from '../src/journal/index.js';
import { schemas } from '../src/schemas/registry.js';
import type { SuiteInfo } from '../src/suites/catalog.js';

export interface ReportsChildResult {
  suites: number;
  cases: number;
  journalEntries: number;
  counts: Record<string, number>;
  /** Seconds. */
  registry: number;
  generate: number;
  fold: number;
  schemaCompile: number;
  gate: number;
  resultsJson: number;
  junitWrite: number;
  htmlBuild: number;
  htmlWrite: number;
  /** A second validation of the same document alone, to show what part of resultsJson it is. */
  validateOnly: number;
  /** JSON.stringify of the document alone, as writeResultsJson does it. */
  stringifyOnly: number;
  resultsBytes: number;
  junitBytes: number;
  htmlBytes: number;
  gateCounts: Record<string, number>;
  maxRssKb: number;
}

/** Case n's fate: mostly passes, and some of every kind a real run reports. */
function fate(n: number): 'pass' | 'fail' | 'skip' | 'timeout' | 'dmesg' | 'schema' {
  if (n % 250 === 125) return 'timeout';
  if (n % 100 === 7) return 'fail';
  if (n % 100 === 31) return 'dmesg';
  if (n % 500 === 99) return 'schema';
  if (n % 100 >= 90) return 'skip';
  return 'pass';
}

function syntheticRun(nSuites: number, nCases: number): { plan: RunPlan; journal: JournalEntry[] } {
  const suites: SuiteInfo[] = [];
  const tests: PlannedTest[] = [];
  for (let s = 0; s < nSuites; s++) {
    const name = `synth-${String(s).padStart(3, '0')}`;
    const cases = Array.from({ length: nCases }, (_, c) => `case-${String(c).padStart(4, '0')}`);
    suites.push({ name, description: `synthetic suite ${s}`, modules: ['vgem'], timeoutMs: 30_000, default: true, binary: `/nonexistent/${name}`, mode: 'cases', cases });
    for (const c of cases) tests.push({ index: tests.length, suite: name, case: c, timeoutMs: 30_000 });
  }
  const plan: RunPlan = {
    kernel: 'debian:linux-image-6.12-amd64',
    machine: { ...DEFAULT_MACHINE, accel: 'tcg' },
    suites,
    tests,
    out: '/tmp/hilt-bench-reports',
    timeouts: { ...DEFAULT_TIMEOUTS },
    dmesg: DEFAULT_DMESG,
    profiles: [],
    retries: 0,
    abortOn: [],
    jobs: 1,
    repeat: 1,
  };
  const kernel = {
    spec: plan.kernel,
    release: '6.12.117+deb12-amd64',
    image: '/nonexistent/vmlinuz',
    modulesDir: null,
    config: null,
    configSha256: 'b'.repeat(64),
    source: { type: 'debian' as const, package: 'linux-image-6.12.117+deb12-amd64', version: '6.12.117-1~deb12u1' },
  };
  const journal: JournalEntry[] = [];
  const at = '2025-01-01T00:00:00.000Z';
  journal.push({
    t: 'run',
    v: 1,
    at,
    id: '00000000-0000-4000-8000-000000000000',
    plan,
    env: runEnvironment(kernel, { name: 'qemu-x86_64', type: 'qemu', arch: 'x86_64', accel: 'tcg', memoryMb: 1024, cpus: 2, devices: 'virtio-gpu-pci' }, 'qemu', at),
  });
  journal.push({ t: 'boot', boot: 1, start: 0, at, cmdline: ['qemu-system-x86_64', '-accel', 'tcg,thread=multi'], accel: 'tcg' });
  let seq = 0;
  let ms = 0;
  const rec = (kind: string, p: string) => journal.push({ t: 'rec', boot: 1, seq: seq++, kind, p, ms: (ms += 1) });
  rec('hello', `v=1 mode=run release=${kernel.release} start=0 tests=${tests.length}`);
  rec('mod', '/hilt/modules/vgem.ko ok 3');
  let pid = 100;
  let index = 0;
  for (const suite of suites) {
    let numberInProcess = 0;
    let failed = false;
    const spawn = (remaining: number) => {
      rec('spawn', `${suite.name} ${pid++}`);
      // As the agent sends it: the lines read at once in one record.
      rec('out', ['KTAP version 1', `# hilt suite ${suite.name}`, `1..${remaining}`].join('\n'));
      numberInProcess = 0;
    };
    spawn(suite.cases.length);
    for (let c = 0; c < suite.cases.length; c++, index++) {
      const name = suite.cases[c]!;
      const n = ++numberInProcess;
      const lines: string[] = [];
      const out = (line: string) => lines.push(line);
      const flush = () => lines.length && rec('out', lines.splice(0).join('\n'));
      const f = fate(index);
      rec('begin', `${index}`);
      out(`# ${name}: opening /dev/dri/card0 (vgem)`);
      out(
        `# obs ioctl.errno {"device":"card0","driver":"vgem","ioctl":"DRM_IOCTL_MODE_CREATE_DUMB","misuse":"zero width","errno":${f === 'schema' ? 0 : 22},"errname":"EINVAL","expected":"EINVAL"}`,
      );
      if (c % 50 === 0) journal.push({ t: 'con', boot: 1, text: `[   ${(ms / 1000).toFixed(6)}] virtio_gpu virtio0: [drm] fence wait timed out, retrying`, ms: (ms += 1) });
      switch (f) {
        case 'timeout':
          flush();
          rec('timeout', `${index} 30000`);
          rec('exit', `${suite.name} signal 9 30001`);
          // The agent starts the suite again with the cases after the one it killed.
          if (c + 1 < suite.cases.length) spawn(suite.cases.length - c - 1);
          continue;
        case 'fail':
          out(`# fail: DRM_IOCTL_MODE_CREATE_DUMB returned 0, expected EINVAL`);
          out(`not ok ${n} ${name}`);
          failed = true;
          break;
        case 'skip':
          out(`ok ${n} ${name} # SKIP no render node of a driver that supports it`);
          break;
        case 'dmesg':
          rec('kmsg', `4 ${ms * 1000} WARNING: CPU: 1 PID: 321 at drivers/gpu/drm/drm_gem.c:123 drm_gem_object_release+0x4a/0x50`);
          out(`ok ${n} ${name}`);
          break;
        default:
          out(`ok ${n} ${name}`);
      }
      flush();
      rec('end', `${index} 3`);
    }
    if (fate(index - 1) !== 'timeout') rec('exit', `${suite.name} code ${failed ? 1 : 0} ${ms}`);
  }
  rec('done', String(tests.length));
  journal.push({ t: 'boot-end', boot: 1, reason: 'poweroff', code: 0, signal: null, stderr: '', ms: (ms += 1) });
  journal.push({ t: 'end', at, status: 'complete' });
  return { plan, journal };
}

async function main(dir: string, nSuites: number, nCases: number): Promise<void> {
  const time = <T>(f: () => T): [T, number] => {
    const t = performance.now();
    const v = f();
    return [v, (performance.now() - t) / 1000];
  };
  const [registry, tRegistry] = time(() => schemas());
  const [{ plan, journal }, tGenerate] = time(() => syntheticRun(nSuites, nCases));
  const [result, tFold] = time((): RunResult => {
    const builder = createFold(plan, registry);
    for (const e of journal) builder.push(e);
    return builder.finish();
  });
  const [, tCompile] = time(() => registry.validator('results.schema.json'));
  // A baseline that expects the schema-breaking cases: some expected failures besides the new ones.
  const baseline = baselineFromDocument({ name: 'bench', expectedFailures: [{ pattern: '/case-\\d*99$', reason: 'bench: breaks its schema on purpose' }] }, 'bench.yaml');
  const [judged, tGate] = time(() => applyGate(result, baseline, { repro: (s, c) => reproCommand(plan, result.environment, s.name, c.name, join(dir, 'results.json'))?.argv ?? null }));
  const [resultsPath, tResults] = time(() => writeResultsJson(dir, judged, registry));
  const junitPath = join(dir, 'junit.xml');
  const [, tJunitWrite] = time(() => writeFileAtomic(junitPath, junitChunks(judged)));
  const [html, tHtmlBuild] = time(() => buildHtml(judged));
  const htmlPath = join(dir, 'report.html');
  const [, tHtmlWrite] = time(() => writeFileAtomic(htmlPath, html));
  const [, tValidate] = time(() => checkResults(judged, registry));
  const [, tStringify] = time(() => JSON.stringify(judged));
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(result.counts) as [Status | 'total', number][]) if (v) counts[k] = v;
  const out: ReportsChildResult = {
    suites: result.suites.length,
    cases: result.counts.total,
    journalEntries: journal.length,
    counts,
    registry: tRegistry,
    generate: tGenerate,
    fold: tFold,
    schemaCompile: tCompile,
    gate: tGate,
    resultsJson: tResults,
    junitWrite: tJunitWrite,
    htmlBuild: tHtmlBuild,
    htmlWrite: tHtmlWrite,
    validateOnly: tValidate,
    stringifyOnly: tStringify,
    resultsBytes: statSync(resultsPath).size,
    junitBytes: statSync(junitPath).size,
    htmlBytes: statSync(htmlPath).size,
    gateCounts: Object.fromEntries(Object.entries(judged.gate!.counts).filter(([, v]) => v)),
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

const [dir, suites, cases] = process.argv.slice(2);
if (!dir) {
  process.stderr.write('usage: reports-child.js DIR [SUITES=100] [CASES=1000]\n');
  process.exit(2);
}
await main(dir, Number(suites ?? 100), Number(cases ?? 1000));
