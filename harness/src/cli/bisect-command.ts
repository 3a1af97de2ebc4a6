/**
 * `hilt bisect --good REV --bad REV --case SUITE:CASE [--kernel tree:PATH,...]`:
 * finds the commit of a kernel tree that broke one case. It starts `git
 * bisect` in the tree and hands `git bisect run` this same command with
 * --step; each step builds the checked-out commit (incrementally: the same
 * cache folder every step), boots it, runs just that case with `hilt run`,
 * and answers git with an exit code (bisect/verdict.ts). At the end the tree
 * is back where it was (`git bisect reset`) and hilt prints the first bad
 * commit, every step with its time, and the command that reproduces it.
 *
 * Everything a step needs is in <out>/bisect.json; each step appends its
 * record to <out>/steps.jsonl and leaves its reports in <out>/step-N.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, Option } from 'commander';
import { type StepRecord, type StepVerdict, exitCodeFor, parseBisectRun, stepsTable, verdictForStatus } from '../bisect/verdict.js';
import { EXIT_INFRA, EXIT_OK, HiltError, formatError, usageError } from '../errors.js';
import { resolveKernel } from '../kernel/index.js';
import { type TreeSpec, formatTreeSpec, parseKernelSpec } from '../kernel/spec.js';
import { TreeBuildError } from '../kernel/tree.js';
import { cacheDir } from '../paths.js';
import { buildRunPlan, parseSuiteSelector } from '../plan/plan.js';
import type { RunResult } from '../results/model.js';
import { schemas } from '../schemas/registry.js';
import { loadCatalog } from '../suites/catalog.js';
import { stderrLog } from '../util/log.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

export interface BisectOptions {
  good?: string;
  bad?: string;
  case?: string;
  kernel?: string;
  out?: string;
  accel?: string;
  machine?: string;
  memory?: number;
  cpus?: number;
  caseTimeout?: number;
  bootTimeout?: number;
  /** Internal: run one step for `git bisect run`, with the settings in this file. */
  step?: string;
}

interface Settings {
  tree: string;
  /** The kernel spec with every path absolute: steps run with the tree as their folder. */
  spec: string;
  suite: string;
  case: string;
  out: string;
  /** Options every step's `hilt run` gets. */
  runArgs: string[];
}

/** Runs git in the tree; its output, or a usage error naming what git said. */
function git(tree: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', ['-C', tree, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? usageError('git is not installed; hilt bisect drives git bisect', 'apt-get install git') : e),
    );
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
  });
}

