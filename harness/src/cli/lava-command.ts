/**
 * `hilt lava job`: the LAVA job a plan's boot would run, as YAML on stdout,
 * for a lab admin to read and submit by hand (lavacli jobs submit). Takes the
 * same flags as `hilt run`, plus the lab profile. With --files DIR it also
 * writes what lava-run needs to run the job on this host (the job, a QEMU
 * device dictionary rendered from the job's context, the dispatcher
 * configuration) and prints the lava-run command.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK, usageError } from '../errors.js';
import { resolveKernel } from '../kernel/index.js';
import { lavaTemplates, PYTHON, qemuDeviceDictionary, renderDeviceDictionary } from '../lava/device-dictionary.js';
import { LocalDispatcher } from '../lava/dispatchers.js';
import { type LavaLab, loadLab } from '../lava/lab.js';
import { lavaRunArgs, LAVA_RUN, localDispatcherYaml } from '../lava/lava-run.js';
import { cacheDir } from '../paths.js';
import { collect, planJudgingOptions, wholeNumber } from './options.js';
import { buildRunPlan, type RunOptions } from '../plan/plan.js';
import { buildRunImage } from '../run/prepare.js';
import { schemas } from '../schemas/registry.js';
import { loadCatalog } from '../suites/catalog.js';
import { LavaTarget } from '../targets/lava.js';
import { X86_64 } from '../targets/qemu-profiles.js';
import { stderrLog } from '../util/log.js';

export interface LavaJobOptions extends RunOptions {
  lab?: string;
  deviceType?: string;
  tag?: string[];
  start?: number;
  count?: number;
  files?: string;
}

/** The boot words the run executor gives a boot of tests start..start+count-1. */
export function bootWords(start: number, count: number, total: number): string[] {
  return ['hilt.mode=run', `hilt.start=${start}`, ...(count < total - start ? [`hilt.count=${count}`] : [])];
}

/** A lab on this host boots QEMU with the firmware the qemu target uses; a remote lab's workers, with what the profile says. */
export function labFirmware(lab: LavaLab): string | null {
  if (lab.firmware) return lab.firmware;
  return !lab.server && X86_64.firmware && existsSync(X86_64.firmware) ? X86_64.firmware : null;
}

export async function lavaJobCommand(opts: LavaJobOptions, out: NodeJS.WritableStream): Promise<number> {
  const log = stderrLog();
  const registry = schemas();
  const catalog = loadCatalog(registry);
  const plan = await buildRunPlan(opts, catalog, registry);
  const lab = loadLab(opts.lab, registry, { ...(opts.deviceType ? { deviceType: opts.deviceType } : {}), ...(opts.tag?.length ? { tags: opts.tag } : {}) });
  const total = plan.tests.length;
  const start = opts.start ?? 0;
  if (start >= total) throw usageError(`--start ${start}: the plan has ${total} tests (0 to ${total - 1})`);
  const count = Math.min(opts.count ?? total - start, total - start);
  const cache = cacheDir();
  const kernel = await resolveKernel(plan.kernel, { cacheDir: cache, log, suites: plan.suites.map((s) => s.name) });
  const image = await buildRunImage(plan, kernel, { cacheDir: cache, log, consoleLevel: 1 });
  const workDir = resolve(opts.files ?? plan.out);
  const target = new LavaTarget({
    plan,
    lab: { ...lab, firmware: labFirmware(lab) },
    dispatcher: new LocalDispatcher({ workDir, cacheDir: cache, log, noKvm: lab.noKvm }),
    kernelImage: kernel.image,
    release: kernel.release,
    initrd: image.path,
    archWords: X86_64.cmdline,
    workDir,
  });
  const { job, yaml } = await target.job({ cmdline: bootWords(start, count, total) });
  out.write(yaml);
  if (opts.files) {
    mkdirSync(workDir, { recursive: true });
    const files = { job: join(workDir, 'job.yaml'), device: join(workDir, 'device.yaml'), dispatcher: join(workDir, 'dispatcher.yaml') };
    writeFileSync(files.job, yaml);
    const lines = [`job: ${files.job}`];
    if (lab.deviceType.boot === 'qemu') {
      const templates = await lavaTemplates(cache, log);
      writeFileSync(files.device, await renderDeviceDictionary(templates, qemuDeviceDictionary({ noKvm: lab.noKvm }), (job.context ?? {}) as Record<string, unknown>));
      writeFileSync(files.dispatcher, localDispatcherYaml());
      lines.push(
        `device dictionary (QEMU, rendered from ${templates}/qemu.jinja2 with the job's context): ${files.device}`,
        'run it here, as root:',
        `  ${[LAVA_RUN, ...lavaRunArgs({ jobId: '1', outputDir: join(workDir, 'output'), device: files.device, dispatcher: files.dispatcher, job: files.job })].join(' ')}`,
      );
    }
    lines.push('check it with LAVA\'s own schema:', `  ${PYTHON} -c 'import sys,yaml; from lava_common.schemas import validate; validate(yaml.safe_load(open(sys.argv[1])), strict=True)' ${files.job}`);
    for (const l of lines) log.info(l);
  }
  return EXIT_OK;
}


/** `hilt lava ...`, with the machine options `hilt run` has (main.ts passes its own). */
export function registerLavaCommand(program: Command, machineOptions: (cmd: Command) => Command, done: (code: number) => void): void {
  const lava = program.command('lava').description('run hilt in a LAVA lab: job definitions for a plan');
  planJudgingOptions(
    machineOptions(
      lava
        .command('job')
        .description('print the LAVA job (YAML) that runs a plan\'s tests, for reading or submitting by hand (lavacli jobs submit)')
        .option('--plan <file>', 'run plan (YAML or JSON, schemas/plan.schema.json); flags override it'),
    )
      .option('--lab <file>', 'LAVA lab profile (schemas/lava-lab.schema.json); default: this host, lava-run, device type qemu')
      .option('--device-type <name>', 'LAVA device type, instead of the lab profile\'s')
      .option('--tag <tag>', 'LAVA device tag; repeatable; instead of the lab profile\'s', collect)
      .option('--out <dir>', 'the run\'s output folder (default ./reports)'),
  )
    .option('--start <n>', 'the job of the boot that starts at test n (0-based; default 0)', wholeNumber('--start'))
    .option('--count <n>', 'and runs n tests (default: all the rest)', wholeNumber('--count'))
    .option('--files <dir>', 'also write job.yaml and, for QEMU, a device dictionary and dispatcher.yaml for lava-run into dir')
    .action(async (o) => {
      done(await lavaJobCommand({ ...o, suites: o.suite, suiteBins: o.suiteBin, profiles: o.profile }, process.stdout));
    });
}
