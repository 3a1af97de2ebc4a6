/**
 * Bad input is refused before anything boots, naming the file, the JSON path
 * and the rule; a machine that never reaches the agent is an infrastructure
 * error with the console's last words.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunResult } from '../../src/results/model.js';
import { runHilt, tempDir } from '../helpers.js';

t.test('a plan that breaks its schema: file, JSON path and rule, exit 2, no boot', async (t) => {
  const dir = tempDir(t);
  const plan = join(dir, 'plan.yaml');
  writeFileSync(plan, 'kernel: debian:linux-image-6.12-amd64\nsuites:\n  - drm-core\n  - name: prime\n    cases: [Self Import]\ntimeouts:\n  boot: -5\nretries: lots\n');
  const started = Date.now();
  const r = await runHilt(['run', '--plan', plan, '--out', join(dir, 'out')]);
  t.equal(r.code, 2);
  t.ok(Date.now() - started < 15_000, 'refused at once');
  t.match(r.stderr, `${plan} does not match https://hilt.dev/schemas/v1/plan.schema.json`);
  t.match(r.stderr, /\/suites\/1\/cases\/0: must match pattern .* \(rule pattern at #\/properties\/suites\/items\/oneOf\/1\/properties\/cases\/items\/pattern\)/);
  t.match(r.stderr, /\/timeouts\/boot: must be > 0 \(rule exclusiveMinimum at /);
  t.match(r.stderr, /\/retries: must be integer \(rule type at #\/properties\/retries\/type\)/);
  t.notMatch(r.stderr, /boot 1/);
});

t.test('a machine profile that breaks its schema, and one with an unknown field', async (t) => {
  const dir = tempDir(t);
  const machine = join(dir, 'machine.yaml');
  writeFileSync(machine, 'type: qemu\nmemory: 64\naccel: fast\ngpu: yes\n');
  const r = await runHilt(['run', '--machine', machine, '--out', join(dir, 'out')]);
  t.equal(r.code, 2);
  t.match(r.stderr, `${machine} does not match https://hilt.dev/schemas/v1/machine.schema.json`);
  t.match(r.stderr, /\/memory: must be >= 128 \(rule minimum at #\/properties\/memory\/minimum\)/);
  t.match(r.stderr, /\/accel: must be one of \["auto","tcg","kvm"\]/);
  t.match(r.stderr, /: has unknown property 'gpu' \(rule additionalProperties at #\/additionalProperties\)/);
});

t.test('a plan file that is not YAML at all', async (t) => {
  const dir = tempDir(t);
  const plan = join(dir, 'plan.yaml');
  writeFileSync(plan, 'suites: [drm-core\n  : : :\n');
  const r = await runHilt(['run', '--plan', plan]);
  t.equal(r.code, 2);
  t.match(r.stderr, `plan ${plan} is not valid YAML/JSON`);
});

t.test('a machine that never reaches the agent: exit 2, the results say why', async (t) => {
  const out = tempDir(t);
  const r = await runHilt(['run', '--accel', 'tcg', '--suite', 'drm-core:version', '--boot-timeout', '1', '--out', out]);
  t.equal(r.code, 2);
  t.match(r.stderr, /boot 1 never reached the hilt agent within 1 s; trying once more/);
  t.match(r.stderr, /boot 2 never reached the hilt agent within 1 s, and so did the boot before it\n\s+The whole console is in .*console-2\.log/);
  const run = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResult;
  t.equal(run.status, 'aborted');
  t.match(run.error, { kind: 'infrastructure', message: /never reached the hilt agent/ });
  t.match(run.suites[0]!.cases[0], { status: 'incomplete', message: /not run: the run stopped first/ });
  t.match(run.boots, [{ reason: 'boot-timeout', helloMs: null }, { reason: 'boot-timeout', helloMs: null }]);
});
