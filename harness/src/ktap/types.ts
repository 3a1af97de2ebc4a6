/** The plain data the KTAP parser produces. */

export type KtapStatus = 'pass' | 'fail' | 'skip' | 'todo' | 'xfail' | 'missing' | 'incomplete' | 'crash';

export const KTAP_STATUSES: readonly KtapStatus[] = ['pass', 'fail', 'skip', 'todo', 'xfail', 'missing', 'incomplete', 'crash'];

export type KtapDirective = 'SKIP' | 'TODO' | 'XFAIL';

export interface KtapNode {
  /** From the result line; '' for the root and for a missing case. A block without a named result line keeps its `# Subtest:` name. */
  name: string;
  /** As printed on the result line; the planned number for a missing case, the next expected one for an incomplete one. */
  number: number | null;
  status: KtapStatus;
  directive: KtapDirective | null;
  /** Text after the directive, '' if none. */
  reason: string;
  /**
   * `# ` lines (without the `# `), unrecognised lines (kernel log noise), a result
   * line's comment that is not a directive (`# TIMEOUT 45 seconds`, `# time=2ms`)
   * and TAP YAML blocks, in input order. Capped per node; the last line then says
   * how many were dropped.
   */
  diagnostics: string[];
  /** Subtests in arrival order, then any synthesized missing ones. Empty when the parser does not retain. */
  children: KtapNode[];
  /** N from `1..N`, wherever it came; summed when one block holds several KTAP documents. */
  plan: number | null;
  /** `KTAP version 1`, `TAP version 13`, `TAP version 14` as printed. */
  version: string | null;
  /** The reason after `Bail out!` in this block ('' when none given). */
  bailOut: string | null;
  /** Human readable reasons this block's output does not follow KTAP. */
  problems: string[];
  /** 1-based input lines this test spans, its leading diagnostics included. */
  firstLine: number;
  lastLine: number;
}

export type KtapCounts = Record<KtapStatus, number> & { total: number };

export interface KtapParserOptions {
  /** Keep completed subtrees in their parents (default true). Without it memory stays flat on huge logs. */
  retain?: boolean;
  /**
   * Called once per completed test, children before parents. `path` holds the
   * names from the top-level test down to this one, inclusive.
   */
  onTest?: (node: KtapNode, path: string[]) => void;
  /** Diagnostics kept per node (default 200). */
  maxDiagnostics?: number;
  /**
   * Recognises a kernel crash in a non-KTAP line (a panic or oops printed
   * into the log). The test open when it came, or else the next planned one,
   * ends as 'crash' with the line, unless it reports a result after all.
   */
  isCrash?: (line: string) => boolean;
  /**
   * How many `missing` cases may still be made up for planned tests that never
   * reported: shared by every parser of a run, so that plan lines cannot
   * multiply memory. Default: 100,000 for this parser alone.
   */
  missingBudget?: { left: number };
}

export function emptyCounts(): KtapCounts {
  return { pass: 0, fail: 0, skip: 0, todo: 0, xfail: 0, missing: 0, incomplete: 0, crash: 0, total: 0 };
}