async function gitOk(tree: string, args: string[], what: string): Promise<string> {
  const r = await git(tree, args);
  if (r.code !== 0) throw usageError(`${what}: git ${args.join(' ')} failed: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout.trim();
}

/** The spec with the tree, its fragments and its base as absolute paths. */
function absoluteSpec(spec: TreeSpec): TreeSpec {
  const abs = (p: string) => (existsSync(p) ? resolve(p) : p); // a name like `kasan` stays a name
  return { type: 'tree', path: realpathSync(spec.path), configs: spec.configs.map(abs), base: spec.base === null || spec.base === 'defconfig' ? spec.base : resolve(spec.base) };
}

function runArgsOf(o: BisectOptions): string[] {
  const args: string[] = [];
  if (o.accel) args.push('--accel', o.accel);
  if (o.machine) args.push('--machine', resolve(o.machine));
  if (o.memory) args.push('--memory', String(o.memory));
  if (o.cpus) args.push('--cpus', String(o.cpus));
  if (o.caseTimeout) args.push('--case-timeout', String(o.caseTimeout));
  if (o.bootTimeout) args.push('--boot-timeout', String(o.bootTimeout));
  return args;
}

function readSteps(out: string): StepRecord[] {
  const file = join(out, 'steps.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as StepRecord);
}

/** Everything checked before git is touched: the tree, its state, the revisions, the case. */
async function prepare(o: BisectOptions): Promise<{ settings: Settings; good: string; bad: string }> {
  if (!o.good || !o.bad || !o.case) throw usageError('hilt bisect needs --good REV, --bad REV and --case SUITE:CASE');
  const parsed = parseKernelSpec(o.kernel ?? 'tree:.');
  if (parsed.type !== 'tree') throw usageError(`hilt bisect builds each commit, so it takes a tree: kernel, not '${o.kernel}'`, 'Use --kernel tree:PATH[,config=FRAGMENT] (default tree:.).');
  if (!existsSync(parsed.path)) throw usageError(`tree:${parsed.path}: no such folder`);
  const spec = absoluteSpec(parsed);
  const tree = spec.path;
  const top = await git(tree, ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) throw usageError(`${tree} is not in a git repository, so there are no commits to bisect`, 'hilt bisect needs the kernel tree as a git checkout.');
  const dirty = await gitOk(tree, ['status', '--porcelain', '--untracked-files=no'], 'checking the tree for changes');
  if (dirty) throw usageError(`${tree} has uncommitted changes, which git bisect's checkouts would carry along or refuse`, 'Commit or stash them first.');
  const bisectStart = await gitOk(tree, ['rev-parse', '--git-path', 'BISECT_START'], 'looking for a bisect in progress');
  if (existsSync(resolve(tree, bisectStart))) throw usageError(`a git bisect is already in progress in ${tree}`, 'Finish it, or end it with git bisect reset.');
  const good = await gitOk(tree, ['rev-parse', '--verify', '--quiet', `${o.good}^{commit}`], `--good ${o.good} is not a commit`);
  const bad = await gitOk(tree, ['rev-parse', '--verify', '--quiet', `${o.bad}^{commit}`], `--bad ${o.bad} is not a commit`);

  const sel = parseSuiteSelector(o.case.replace('/', ':'));
  if (sel.cases?.length !== 1) throw usageError(`--case ${o.case}: name one case, as SUITE:CASE`, 'e.g. --case sync-file:merge');
  const registry = schemas();
  const out = resolve(o.out ?? 'bisect');
  // The same checks as hilt run: the suite, the case, the machine options.
  await buildRunPlan({ kernel: formatTreeSpec(spec), suites: [`${sel.name}:${sel.cases[0]}`], out, ...(o.accel ? { accel: o.accel as 'auto' } : {}) }, loadCatalog(registry), registry);
  return { settings: { tree, spec: formatTreeSpec(spec), suite: sel.name, case: sel.cases[0]!, out, runArgs: runArgsOf(o) }, good, bad };
}

async function bisect(o: BisectOptions): Promise<number> {
  const log = stderrLog();
  const { settings, good, bad } = await prepare(o);
  mkdirSync(settings.out, { recursive: true });
  writeFileSync(join(settings.out, 'steps.jsonl'), '');
  const settingsFile = join(settings.out, 'bisect.json');
  writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  const t0 = Date.now();
  log.info(`bisecting ${settings.tree} from good ${good.slice(0, 12)} to bad ${bad.slice(0, 12)} on ${settings.suite}/${settings.case}; log: ${join(settings.out, 'bisect-run.log')}`);
  let output = '';
  try {
    await gitOk(settings.tree, ['bisect', 'start', bad, good], 'starting git bisect');
    const runLog = createWriteStream(join(settings.out, 'bisect-run.log'));
    output = await new Promise<string>((resolvePromise, reject) => {
      const child = spawn('git', ['-C', settings.tree, 'bisect', 'run', process.execPath, MAIN, 'bisect', '--step', settingsFile], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C' },
      });
      let text = '';
      const take = (d: Buffer) => {
        text += d.toString();
        runLog.write(d);
        process.stderr.write(d);
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('error', reject);
      child.on('close', () => runLog.end(() => resolvePromise(text)));
    });
    writeFileSync(join(settings.out, 'bisect.log'), (await git(settings.tree, ['bisect', 'log'])).stdout);
  } finally {
    await git(settings.tree, ['bisect', 'reset']);
  }
  const steps = readSteps(settings.out);
  const outcome = parseBisectRun(output);
  const minutes = ((Date.now() - t0) / 60000).toFixed(1);
  const lines = [`${steps.length} step${steps.length === 1 ? '' : 's'} in ${minutes} min:`, stepsTable(steps)];
  let code = EXIT_OK;
  if (outcome.kind === 'found') {
    const subject = (await git(settings.tree, ['log', '-1', '--format=%h %s', outcome.commit])).stdout.trim();
    const tested = steps.some((s) => s.commit === outcome.commit);
    lines.unshift(`first bad commit: ${outcome.commit}`, `  ${subject}`);
    if (!tested) lines.push(`(${outcome.commit.slice(0, 12)} itself was never run: it is --bad, and every commit before it passed)`);
    lines.push(
      'reproduce it with:',
      `  git -C ${settings.tree} checkout ${outcome.commit}`,
      `  hilt run --kernel ${settings.spec} --suite ${settings.suite}:${settings.case}${settings.runArgs.length ? ' ' + settings.runArgs.join(' ') : ''}`,
    );
  } else if (outcome.kind === 'skipped-only') {
    lines.unshift(`no single first bad commit: it is one of ${outcome.candidates.length} commits that could not be judged (they do not build, or the case skipped):`, ...outcome.candidates.map((c) => `  ${c}`));
    code = EXIT_INFRA;
  } else {
    const last = steps[steps.length - 1];
    lines.unshift(`the bisect stopped (${outcome.reason})${last?.verdict === 'abort' ? `: step ${last.step} at ${last.commit.slice(0, 12)}: ${last.message}` : ''}`);
    code = EXIT_INFRA;
  }
  process.stdout.write(lines.join('\n') + '\n');
  return code;
}

/** One step, run by git bisect run in the tree at the commit to judge; its exit code is the verdict. */
async function step(settingsFile: string): Promise<number> {
  const log = stderrLog();
  const s = JSON.parse(readFileSync(settingsFile, 'utf8')) as Settings;
  const no = readSteps(s.out).length + 1;
  const commit = (await gitOk(s.tree, ['rev-parse', 'HEAD'], 'reading the commit')).trim();
  const subject = (await git(s.tree, ['log', '-1', '--format=%s'])).stdout.trim();
  const t0 = Date.now();
  const record = (verdict: StepVerdict, status: string, message: string, buildSeconds: number | null, runSeconds: number) => {
    const r: StepRecord = { step: no, commit, subject, verdict, status, message, built: buildSeconds !== null, buildSeconds: buildSeconds ?? 0, runSeconds, totalSeconds: (Date.now() - t0) / 1000 };
    appendFileSync(join(s.out, 'steps.jsonl'), JSON.stringify(r) + '\n');
    log.info(`bisect step ${no}: ${commit.slice(0, 12)} ${subject}: ${status} -> ${verdict}${message ? ` (${message.split('\n')[0]})` : ''}`);
    return exitCodeFor(verdict);
  };

  let buildSeconds: number | null;
  try {
    const kernel = await resolveKernel(s.spec, { cacheDir: cacheDir(), log, suites: [s.suite] });
    buildSeconds = kernel.source.type === 'tree' ? kernel.source.buildSeconds : null;
  } catch (e) {
    process.stderr.write(formatError(e) + '\n');
    // A commit that does not configure or build cannot be judged; anything else stops the bisect.
    if (e instanceof TreeBuildError) return record('skip', `no-${e.stage}`, e.message, null, 0);
    return record('abort', 'error', e instanceof HiltError ? e.message : String(e), null, 0);
  }
  const stepOut = join(s.out, `step-${no}`);
  const r0 = Date.now();
  const code = await new Promise<number>((resolvePromise) => {
    const child = spawn(process.execPath, [MAIN, 'run', '--kernel', s.spec, '--suite', `${s.suite}:${s.case}`, '--out', stepOut, ...s.runArgs], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => resolvePromise(EXIT_INFRA));
    child.on('close', (c) => resolvePromise(c ?? EXIT_INFRA));
  });
  const runSeconds = (Date.now() - r0) / 1000;
  let result: RunResult | null = null;
  try {
    result = JSON.parse(readFileSync(join(stepOut, 'results.json'), 'utf8')) as RunResult;
  } catch {
    result = null;
  }
  const c = result?.suites.find((x) => x.name === s.suite)?.cases.find((x) => x.name === s.case);
  if (code === EXIT_INFRA || !c) return record('abort', c?.status ?? 'error', `hilt run exited ${code}; see ${stepOut}`, buildSeconds, runSeconds);
  return record(verdictForStatus(c.status), c.status, c.message, buildSeconds, runSeconds);
}

export async function bisectCommand(o: BisectOptions): Promise<number> {
  return o.step ? step(o.step) : bisect(o);
}

/** Adds `hilt bisect` to the command line. */
export function addBisectCommand(program: Command, done: (code: number) => void): void {
  const positive = (flag: string) => (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`${flag} takes a positive number`);
    return n;
  };
  program
    .command('bisect')
    .description('find the commit of a kernel tree that broke a case: git bisect run, each commit built, booted and judged by hilt')
    .option('--good <rev>', 'a commit where the case passes')
    .option('--bad <rev>', 'a commit where it does not')
    .option('--case <suite:case>', 'the one case each commit is judged by')
    .option('--kernel <spec>', 'tree:PATH[,config=FRAGMENT][,base=FILE|defconfig], a git checkout (default tree:.)')
    .option('--out <dir>', "where each step's reports and the bisect log go (default ./bisect)")
    .option('--machine <file>', 'machine profile (YAML or JSON)')
    .option('--memory <MiB>', 'guest memory in MiB', positive('--memory'))
    .option('--cpus <n>', 'guest CPUs', positive('--cpus'))
    .addOption(new Option('--accel <accel>', 'auto uses KVM only where a probe boot proves it works').choices(['auto', 'tcg', 'kvm']))
    .option('--case-timeout <s>', 'per-case timeout in seconds', positive('--case-timeout'))
    .option('--boot-timeout <s>', 'seconds from power-on to the agent', positive('--boot-timeout'))
    .addOption(new Option('--step <file>', 'one step of a running bisect (git bisect run calls it)').hideHelp())
    .addHelpText('after', '\nA commit that does not build, or whose case skips, is skipped (git bisect skip); an infrastructure error stops the bisect.\nExit status: 0 the first bad commit was found, 2 otherwise.')
    .action(async (o: BisectOptions) => {
      done(await bisectCommand(o));
    });
}
