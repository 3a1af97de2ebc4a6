/**
 * LAVA's own job schema (Debian's lava-common, lava_common.schemas.validate,
 * strict mode), run by Debian's Python on YAML texts exactly as a server
 * reads a submitted job: yaml.safe_load, then validate.
 */
import { spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import json, sys, yaml
from lava_common.schemas import validate
out = []
for text in json.load(sys.stdin):
    try:
        validate(yaml.safe_load(text), strict=True)
        out.append(None)
    except Exception as exc:
        out.append("%s: %s" % (type(exc).__name__, exc))
print(json.dumps(out))
`;

/** Why the schema cannot be run here, or null when it can. */
export function lavaSchemaMissing(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import lava_common.schemas, yaml'], { encoding: 'utf8' });
  return r.status === 0 ? null : `LAVA's job schema needs Debian's lava-common (apt-get install lava-common): ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`;
}

/** For each YAML text: null when LAVA accepts it, else LAVA's complaint. */
export function lavaValidate(texts: string[]): (string | null)[] {
  const r = spawnSync(PYTHON, ['-c', SCRIPT], { input: JSON.stringify(texts), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${PYTHON} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as (string | null)[];
}

/** A YAML document as LAVA reads it (PyYAML): device dictionaries hold scalars the yaml package refuses. */
export function pyYaml(text: string): unknown {
  const r = spawnSync(PYTHON, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PyYAML refused it: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
