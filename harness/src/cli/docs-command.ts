/** `hilt docs`: regenerates suites/README.md from the built suites and the schemas. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { infraError } from '../errors.js';
import { SUITES_DIR } from '../paths.js';
import { loadProfiles } from '../schemas/profiles.js';
import { schemas } from '../schemas/registry.js';
import { requireBuilt, loadCatalog } from '../suites/catalog.js';
import { type CaseDescription, referencePage } from '../suites/reference.js';

export const REFERENCE_PAGE = join(SUITES_DIR, 'README.md');

export function renderReference(): string {
  const registry = schemas();
  const suites = loadCatalog(registry);
  const cases: CaseDescription[] = [];
  for (const s of suites) {
    requireBuilt(s);
    let text: string;
    try {
      text = execFileSync(s.binary, ['--describe'], { encoding: 'utf8' });
    } catch (e) {
      throw infraError(`${s.binary} --describe failed: ${(e as Error).message}`);
    }
    for (const line of text.split('\n').filter(Boolean)) cases.push(JSON.parse(line) as CaseDescription);
  }
  const titles = new Map<string, string>();
  for (const [id, schema] of registry.loaded) {
    const m = /observations\/([a-z0-9-]+(?:\.[a-z0-9-]+)+)\.schema\.json$/.exec(id);
    if (m) titles.set(m[1]!, schema.title ?? '');
  }
  const profiles = loadProfiles(registry, []).map((p) => ({
    name: p.name,
    driver: p.doc.match.driver,
    automatic: p.doc.automatic ?? true,
    description: p.doc.description,
    rules: Object.keys(p.doc.observations),
    knownIssues: p.doc.knownIssues ?? [],
  }));
  return referencePage(suites, cases, titles, profiles);
}

export function docsCommand(opts: { check?: boolean; stdout?: boolean }, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  const page = renderReference();
  if (opts.stdout) {
    out.write(page);
    return 0;
  }
  if (opts.check) {
    const current = readFileSync(REFERENCE_PAGE, 'utf8');
    if (current === page) return 0;
    err.write(`hilt: ${REFERENCE_PAGE} is out of date; regenerate it with: hilt docs\n`);
    return 1;
  }
  writeFileSync(REFERENCE_PAGE, page);
  err.write(`hilt: wrote ${REFERENCE_PAGE}\n`);
  return 0;
}
