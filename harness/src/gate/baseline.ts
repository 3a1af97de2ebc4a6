/**
 * Baselines: what a merge gate expects of one machine, driver or hardware
 * generation (schemas/baseline.schema.json). Expected failures, flakes and
 * skips, each naming cases exactly (suite/case) or by a regular expression
 * searched in the name (unanchored, as deqp-runner does), optionally only on
 * one driver's devices, and each with its reason. Pure: documents in,
 * lookups out; reading the files is the command line's business.
 *
 * One mechanism, two sources: a driver profile's knownIssues are expected
 * failures on that driver (baselineFromProfiles), joined with the baseline
 * files a run is given (combineBaselines); the gate judges both the same way.
 */
import { usageError } from '../errors.js';

export type ExpectedStatus = 'fail' | 'warn' | 'dmesg-warn' | 'dmesg-fail' | 'timeout' | 'crash' | 'incomplete';
export const EXPECTED_STATUSES: readonly ExpectedStatus[] = ['fail', 'warn', 'dmesg-warn', 'dmesg-fail', 'timeout', 'crash', 'incomplete'];

export type UnexpectedPassRule = 'report' | 'block';
export type ObservationRule = 'report' | 'acknowledged' | 'empty';

interface Named {
  case?: string;
  pattern?: string;
}

/** A baseline file as written: schemas/baseline.schema.json. */
export interface BaselineDocument {
  $schema?: string;
  name: string;
  description?: string;
  rules?: { unexpectedPass?: UnexpectedPassRule; observationChanges?: ObservationRule };
  expectedFailures?: (Named & { status?: ExpectedStatus; driver?: string; reason: string; reference?: string })[];
  flakes?: (Named & { driver?: string; reason: string; reference?: string })[];
  skips?: (Named & { reason: string; reference?: string })[];
  acknowledgedChanges?: AcknowledgedChange[];
}

export const BASELINE_SCHEMA = 'baseline.schema.json';
export const BASELINE_SCHEMA_ID = 'https://hilt.dev/schemas/v1/baseline.schema.json';

export type ExpectationKind = 'expected-failure' | 'flake' | 'skip';

/** One entry of a baseline, whichever source it came from. */
export interface Expectation {
  kind: ExpectationKind;
  /** suite/case exactly, or a bare suite name (a program run whole); null when pattern is set. */
  case: string | null;
  pattern: string | null;
  /** For expected failures: how the case is known to fail. */
  status: ExpectedStatus | null;
  /** Only on devices of this driver. */
  driver: string | null;
  reason: string;
  reference: string | null;
  /** Where it is written: a baseline file, or "profile vgem". */
  source: string;
}

export interface AcknowledgedChange {
  /** Regular expression searched in suite/case[/subtest]. */
  case?: string;
  type?: string;
  /** JSON Pointer: this value and everything below it. */
  path?: string;
  reason: string;
  reference?: string;
}

export interface Baseline {
  name: string;
  /** Files and profiles its entries came from, in order. */
  sources: string[];
  unexpectedPass: UnexpectedPassRule;
  observationChanges: ObservationRule;
  expectations: Expectation[];
  acknowledged: (AcknowledgedChange & { source: string })[];
}

export function emptyBaseline(): Baseline {
  return { name: '', sources: [], unexpectedPass: 'report', observationChanges: 'report', expectations: [], acknowledged: [] };
}

/** How an entry names its cases, for messages: "drm-core/version" or "/^igt@.*$/". */
export function describeNames(e: Pick<Expectation, 'case' | 'pattern'>): string {
  return e.case ?? `/${e.pattern}/`;
}

function checkPattern(pattern: string, where: string): void {
  try {
    new RegExp(pattern);
  } catch (e) {
    throw usageError(`${where}: /${pattern}/ is not a valid regular expression: ${(e as Error).message}`, 'Fix the expression; JavaScript regular expression syntax, as deqp-runner lists mostly use.');
  }
}

/** A checked baseline document (validated against the schema first) as a Baseline; source names the file in messages. */
export function baselineFromDocument(doc: BaselineDocument, source: string): Baseline {
  const expectations: Expectation[] = [];
  const add = (kind: ExpectationKind, list: (Named & { status?: ExpectedStatus; driver?: string; reason: string; reference?: string })[] | undefined, key: string) => {
    (list ?? []).forEach((e, i) => {
      if (e.pattern !== undefined) checkPattern(e.pattern, `${source}: ${key}[${i}]`);
      expectations.push({
        kind,
        case: e.case ?? null,
        pattern: e.pattern ?? null,
        status: kind === 'expected-failure' ? (e.status ?? 'fail') : null,
        driver: e.driver ?? null,
        reason: e.reason,
        reference: e.reference ?? null,
        source,
      });
    });
  };
  add('expected-failure', doc.expectedFailures, 'expectedFailures');
  add('flake', doc.flakes, 'flakes');
  add('skip', doc.skips, 'skips');
  (doc.acknowledgedChanges ?? []).forEach((a, i) => {
    if (a.case !== undefined) checkPattern(a.case, `${source}: acknowledgedChanges[${i}].case`);
  });
  return {
    name: doc.name,
    sources: [source],
    unexpectedPass: doc.rules?.unexpectedPass ?? 'report',
    observationChanges: doc.rules?.observationChanges ?? 'report',
    expectations,
    acknowledged: (doc.acknowledgedChanges ?? []).map((a) => ({ ...a, source })),
  };
}

/** What baselineFromProfiles needs of a driver profile (schemas/profiles.ts's LoadedProfile has it). */
export interface ProfileIssues {
  name: string;
  doc: { match: { driver: string }; knownIssues?: { case: string; reason: string; reference?: string }[] };
}

