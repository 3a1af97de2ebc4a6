#!/usr/bin/env node
/** The hilt command line. Every command returns an exit code; errors carry their kind. */
import { Command, Option } from 'commander';
import { EXIT_INFRA, exitCodeFor, formatError, HiltError } from '../errors.js';
import { DEFAULT_KERNEL } from '../kernel/spec.js';
import { hiltVersion } from '../run/environment.js';
import { addBisectCommand } from './bisect-command.js';
import { registerBaselineCommand } from './baseline-command.js';
import { bootCommand } from './boot-command.js';
import { registerCompareCommand } from './compare-command.js';
import { docsCommand } from './docs-command.js';
import { registerLavaCommand } from './lava-command.js';
import { listCommand } from './list-command.js';
import { registerMergeCommand } from './merge-command.js';
import { collect, planJudgingOptions, positiveNumber, wholeNumber } from './options.js';
import { parseCommand } from './parse-command.js';
import { reportCommand } from './report-command.js';
import { registerReproCommand } from './repro-command.js';
import { runCommand } from './run-command.js';


function machineOptions(cmd: Command): Command {
  return cmd
    .option('--kernel <spec>', `debian:PACKAGE[=VERSION], path:IMAGE[,modules=DIR][,config=FILE][,sha256=HEX] or tree:PATH[,config=FRAGMENT][,base=FILE|defconfig] (default ${DEFAULT_KERNEL})`)
    .option('--machine <file>', 'machine profile (YAML or JSON, schemas/machine.schema.json): qemu (default), a lab board, an SSH host, this host, a LAVA lab')
    .option('--memory <MiB>', 'guest memory in MiB (default 1024)', positiveNumber('--memory'))
    .option('--cpus <n>', 'guest CPUs (default 2)', positiveNumber('--cpus'))
    .addOption(new Option('--accel <accel>', 'auto uses KVM only where a probe boot proves it works').choices(['auto', 'tcg', 'kvm']))
    .addOption(
      new Option(
        '--tcg-threads <threads>',
        'TCG on one host thread (single, the default) or one per vCPU (multi: a few percent faster, but the guest kernel oopses at a static-key patch site about once in 100 boots, a crash the kernel under test did not cause)',
      ).choices(['single', 'multi']),
    )
    .option('--suite <name[:case,...]>', 'suite to run, optionally only some cases; repeatable (default: every default suite)', collect)
    .option('--suite-bin <[name=]path>', 'a static program printing KTAP, run whole as a suite named after the file (or NAME); repeatable', collect)
    .option('--igt <dir>', 'run IGT GPU Tools tests from a meson build folder or install prefix: each program a suite igt@PROGRAM, each subtest a test')
    .option('--igt-test <regex>', 'like igt_runner -t: only IGT tests whose igt@program@subtest name matches; repeatable', collect)
    .option('--igt-exclude <regex>', 'like igt_runner -x: leave out IGT tests whose name matches; repeatable', collect)
    .option('--igt-device <filter>', "IGT's device filter, as IGT_DEVICE for every IGT test")
    .option('--igt-force-driver <name>', 'the driver IGT opens when a test asks for any (IGT_FORCE_DRIVER)')
    .option('--igt-module <name>', 'a kernel module to load for IGT (the driver under test); repeatable; default vgem, and bochs on QEMU', collect);
}

/** The --igt flags as RunOptions names them. */
const igtOptions = (o: { igt?: string; igtTest?: string[]; igtExclude?: string[]; igtDevice?: string; igtForceDriver?: string; igtModule?: string[] }) => ({
  igt: o.igt,
  igtTests: o.igtTest,
  igtExclude: o.igtExclude,
  igtDevice: o.igtDevice,
  igtForceDriver: o.igtForceDriver,
  igtModules: o.igtModule,
});

// `hilt parse big.log | head` closes our stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const controller = new AbortController();
const interrupted = controller.signal;

