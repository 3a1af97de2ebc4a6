/**
 * Cases the kernel under test cannot run for want of an option (each case's
 * `config` in build/<suite>.describe, and a suite.json kernelConfig option
 * the plan marks optional): settled as skips before the first boot, with the
 * reason (`needs CONFIG_SW_SYNC`). A case the plan named (--suite S:CASE) is
 * demanded, not merely allowed: the run is refused instead. A suite.json
 * kernelConfig option the plan requires is not a skip at all: the run ends
 * with an infrastructure error naming it (requiredOptionsMissing).
 */
import { usageError } from '../errors.js';
import { kernelConfig } from '../kernel/config-file.js';
import { configSkips, demandedButUnmet, needMet, parseNeed, suiteNeeds } from '../kernel/config-needs.js';
import type { KernelInfo } from '../kernel/types.js';
import type { RunRequirements } from '../plan/requirements.js';
import type { RunPlan } from '../plan/types.js';

export async function kernelConfigSkips(plan: RunPlan, kernel: KernelInfo, requirements?: RunRequirements): Promise<{ index: number; reason: string }[]> {
  const config = await kernelConfig(kernel);
  if (!config) return [];
  const out: { index: number; reason: string }[] = [];
  const named: { suite: string; case: string }[] = [];
  for (const suite of plan.suites) {
    if (suite.mode !== 'cases') continue;
    const tests = plan.tests.filter((t) => t.suite === suite.name);
    const cases = [...new Set(tests.map((t) => t.case))];
    let skips;
    try {
      // Required suite options never reach here as skips: requiredOptionsMissing has ended the run before.
      const optional = (suite.kernelConfig ?? []).filter((c) => !requirements?.isRequired('config', c));
      skips = configSkips(config, [suiteNeeds(suite, optional, cases)]);
    } catch (e) {
      throw usageError(`suite ${suite.name}: ${(e as Error).message}`, 'Fix the option in its suite.json kernelConfig or its case table, then rebuild the suites (make -C suites).');
    }
    const reasons = new Map(skips.map((s) => [s.case, s.reason]));
    for (const t of tests) {
      const reason = reasons.get(t.case);
      if (!reason) continue;
      out.push({ index: t.index, reason: `skipped: ${reason} (not in the config of ${kernel.release}, read before boot)` });
      if (t.named) named.push({ suite: t.suite, case: t.case });
    }
    const refused = demandedButUnmet(skips, named, kernel.release);
    if (refused.length) {
      throw usageError(`the plan names cases this kernel cannot run: ${refused.join('; ')}`, 'Build the kernel with the option (tree: kernels get every selected suite\'s suites/NAME/config), or leave the case out.');
    }
  }
  return out;
}

/** The suite.json kernelConfig options the plan requires and the kernel's known configuration lacks: one line each. */
export async function requiredOptionsMissing(kernel: KernelInfo, requirements: RunRequirements): Promise<string[]> {
  const config = await kernelConfig(kernel);
  if (!config) return [];
  const out: string[] = [];
  for (const r of requirements.required) {
    if (r.kind !== 'config') continue;
    let need;
    try {
      need = parseNeed(r.name);
    } catch (e) {
      throw usageError(`suite ${r.suites.join(', ')}: ${(e as Error).message}`, 'Fix the option in its suite.json kernelConfig.');
    }
    if (!needMet(config, need)) out.push(`${r.name} (required by ${r.suites.join(', ')}): not in the configuration of ${kernel.release}`);
  }
  return out;
}
