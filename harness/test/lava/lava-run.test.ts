/**
 * Real LAVA: jobs hilt generates run under Debian's lava-dispatcher (lava-run,
 * as a LAVA worker runs it), QEMU booting Debian's 6.12 kernel with hilt's
 * initramfs. The console hilt reads back out of LAVA's log must give the same
 * cases and verdicts as the qemu target gives for the same plan, and LAVA's
 * own failures must come back as infrastructure errors with LAVA's message.
 *
 * Needs root, lava-run (apt-get install lava-dispatcher) and QEMU; skipped
 * with the reason otherwise. About 40 s on two cores.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import t from 'tap';
import { EXIT_INFRA, exitCodeFor } from '../../src/errors.js';
import { resolveKernel } from '../../src/kernel/index.js';
import { LocalDispatcher, type LavaDispatcher } from '../../src/lava/dispatchers.js';
import { lavaJobYaml } from '../../src/lava/job.js';
import { loadLab } from '../../src/lava/lab.js';
import { cacheDir } from '../../src/paths.js';
import { buildRunPlan } from '../../src/plan/plan.js';
import type { RunPlan } from '../../src/plan/types.js';
import type { CaseResult } from '../../src/results/model.js';
import { runBoot } from '../../src/run/boot-session.js';
import { buildRunImage } from '../../src/run/prepare.js';
import { createFold } from '../../src/results/fold.js';
import { schemas } from '../../src/schemas/registry.js';
import { loadCatalog } from '../../src/suites/catalog.js';
import { LavaTarget } from '../../src/targets/lava.js';
import { QemuTarget } from '../../src/targets/qemu.js';
import { X86_64 } from '../../src/targets/qemu-profiles.js';
import type { Target } from '../../src/targets/target.js';
import { silentLog } from '../../src/util/log.js';
import { tempDir } from '../helpers.js';
import { lavaSchemaMissing, lavaValidate } from './lava-schema.js';

function whyNot(): string | false {
  if (process.getuid?.() !== 0) return 'lava-run runs jobs as root only, and this test is not root';
  if (spawnSync('lava-run', ['--help']).status !== 0) return 'lava-run is not installed (apt-get install lava-dispatcher)';
  if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) return 'qemu-system-x86_64 is not installed';
  return lavaSchemaMissing() ?? false;
}
const skip = whyNot();

const registry = schemas();
const cache = cacheDir();

async function prepare(suites: string[], out: string, over: { bootTimeout?: number } = {}) {
  const plan = await buildRunPlan({ suites, out, ...over }, loadCatalog(registry), registry);
  const kernel = await resolveKernel(plan.kernel, { cacheDir: cache, log: silentLog });
  const image = await buildRunImage(plan, kernel, { cacheDir: cache, log: silentLog, consoleLevel: 1 });
  return { plan, kernel, image };
}

/** One boot through the same session and results fold the executor uses; the cases it gives. */
async function oneBoot(plan: RunPlan, target: Target) {
  const builder = createFold(plan, registry);
  builder.push({ t: 'run', v: 1, at: new Date().toISOString(), id: 'lava-test', plan, env: {} });
  const machine = await target.boot({ cmdline: ['hilt.mode=run', 'hilt.start=0'] });
  builder.push({ t: 'boot', boot: 1, start: 0, at: new Date().toISOString(), cmdline: machine.commandLine, accel: 'tcg' });
  const outcome = await runBoot({
    machine,
    boot: 1,
    journal: (e) => void builder.push(e),
    tests: plan.tests,
    bootTimeoutMs: plan.timeouts.bootMs,
    silenceTimeoutMs: plan.timeouts.silenceMs,
    caseGraceMs: plan.timeouts.caseGraceMs,
    runDeadline: null,
    timeoutOf: (i) => plan.tests[i]!.timeoutMs,
    signal: new AbortController().signal,
  });
  builder.push({ t: 'end', at: new Date().toISOString(), status: 'complete' });
  const result = builder.finish();
  const verdict = (c: CaseResult): unknown => ({ name: c.name, status: c.status, subtests: c.subtests.map(verdict) });
  return { outcome, machine, cases: result.suites.flatMap((s) => s.cases.map((c) => ({ suite: s.name, ...(verdict(c) as object) }))) };
}

function lavaTarget(prep: Awaited<ReturnType<typeof prepare>>, dispatcher: LavaDispatcher) {
  return new LavaTarget({
    plan: prep.plan,
    lab: { ...loadLab(undefined, registry), firmware: X86_64.firmware && existsSync(X86_64.firmware) ? X86_64.firmware : null },
    dispatcher,
    kernelImage: prep.kernel.image,
    release: prep.kernel.release,
    initrd: prep.image.path,
    archWords: X86_64.cmdline,
    workDir: prep.plan.out,
  });
}

