/** `hilt list`: the suites and their cases, as text or JSON. */
import { schemas } from '../schemas/registry.js';
import { loadCatalog } from '../suites/catalog.js';
import { usageError } from '../errors.js';
import { suiteRequirements } from '../plan/requirements.js';

export function listCommand(opts: { suite?: string[]; json?: boolean }, out: NodeJS.WritableStream): number {
  let suites = loadCatalog(schemas());
  if (opts.suite?.length) {
    const unknown = opts.suite.filter((n) => !suites.some((s) => s.name === n));
    if (unknown.length) throw usageError(`there is no suite '${unknown[0]}'`, `Known suites: ${suites.map((s) => s.name).join(', ')}.`);
    suites = suites.filter((s) => opts.suite!.includes(s.name));
  }
  if (opts.json) {
    const json = suites.map((s) => ({
      name: s.name,
      description: s.description,
      default: s.default,
      modules: s.modules,
      outOfTreeModules: s.outOfTreeModules ?? [],
      kernelConfig: s.kernelConfig ?? [],
      requires: { nodes: s.requires?.nodes ?? [], drmDevices: s.requires?.drmDevices ?? 1 },
      timeoutSeconds: s.timeoutMs / 1000,
      cases: s.cases.map((c) => ({ name: c, ...(s.caseInfo?.[c] ?? {}) })),
    }));
    out.write(JSON.stringify(json, null, 2) + '\n');
    return 0;
  }
  for (const s of suites) {
    out.write(`${s.name}${s.default ? '' : ' (not run by default)'}: ${s.description}\n`);
    const requires = suiteRequirements([s]).map((r) => (r.kind === 'drm-devices' ? `${r.count} DRM devices (drm-devices)` : r.name));
    if (requires.length) out.write(`  requires ${requires.join(', ')} (a run without one ends with exit 2 unless the plan marks it --optional)\n`);
    if (s.outOfTreeModules?.length) out.write(`  needs ${s.outOfTreeModules.join(', ')} (hilt's test driver, built for the kernel under test; cases that use it skip with the reason where it cannot be built)\n`);
    if (!s.cases.length) out.write('  (not built: make -C suites)\n');
    for (const c of s.cases) {
      const info = s.caseInfo?.[c];
      const notes = [
        ...(info?.config?.length ? [`needs ${info.config.join(', ')}`] : []),
        ...(info?.last ? ['runs last, alone in a fresh boot'] : []),
        ...(info?.timeoutMs ? [`timeout ${info.timeoutMs / 1000} s`] : []),
      ];
      out.write(`  ${s.name}:${c}${notes.length ? `  (${notes.join('; ')})` : ''}\n`);
    }
  }
  return 0;
}
