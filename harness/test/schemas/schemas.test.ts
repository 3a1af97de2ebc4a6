/** Every schema hilt ships is a valid draft 2020-12 schema that compiles in strict mode, and profiles are valid profiles. */
import t from 'tap';
import { loadProfiles } from '../../src/schemas/profiles.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';

t.test('bundled schemas: valid against the meta-schema, compile under Ajv strict mode', async (t) => {
  const registry = new SchemaRegistry();
  t.ok(registry.loaded.size > 30, `${registry.loaded.size} schemas`);
  t.same(registry.checkBundled(), []);
  t.doesNotThrow(() => registry.compileAll());
  for (const id of registry.loaded.keys()) t.match(id, /^https:\/\/hilt\.dev\/schemas\/v1\/[a-z/_.-]+\.schema\.json$/, 'a stable $id');
});

t.test('bundled profiles: valid, their rules compile', async (t) => {
  const registry = new SchemaRegistry();
  const profiles = loadProfiles(registry, []);
  t.same(profiles.map((p) => p.name).sort(), ['habanalabs-gaudi2', 'vaccel', 'vgem', 'virtio-gpu']);
  for (const p of profiles) {
    t.ok(p.rules.size > 0, `${p.name} has rules`);
    for (const [type, rule] of p.rules) t.type(rule.validate, 'function', `${p.name}: ${type} compiles`);
  }
});

t.test('a profile rule that is not a JSON Schema is refused with the file named', async (t) => {
  const registry = new SchemaRegistry();
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'hilt-prof-')), 'bad.json');
  writeFileSync(file, JSON.stringify({ $schema: 'https://hilt.dev/schemas/v1/profile.schema.json', name: 'bad', description: 'x', match: { driver: 'vgem' }, observations: { 'drm.cap': { type: 'no-such-type' } } }));
  t.throws(() => loadProfiles(registry, [file]), { kind: 'usage', message: /bad\.json: the rule for observation 'drm\.cap' is not a valid JSON Schema/ });
});
