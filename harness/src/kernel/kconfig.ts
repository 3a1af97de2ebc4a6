/**
 * Kernel configurations as data: a .config (or /proc/config.gz once
 * decompressed, or a distribution's config file) read into values, config
 * fragments read into requests, and the check that every requested option
 * survived Kconfig. Pure.
 *
 * Kconfig writes `CONFIG_FOO=y`, `CONFIG_FOO=m`, `CONFIG_FOO="text"`,
 * `CONFIG_FOO=123` and `# CONFIG_FOO is not set`; an option whose
 * dependencies are unmet is not written at all. Both of the last two mean n.
 */

/** Symbol name without the CONFIG_ prefix -> its value as written (y, m, n, "quoted text", 123, 0x10). */
export type ConfigValues = Map<string, string>;

const ASSIGN = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# CONFIG_([A-Za-z0-9_]+) is not set\s*$/;

export function parseConfig(text: string): ConfigValues {
  const values: ConfigValues = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    const set = ASSIGN.exec(line);
    if (set) values.set(set[1]!, set[2]!);
    else {
      const unset = NOT_SET.exec(line);
      if (unset) values.set(unset[1]!, 'n');
    }
  }
  return values;
}

/** A value as Kconfig's expressions see it: n for anything absent, strings without their quotes. */
export function optionValue(values: ConfigValues, symbol: string): string | undefined {
  const v = values.get(symbol);
  if (v === undefined) return undefined;
  return v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

/** One line of a fragment: who asked for which value. */
export interface ConfigRequest {
  symbol: string;
  value: string;
  /** The fragment it came from, as a person names it (a path, or "hilt's base config"). */
  source: string;
  line: number;
}

export interface Fragment {
  source: string;
  text: string;
}

/**
 * The requests of one fragment. A line that is neither a comment nor an
 * assignment is refused with its place, because merge_config.sh would drop
 * it without a word.
 */
export function parseFragment(f: Fragment): { requests: ConfigRequest[]; errors: string[] } {
  const requests: ConfigRequest[] = [];
  const errors: string[] = [];
  f.text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const set = ASSIGN.exec(line);
    const unset = NOT_SET.exec(line);
    if (set) requests.push({ symbol: set[1]!, value: set[2]!, source: f.source, line: i + 1 });
    else if (unset) requests.push({ symbol: unset[1]!, value: 'n', source: f.source, line: i + 1 });
    else if (!line.startsWith('#')) errors.push(`${f.source}:${i + 1}: '${line}' is not CONFIG_NAME=value or '# CONFIG_NAME is not set'`);
  });
  return { requests, errors };
}

/** Requests of fragments applied in order: a later fragment's value wins, as in merge_config.sh. */
export function mergeRequests(fragments: ConfigRequest[][]): Map<string, ConfigRequest> {
  const merged = new Map<string, ConfigRequest>();
  for (const list of fragments) for (const r of list) merged.set(r.symbol, r);
  return merged;
}

/** The value an option has in a final .config, n when absent. */
export function finalValue(values: ConfigValues, symbol: string): string {
  return values.get(symbol) ?? 'n';
}

function sameValue(requested: string, actual: string): boolean {
  if (requested === actual) return true;
  const num = (v: string) => (/^-?(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : NaN);
  return Number.isFinite(num(requested)) && num(requested) === num(actual);
}

export interface DroppedOption {
  request: ConfigRequest;
  /** What the final .config has instead; n when the option is missing. */
  actual: string;
}

/** Every request whose value the final configuration does not have, in request order. */
export function droppedOptions(requests: Map<string, ConfigRequest>, final: ConfigValues): DroppedOption[] {
  const dropped: DroppedOption[] = [];
  for (const request of requests.values()) {
    const actual = finalValue(final, request.symbol);
    if (!sameValue(request.value, actual)) dropped.push({ request, actual });
  }
  return dropped;
}