async function main(argv: string[]): Promise<number> {
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      process.stderr.write(`\nhilt: ${sig} again: stopping at once\n`);
      process.exit(EXIT_INFRA);
    }
    process.stderr.write(`\nhilt: ${sig}: powering the machine off and writing partial reports (again to stop at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let code = 0;
  const program = new Command('hilt')
    .description(
      'Hardware-in-the-loop conformance harness for Linux GPU and accelerator drivers. Boots a test kernel, runs ioctl and dma-buf suites against its real drivers, judges every observation against JSON Schemas, and writes JUnit, JSON and HTML reports.',
    )
    .version(hiltVersion())
    .showHelpAfterError('(hilt <command> --help shows the options)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText('after', '\nExit status: 0 every case passed, skipped or failed as the baseline expects, 1 new failures (conformance), 2 infrastructure or usage error.');

  planJudgingOptions(
    machineOptions(
      program
        .command('run')
        .description('boot the test kernel, run the suites, write reports (default: Debian 6.12 kernel in QEMU, every default suite)')
        .option('--plan <file>', 'run plan (YAML or JSON, schemas/plan.schema.json); flags override it'),
    )
      .option('--out <dir>', 'where reports and the journal go (default ./reports)')
      .option('--lab <file>', 'run in a LAVA lab: its lab profile (schemas/lava-lab.schema.json); each boot is a LAVA job'),
  )
    .option('--retries <n>', 'run a failing case (fail, dmesg-warn, dmesg-fail, crash, timeout) again up to n times, in a fresh boot after a crash or a hang; a failure that then passes is a flake (default 1, at most 10)', wholeNumber('--retries'))
    .option('--jobs <n>', 'run the plan on n machines at once, each taking the next tests as it is ready (default 1)', wholeNumber('--jobs'))
    .option('--repeat <n>', 'run the plan n times over in this one run, to see how often each case comes out each way (default 1)', wholeNumber('--repeat'))
    .option('--abort-on <conditions>', 'stop the whole run when the kernel gains a taint bit that means trouble (taint) or lockdep switches itself off (lockdep); comma-separated, repeatable; the rest is reported as not run, exit 1', collect)
    .option('--resume <dir>', 'continue the interrupted run whose reports are in dir')
    .option('--baseline <file>', 'judge the run against this baseline (schemas/baseline.schema.json): only new failures fail it; repeatable', collect)
    .option('--shard <K/N>', 'run only slice K of N of the plan (one runner of a CI matrix; hilt merge joins the slices): contiguous, balanced, the same on every runner')
    .option('--compare <old>', 'compare with an earlier run (results.json or its folder): fixed, regressed, new, vanished cases and every observed value that changed')
    .option('-v, --verbose', 'copy the console to stderr as it arrives')
    .option('-q, --quiet', 'no progress output')
    .action(async (o) => {
      code = await runCommand({ ...o, suites: o.suite, suiteBins: o.suiteBin, profiles: o.profile, abortOn: o.abortOn, ...igtOptions(o) }, controller.signal);
    });

  program
    .command('list')
    .description('list the suites and their cases')
    .option('--suite <name>', 'only this suite; repeatable', collect)
    .option('--json', 'as JSON')
    .action((o) => {
      code = listCommand(o, process.stdout);
    });

  machineOptions(program.command('boot').description('boot the test kernel and attach this terminal to a shell in the guest (Ctrl-] leaves)')).action(async (o) => {
    code = await bootCommand({ ...o, suites: o.suite, suiteBins: o.suiteBin, ...igtOptions(o) });
  });

  addBisectCommand(program, (c) => (code = c));

  program
    .command('parse')
    .description('parse a KTAP/TAP log (kselftest, KUnit, any console capture) and print the tree as JSON')
    .argument('[file]', "log file, or '-' for standard input", '-')
    .option('--summary', 'print one JSON object counting the leaf cases by status')
    .action(async (file: string, o: { summary?: boolean }) => {
      code = await parseCommand({ file, summary: Boolean(o.summary) }, { stdout: process.stdout, stdin: process.stdin });
    });

  program
    .command('docs')
    .description('regenerate suites/README.md, the reference of every suite and case, from the built suites')
    .option('--check', 'only check that suites/README.md is up to date (exit 1 if not)')
    .option('--stdout', 'print the page instead of writing it')
    .action((o: { check?: boolean; stdout?: boolean }) => {
      code = docsCommand(o, process.stdout, process.stderr);
    });

  program
    .command('report')
    .description('regenerate the JUnit and HTML reports from a results.json')
    .argument('<results.json>')
    .option('--out <dir>', 'where to write them (default: beside the file)')
    .action(async (file: string, o: { out?: string }) => {
      code = await reportCommand(file, o, process.stderr);
    });

  registerLavaCommand(program, machineOptions, (c) => (code = c));
  registerBaselineCommand(program, (c) => (code = c));
  registerCompareCommand(program, (c) => (code = c));
  registerMergeCommand(program, (c) => (code = c));
  registerReproCommand(program, controller.signal, (c) => (code = c));

  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return EXIT_INFRA;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const err = e as { code?: string; exitCode?: number };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    if (err.code?.startsWith('commander.')) return EXIT_INFRA;
    if (e instanceof HiltError || e instanceof Error) {
      process.stderr.write(formatError(e) + '\n');
      return exitCodeFor(e);
    }
    throw e;
  }
  return code;
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
    // Interrupted: what a step had started (an apt-get, a decompression) must not outlive the reports.
    if (interrupted.aborted) process.exit(code);
  },
  (e) => {
    process.stderr.write(formatError(e) + '\n');
    process.exitCode = EXIT_INFRA;
  },
);
