/**
 * Cases the kernel under test cannot run for want of an option (suite.json
 * kernelConfig, each case's `config` in build/<suite>.describe): settled as
 * skips before the first boot, with the reason (`needs CONFIG_SW_SYNC`). A
 * case the plan named (--suite S:CASE) is demanded, not merely allowed: the
 * run is refused instead.
 */
import { usageError } from '../errors.js';
import { kernelConfig } from '../kernel/config-file.js';
import { configSkips, demandedButUnmet, suiteNeeds } from '../kernel/config-needs.js';
import type { KernelInfo } from '../kernel/types.js';
import type { RunPlan } from '../plan/types.js';

export async function kernelConfigSkips(plan: RunPlan, kernel: KernelInfo): Promise<{ index: number; reason: string }[]> {
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
      skips = configSkips(config, [suiteNeeds(suite, suite.kernelConfig ?? [], cases)]);
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
