/**
 * The plan file the agent reads from /hilt/plan (format in
 * suites/agent/PROTOCOL.md). Pure: plan data in, text out.
 */
export interface AgentPlan {
  /** Guest paths of the modules to load, in load order. */
  modules: string[];
  /** mode igt: one process per test, `path --run-subtest CASE`; env: KEY=VALUE for its processes. */
  suites: { name: string; path: string; mode: 'cases' | 'whole' | 'igt'; env?: string[] }[];
  /** In run order; index is the test's position in the whole run. */
  tests: { index: number; suite: string; case: string; timeoutMs: number }[];
  heartbeatMs: number;
  /** Kernel messages at or below this level are relayed while tests run. */
  kmsgLevel: number;
  /** ...and at or below this one from boot, before the first test. */
  bootKmsgLevel: number;
  /** console_loglevel while tests run, so printk rarely cuts into frames; 0 keeps the kernel's. */
  consoleLevel: number;
  /** Files the agent reports as present or not once the modules are loaded (the nodes the suites require). */
  paths?: string[];
}

const WORD = /^[^\s]+$/;

export function renderAgentPlan(plan: AgentPlan): string {
  const lines = [
    'hilt-plan 1',
    `heartbeat-ms ${plan.heartbeatMs}`,
    `kmsg-level ${plan.kmsgLevel}`,
    `boot-kmsg-level ${plan.bootKmsgLevel}`,
    `console-level ${plan.consoleLevel}`,
  ];
  const check = (what: string, s: string) => {
    if (!WORD.test(s)) throw new Error(`agent plan: ${what} '${s}' must be one word without spaces`);
    return s;
  };
  for (const m of plan.modules) lines.push(`module ${check('module path', m)}`);
  for (const p of plan.paths ?? []) lines.push(`path ${check('path', p)}`);
  for (const s of plan.suites) lines.push(`suite ${check('suite name', s.name)} ${check('suite path', s.path)} ${s.mode}`);
  for (const s of plan.suites) for (const e of s.env ?? []) lines.push(`env ${s.name} ${check('environment setting', e)}`);
  for (const t of plan.tests) lines.push(`test ${t.index} ${check('suite name', t.suite)} ${check('case name', t.case)} ${Math.max(0, Math.round(t.timeoutMs))}`);
  return lines.join('\n') + '\n';
}
