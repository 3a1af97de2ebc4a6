/**
 * `hilt repro RESULTS CASE [--shell]`: runs one case of a finished run
 * again, exactly: the same kernel build (its Debian version or image hash),
 * the run's machine profile, timeouts and dmesg rules, only that case,
 * through the run machinery (hilt run's executePlan). With --shell it boots
 * the same machine into a shell instead, types the case's command line for
 * the person and leaves them at the guest console after it.
 *
 * A results file may be a CI artifact from someone else: as `hilt run
 * --resume` does, hilt starts no host program it names. QEMU and its
 * arguments must be those of the default machine or of --machine FILE, and
 * hilt's own suites are today's programs of the same name.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_INFRA, EXIT_OK, usageError } from '../errors.js';
import { emptyBaseline } from '../gate/baseline.js';
import { reproCommand, reproPlan, shellQuote } from '../gate/repro.js';
import { cacheDir } from '../paths.js';
import { machineOf } from '../plan/plan.js';
import type { RunPlan } from '../plan/types.js';
import { casesByName } from '../gate/compare.js';
import { prepareMachine } from '../run/prepare.js';
import { schemas } from '../schemas/registry.js';
import { type SuiteInfo, loadCatalog, requireBuilt } from '../suites/catalog.js';
import { MiB, checkInputFile } from '../util/input-file.js';
import { stderrLog } from '../util/log.js';
import { checkOutDir } from '../util/out-dir.js';
import { attachTerminal } from './boot-command.js';
import { readResults } from './gate-files.js';
import { executePlan } from './run-command.js';

export interface ReproOptions {
  shell?: boolean;
  out?: string;
  machine?: string;
  verbose?: boolean;
}

const HOST_FIELDS = ['qemu', 'devices', 'extraArgs'] as const;

/** The results' plan with today's suite programs, refusing a machine this command line does not name. */
function localPlan(plan: RunPlan, machine: RunPlan['machine'], file: string): RunPlan {
  for (const field of HOST_FIELDS) {
    if (JSON.stringify(plan.machine[field]) !== JSON.stringify(machine[field])) {
      throw usageError(
        `${file}: the run started QEMU with machine.${field} ${JSON.stringify(plan.machine[field])}, which this command line does not (it gives ${JSON.stringify(machine[field])}); hilt will not run a host program or argument a results file names`,
        'Reproduce with the machine profile the run used: hilt repro RESULTS CASE --machine FILE.',
      );
    }
  }
  const catalog = new Map(loadCatalog(schemas()).map((s) => [s.name, s]));
  const suites = plan.suites.map((s): SuiteInfo => {
    if (s.mode === 'whole') {
      checkInputFile(s.binary, `the program of suite ${s.name}`, 2048 * MiB);
      return s;
    }
    const known = catalog.get(s.name);
    if (!known) throw usageError(`${file}: the run ran suite ${s.name}, which this hilt does not have`);
    requireBuilt(known);
    return { ...known };
  });
  return { ...plan, suites };
}

export async function reproCommandMain(results: string, name: string, o: ReproOptions, signal: AbortSignal): Promise<number> {
  const log = stderrLog();
  const registry = schemas();
  const { run, path } = readResults(results, registry);
  const recorded = run.plan as RunPlan | null;
  if (!recorded?.tests) throw usageError(`${path} holds no plan`, 'It is not the results of a run that started.');
  const cases = casesByName(run);
  const c = cases.get(name);
  if (!c) {
    const failing = [...cases].filter(([, x]) => x.status !== 'pass' && x.status !== 'skip').map(([k]) => k);
    throw usageError(`${path} has no case ${name}`, failing.length ? `Cases that did not pass: ${failing.slice(0, 10).join(', ')}${failing.length > 10 ? ', …' : ''}.` : 'Name it suite/case, as the reports do.');
  }
  const slash = name.indexOf('/');
  const suite = name.slice(0, slash);
  const caseName = name.slice(slash + 1).replace(/#\d+$/, '');
  const out = checkOutDir(resolve(o.out ?? 'hilt-repro'));
  const machine = await machineOf(o.machine, registry);
  const plan = reproPlan(localPlan(recorded, machine, path), run.environment, suite, caseName, out);
  if (!plan) throw usageError(`${name} is not a case hilt can run again (the plan has no test for it: a profile's requirement, or a case the baseline skipped)`);
  const line = reproCommand(recorded, run.environment, suite, caseName);
  log.info(`reproducing ${name} (${c.status} in run ${run.id}) on ${plan.kernel}${line?.argv[1] === 'run' ? `; the same as: ${shellQuote(line.argv)}` : ''}`);
  if (o.shell) return reproShell(plan, suite, log);
  const { code, result } = await executePlan(plan, { baseline: emptyBaseline(), old: null }, { registry, log, signal, verbose: o.verbose ?? false, resumeHint: false });
  const again = casesByName(result).get(name) ?? casesByName(result).get(`${suite}/${caseName}`);
  log.info(again ? `${name}: ${c.status} then, ${again.status} now${again.status === c.status ? ': reproduced' : ''}` : `${name}: not reported this time`);
  return code;
}

/** Boots the case's machine into a shell, types the case's command line, and hands the console to the person. */
async function reproShell(plan: RunPlan, suite: string, log: ReturnType<typeof stderrLog>): Promise<number> {
  const { kernel, accel, target } = await prepareMachine(plan, { cacheDir: cacheDir(), log, consoleLevel: 0 });
  const info = plan.suites[0]!;
  const command = info.mode === 'whole' ? `/hilt/bin/${info.name}` : `${suite} --run ${plan.tests.map((t) => t.case).join(',')}`;
  log.info(`booting ${kernel.release} on ${target.kind} (${accel.toUpperCase()}); hilt types \`${command}\` at the guest shell, then it is yours; Ctrl-] leaves`);
  const machine = await target.boot({ cmdline: ['hilt.mode=shell'], interactive: { cols: process.stdout.columns || 80, rows: process.stdout.rows || 24 } });
  // The terminal first: it takes what the machine printed before anyone listened.
  const attached = attachTerminal(machine, process.stdin, process.stdout);
  let typed = false;
  let seen = '';
  machine.onConsole((chunk) => {
    if (typed) return;
    seen = (seen + chunk.toString('latin1')).slice(-4096);
    // The agent's shell prompt (PS1 "hilt:\w# "): the case's command goes in once the shell is ready.
    if (seen.includes('hilt:/# ')) {
      typed = true;
      machine.write(Buffer.from(`${command}\n`));
    }
  });
  const { code, escaped } = await attached;
  log.info('machine off');
  return code === 0 || escaped ? EXIT_OK : EXIT_INFRA;
}

export function registerReproCommand(program: Command, signal: AbortSignal, setCode: (code: number) => void): void {
  program
    .command('repro')
    .description('run one case of a finished run again, exactly: the same kernel build, machine profile and plan, only that case (--shell: boot that machine, type the case at the guest shell and leave you there)')
    .argument('<results>', 'results.json of the run, or its report folder')
    .argument('<case>', 'suite/case, as the reports name it')
    .option('--shell', 'boot into a guest shell, run the case there, and leave the console to you (Ctrl-] leaves)')
    .option('--out <dir>', 'where the reproduction’s reports go (default ./hilt-repro)')
    .option('--machine <file>', 'the machine profile the run used, when it was not the default')
    .option('-v, --verbose', 'copy the console to stderr as it arrives')
    .action(async (results: string, name: string, o: ReproOptions) => setCode(await reproCommandMain(results, name, o, signal)));
}