/** The profiles' knownIssues as expected failures on their driver: the second source of the one mechanism. */
export function baselineFromProfiles(profiles: ProfileIssues[]): Baseline {
  const b = emptyBaseline();
  for (const p of profiles) {
    const issues = p.doc.knownIssues ?? [];
    if (!issues.length) continue;
    const source = `profile ${p.name}`;
    b.sources.push(source);
    for (const k of issues) {
      b.expectations.push({ kind: 'expected-failure', case: k.case, pattern: null, status: 'fail', driver: p.doc.match.driver, reason: k.reason, reference: k.reference ?? null, source });
    }
  }
  return b;
}

const STRICTER_OBS: ObservationRule[] = ['report', 'acknowledged', 'empty'];

/** Several baselines as one: every entry of each, the strictest rules of any. */
export function combineBaselines(list: Baseline[]): Baseline {
  const out = emptyBaseline();
  out.name = list.map((b) => b.name).filter(Boolean).join(' + ');
  for (const b of list) {
    out.sources.push(...b.sources);
    out.expectations.push(...b.expectations);
    out.acknowledged.push(...b.acknowledged);
    if (b.unexpectedPass === 'block') out.unexpectedPass = 'block';
    if (STRICTER_OBS.indexOf(b.observationChanges) > STRICTER_OBS.indexOf(out.observationChanges)) out.observationChanges = b.observationChanges;
  }
  return out;
}

/** A baseline as a document to write (what came from profiles stays in the profiles). */
export function baselineToDocument(b: Baseline, o: { description?: string } = {}): BaselineDocument {
  const own = b.expectations.filter((e) => !e.source.startsWith('profile '));
  const names = (e: Expectation): Named => (e.case !== null ? { case: e.case } : { pattern: e.pattern! });
  const tail = (e: Expectation) => ({ reason: e.reason, ...(e.reference ? { reference: e.reference } : {}) });
  const doc: BaselineDocument = { $schema: BASELINE_SCHEMA_ID, name: b.name || 'baseline' };
  if (o.description) doc.description = o.description;
  const rules: NonNullable<BaselineDocument['rules']> = {};
  if (b.unexpectedPass !== 'report') rules.unexpectedPass = b.unexpectedPass;
  if (b.observationChanges !== 'report') rules.observationChanges = b.observationChanges;
  if (Object.keys(rules).length) doc.rules = rules;
  const fails = own.filter((e) => e.kind === 'expected-failure');
  const flakes = own.filter((e) => e.kind === 'flake');
  const skips = own.filter((e) => e.kind === 'skip');
  if (fails.length) doc.expectedFailures = fails.map((e) => ({ ...names(e), ...(e.status && e.status !== 'fail' ? { status: e.status } : {}), ...(e.driver ? { driver: e.driver } : {}), ...tail(e) }));
  if (flakes.length) doc.flakes = flakes.map((e) => ({ ...names(e), ...(e.driver ? { driver: e.driver } : {}), ...tail(e) }));
  if (skips.length) doc.skips = skips.map((e) => ({ ...names(e), ...tail(e) }));
  const acks = b.acknowledged.filter((a) => !a.source.startsWith('profile '));
  if (acks.length) doc.acknowledgedChanges = acks.map(({ source: _source, ...a }) => a);
  return doc;
}

/**
 * Finds the entry that names a case: exact names through a map per kind (a
 * run may have 100,000 cases), patterns in the order written, and for the
 * common question "does anything name this case at all" one regular
 * expression joining every pattern. An entry with a driver applies only to a
 * device of that driver.
 */
export class ExpectationIndex {
  private readonly exact = new Map<ExpectationKind, Map<string, Expectation[]>>();
  private readonly patterns = new Map<ExpectationKind, { re: RegExp; e: Expectation }[]>();
  private readonly anyPattern: RegExp | null;

  constructor(entries: Expectation[]) {
    const sources: string[] = [];
    for (const e of entries) {
      if (e.case !== null) {
        let byName = this.exact.get(e.kind);
        if (!byName) this.exact.set(e.kind, (byName = new Map()));
        const list = byName.get(e.case);
        if (list) list.push(e);
        else byName.set(e.case, [e]);
      } else {
        let list = this.patterns.get(e.kind);
        if (!list) this.patterns.set(e.kind, (list = []));
        list.push({ re: new RegExp(e.pattern!), e });
        sources.push(`(?:${e.pattern})`);
      }
    }
    this.anyPattern = sources.length ? new RegExp(sources.join('|')) : null;
  }

  /** The first entry of kind naming `name` (suite/case) that applies to driver (null: a case whose driver is unknown). */
  find(kind: ExpectationKind, name: string, driver: string | null): Expectation | null {
    const exact = this.exact.get(kind)?.get(name);
    if (exact) for (const e of exact) if (e.driver === null || e.driver === driver) return e;
    const patterns = this.patterns.get(kind);
    if (patterns) for (const p of patterns) if ((p.e.driver === null || p.e.driver === driver) && p.re.test(name)) return p.e;
    return null;
  }

  /** Every entry of kind naming `name` on driver, exact names first. */
  findAll(kind: ExpectationKind, name: string, driver: string | null): Expectation[] {
    const applies = (e: Expectation) => e.driver === null || e.driver === driver;
    const out = (this.exact.get(kind)?.get(name) ?? []).filter(applies);
    for (const p of this.patterns.get(kind) ?? []) if (applies(p.e) && p.re.test(name)) out.push(p.e);
    return out;
  }

  /** Whether any entry of any kind names `name`, on any driver. */
  namesAny(name: string): boolean {
    for (const byName of this.exact.values()) if (byName.has(name)) return true;
    return this.anyPattern !== null && this.anyPattern.test(name);
  }
}
