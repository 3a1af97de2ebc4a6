/**
 * Cases the kernel under test cannot run for want of an option (each case's
 * `config` in build/<suite>.describe, and a suite.json kernelConfig option
 * the plan marks optional): settled as skips before the first boot, with the
 * reason (`needs CONFIG_SW_SYNC`). A case the plan named (--suite S:CASE) is
 * demanded, not merely allowed: the run is refused instead. A suite.json
 * kernelConfig option the plan requires is not a skip at all: the run ends
 * with an infrastructure error naming it (RunRequirements.optionsTheKernelLacks).
 */
import { usageError } from '../errors.js';
import { configSkips, demandedButUnmet, suiteNeeds } from '../kernel/config-needs.js';
import type { ConfigValues } from '../kernel/kconfig.js';
import type { RunRequirements } from '../plan/requirements.js';
import type { RunPlan } from '../plan/types.js';

export function kernelConfigSkips(plan: RunPlan, config: ConfigValues | null, release: string, requirements?: RunRequirements): { index: number; reason: string }[] {
  if (!config) return [];
  const out: { index: number; reason: string }[] = [];
  const named: { suite: string; case: string }[] = [];
  for (const suite of plan.suites) {
    if (suite.mode !== 'cases') continue;
    const tests = plan.tests.filter((t) => t.suite === suite.name);
    const cases = [...new Set(tests.map((t) => t.case))];
    let skips;
    try {
      // Required suite options never reach here as skips: RunRequirements.optionsTheKernelLacks has ended the run before.
      const optional = (suite.kernelConfig ?? []).filter((c) => !requirements?.isRequired('config', c));
      skips = configSkips(config, [suiteNeeds(suite, optional, cases)]);
    } catch (e) {
      throw usageError(`suite ${suite.name}: ${(e as Error).message}`, 'Fix the option in its suite.json kernelConfig or its case table, then rebuild the suites (make -C suites).');
    }
    const reasons = new Map(skips.map((s) => [s.case, s.reason]));
    for (const t of tests) {
      const reason = reasons.get(t.case);
      if (!reason) continue;
      out.push({ index: t.index, reason: `skipped: ${reason} (not in the config of ${release}, read before boot)` });
      if (t.named) named.push({ suite: t.suite, case: t.case });
    }
    const refused = demandedButUnmet(skips, named, release);
    if (refused.length) {
      throw usageError(`the plan names cases this kernel cannot run: ${refused.join('; ')}`, 'Build the kernel with the option (tree: kernels get every selected suite\'s suites/NAME/config), or leave the case out.');
    }
  }
  return out;
}