t.test('drm-core under lava-run: the same cases and verdicts as the qemu target', { skip }, async (t) => {
  const out = tempDir(t, 'hilt-lava-run-');
  const prep = await prepare(['drm-core'], out);
  const local = new LocalDispatcher({ workDir: out, cacheDir: cache, log: silentLog, noKvm: true });
  const started = Date.now();
  const lava = await oneBoot(prep.plan, lavaTarget(prep, local));
  const lavaMs = Date.now() - started;
  const job = await (lava.machine as unknown as { lava: Promise<{ file: string; end: unknown; error: unknown }> }).lava;
  t.same(job.end, { result: 'pass', errorType: null, errorMsg: null }, 'LAVA says the job passed');
  t.equal(job.error, null);
  t.same(lavaValidate([(await import('node:fs')).readFileSync(job.file, 'utf8')]), [null], 'the job that ran passes LAVA\'s strict schema');
  t.match(lava.outcome, { reason: 'poweroff', hello: true, done: true }, 'the agent said hello and done, read from LAVA\'s log');
  t.equal(lava.machine.commandLine[0], 'lava-run');

  // The reference: the same plan on the qemu target. On this loaded two-core host a QEMU has been
  // seen to exit at once (twice in about 20 runs, on this side only); a reference boot that never
  // finished is no verdict on LAVA, so it gets one more try.
  const qemuTarget = new QemuTarget({ machine: prep.plan.machine, kernelImage: prep.kernel.image, initrd: prep.image.path, accel: 'tcg' });
  const qemuStarted = Date.now();
  let qemu = await oneBoot(prep.plan, qemuTarget);
  if (!qemu.outcome.done) {
    t.comment(`the qemu reference boot ended early (${qemu.outcome.reason}, ${JSON.stringify(qemu.outcome.exit)}); booting it again`);
    qemu = await oneBoot(prep.plan, qemuTarget);
  }
  const qemuMs = Date.now() - qemuStarted;
  t.equal(lava.cases.length, 11);
  t.same(lava.cases, qemu.cases, 'case by case, subtest by subtest: the same verdicts');
  if (!t.passing()) {
    const brief = (o: typeof lava.outcome) => ({ reason: o.reason, hello: o.hello, done: o.done, exit: o.exit, tail: o.tail.slice(-5) });
    t.comment(JSON.stringify({ lava: brief(lava.outcome), qemu: brief(qemu.outcome), job: job.file }));
  }
  t.ok(
    lava.cases.every((c) => (c as unknown as { status: string }).status === 'pass'),
    'and they pass',
  );
  t.comment(`lava-run job ${lavaMs} ms, qemu target ${qemuMs} ms`);
});

/** lava-run with the job changed on its way, as a lab admin's mistake would change it. */
function mistaken(local: LocalDispatcher, change: (job: Record<string, any>) => void): LavaDispatcher {
  return {
    kind: 'lava-run',
    describe: () => ({}),
    start(job, _yaml, file) {
      change(job);
      writeFileSync(file, lavaJobYaml(job));
      return local.start(job, lavaJobYaml(job), file);
    },
  };
}

t.test('failures in LAVA are infrastructure errors carrying LAVA\'s message', { skip }, async (t) => {
  const out = tempDir(t, 'hilt-lava-fail-');
  const prep = await prepare(['drm-core:version'], out);
  const local = new LocalDispatcher({ workDir: out, cacheDir: cache, log: silentLog, noKvm: true });
  const run = async (dispatcher: LavaDispatcher, p = prep) => {
    const machine = await lavaTarget(p, dispatcher).boot({ cmdline: ['hilt.mode=run', 'hilt.start=0'] });
    const exit = await machine.exited;
    return { exit, job: await machine.lava };
  };

  const noArch = await run(mistaken(local, (job) => delete job.context.arch));
  t.equal(noArch.job.error?.kind, 'infrastructure');
  t.equal(exitCodeFor(noArch.job.error), EXIT_INFRA);
  t.match(noArch.job.error?.message, /failed with a LAVA Job error: .*Missing 'arch' in job context/);
  t.match(noArch.exit.stderr, /Missing 'arch'/, 'the machine\'s exit carries it too, for a run that never reached the agent');

  const prompt = await run(mistaken(local, (job) => (job.actions[1].boot.prompts = ['@hilt 0 bonjour\\s'])));
  t.match(prompt.job.error?.message, /failed with a LAVA Infrastructure error: Connection closed/);

  // hilt powering the machine off (its own watchdog, or Ctrl-C) cancels the job; that is no LAVA error.
  const machine = await lavaTarget(prep, local).boot({ cmdline: ['hilt.mode=run', 'hilt.start=0'] });
  const killedAt = Date.now();
  await machine.kill();
  const killed = await machine.lava;
  t.match(killed.end, { errorType: 'Canceled' }, 'LAVA canceled the job');
  if (!t.passing()) t.comment(JSON.stringify(killed));
  t.equal(killed.error, null, 'and hilt does not report it as LAVA\'s failure');
  t.ok(Date.now() - killedAt < 15_000, `lava-run finalised promptly (${Date.now() - killedAt} ms)`);

  const slow = await prepare(['drm-core:version'], out, { bootTimeout: 1 });
  const timeout = await run(local, slow);
  t.match(timeout.job.error?.message, /failed with a LAVA Job error: .*timed out after 1 seconds?/, 'hilt\'s boot timeout is LAVA\'s boot timeout');
  if (!t.passing()) t.comment(JSON.stringify(timeout.job));
});
