/** `hilt list`: the suites and their cases, as text or JSON. */
import { schemas } from '../schemas/registry.js';
import { loadCatalog } from '../suites/catalog.js';
import { usageError } from '../errors.js';

export function listCommand(opts: { suite?: string[]; json?: boolean }, out: NodeJS.WritableStream): number {
  let suites = loadCatalog(schemas());
  if (opts.suite?.length) {
    const unknown = opts.suite.filter((n) => !suites.some((s) => s.name === n));
    if (unknown.length) throw usageError(`there is no suite '${unknown[0]}'`, `Known suites: ${suites.map((s) => s.name).join(', ')}.`);
    suites = suites.filter((s) => opts.suite!.includes(s.name));
  }
  if (opts.json) {
    out.write(JSON.stringify(suites.map((s) => ({ name: s.name, description: s.description, default: s.default, modules: s.modules, timeoutSeconds: s.timeoutMs / 1000, cases: s.cases })), null, 2) + '\n');
    return 0;
  }
  for (const s of suites) {
    out.write(`${s.name}${s.default ? '' : ' (not run by default)'}: ${s.description}\n`);
    if (!s.cases.length) out.write('  (not built: make -C suites)\n');
    for (const c of s.cases) out.write(`  ${s.name}:${c}\n`);
  }
  return 0;
}
