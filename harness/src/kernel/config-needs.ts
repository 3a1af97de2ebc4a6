/**
 * Config-aware suites: which planned cases cannot run on a kernel because it
 * lacks an option they need, so they are reported as skipped with the
 * reason (`needs CONFIG_SW_SYNC`) instead of failing, and which of those a
 * plan demanded by name, which is refused before boot. Pure: the caller reads
 * the kernel's config (a package's config file, a tree's .config, the bytes of
 * /proc/config.gz from a running target) and the suites' needs (suite.json's
 * kernelConfig, the `config` array of each case in build/<suite>.describe).
 *
 * A need is written
 *   CONFIG_X or CONFIG_X=y   the option is on, built in or a module (a
 *                            distribution builds drivers as modules, and
 *                            hilt loads them)
 *   CONFIG_X=m               the option is a module (a case that unloads it)
 *   CONFIG_X=n               the option is off
 */
import { gunzipSync } from 'node:zlib';
import { type ConfigValues, parseConfig } from './kconfig.js';

export interface ConfigNeed {
  symbol: string;
  want: 'on' | 'module' | 'off';
  /** As written, for messages. */
  text: string;
}

const NEED = /^CONFIG_([A-Za-z0-9_]+)(?:=([ymn]))?$/;

export function parseNeed(text: string): ConfigNeed {
  const m = NEED.exec(text.trim());
  if (!m) throw new Error(`'${text}' is not a kernel option need (CONFIG_NAME, or CONFIG_NAME=y, =m or =n)`);
  const want = m[2] === 'm' ? 'module' : m[2] === 'n' ? 'off' : 'on';
  return { symbol: m[1]!, want, text: text.trim() };
}

export function needMet(config: ConfigValues, need: ConfigNeed): boolean {
  const v = config.get(need.symbol) ?? 'n';
  switch (need.want) {
    case 'on':
      return v !== 'n' && v !== '';
    case 'module':
      return v === 'm';
    case 'off':
      return v === 'n';
  }
}

/** The reason a case skips, in the words the suites use themselves. */
export function needsReason(unmet: ConfigNeed[]): string {
  return `needs ${unmet.map((n) => (n.want === 'on' ? `CONFIG_${n.symbol}` : n.want === 'module' ? `CONFIG_${n.symbol}=m` : `CONFIG_${n.symbol} off`)).join(', ')}`;
}

/** A kernel's configuration from a config file or /proc/config.gz, compressed or not. */
export function readKernelConfig(bytes: Uint8Array): ConfigValues {
  const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return parseConfig(Buffer.from(gz ? gunzipSync(bytes) : bytes).toString('utf8'));
}

/** One case of build/<suite>.describe (one JSON object per line); only what this module reads. */
export interface DescribedCase {
  name: string;
  config: string[];
}

export function parseDescribe(text: string): DescribedCase[] {
  const cases: DescribedCase[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let o: { name?: unknown; config?: unknown };
    try {
      o = JSON.parse(line) as typeof o;
    } catch (e) {
      throw new Error(`line ${i + 1} is not JSON: ${(e as Error).message}`);
    }
    if (typeof o.name !== 'string') throw new Error(`line ${i + 1} has no case name`);
    const config = Array.isArray(o.config) ? o.config.filter((c): c is string => typeof c === 'string') : [];
    cases.push({ name: o.name, config });
  });
  return cases;
}

export interface SuiteNeeds {
  suite: string;
  /** suite.json kernelConfig: every case needs these. */
  kernelConfig: string[];
  /** The cases the plan runs, each with its own needs. */
  cases: DescribedCase[];
}

/**
 * The needs of a suite as the catalog knows it (suites/catalog.ts: its cases,
 * each case's `config` from build/<suite>.describe) plus its manifest's
 * kernelConfig; only the planned cases when `planned` names them.
 */
export function suiteNeeds(
  suite: { name: string; cases: string[]; caseInfo?: Record<string, { config?: string[] }> },
  kernelConfig: string[] = [],
  planned?: string[],
): SuiteNeeds {
  const names = planned ?? suite.cases;
  return { suite: suite.name, kernelConfig, cases: names.map((name) => ({ name, config: suite.caseInfo?.[name]?.config ?? [] })) };
}

export interface ConfigSkip {
  suite: string;
  case: string;
  reason: string;
  unmet: string[];
}

/** Every planned case the kernel cannot run, with why; an empty list when the config is unknown. */
export function configSkips(config: ConfigValues | null, suites: SuiteNeeds[]): ConfigSkip[] {
  if (!config) return [];
  const skips: ConfigSkip[] = [];
  for (const s of suites) {
    const suiteNeeds = s.kernelConfig.map(parseNeed);
    for (const c of s.cases) {
      const unmet = [...suiteNeeds, ...c.config.map(parseNeed)].filter((n) => !needMet(config, n));
      const unique = unmet.filter((n, i) => unmet.findIndex((o) => o.symbol === n.symbol) === i);
      if (unique.length) skips.push({ suite: s.suite, case: c.name, reason: needsReason(unique), unmet: unique.map((n) => n.text) });
    }
  }
  return skips;
}

/**
 * The skips a plan cannot accept: cases it named one by one (`--suite
 * sync-file:sw-sync-timeline`) are demanded, not merely allowed. One line
 * each, for a usage error raised before boot.
 */
export function demandedButUnmet(skips: ConfigSkip[], demanded: { suite: string; case: string }[], kernel: string): string[] {
  return skips
    .filter((s) => demanded.some((d) => d.suite === s.suite && d.case === s.case))
    .map((s) => `${s.suite}/${s.case} ${s.reason}, which ${kernel} lacks`);
}
