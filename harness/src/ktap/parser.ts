/**
 * A streaming KTAP / TAP 13 / TAP 14 parser. Pure: lines in, a tree of plain
 * KtapNode objects out, no I/O.
 *
 * Nesting is read from each line's prefix. Every open block (a test whose
 * result line has not arrived yet) has a prefix: '' for the root, the leading
 * blanks of an indented block (KUnit, TAP 14 subtests), or the parent's prefix
 * plus `# ` for kselftest, whose runner prefixes a whole test program's output
 * with `# ` and then prints that program's result at its own level. A line
 * belongs to the innermost block whose prefix it starts with; a result line
 * there closes any block opened below it.
 *
 * Lines that are not KTAP (printk noise, a program's stray output) go to the
 * innermost open block whatever their prefix: interleaved kernel messages
 * belong to the test that was running when they were printed.
 *
 * The root has no result line, so its status sums up its children: fail if
 * any failed, else incomplete, else missing, else skip if all skipped, else
 * pass; with no children at all, skip for a `1..0` plan and incomplete
 * otherwise. It is not reported through onTest.
 */
import {
  ABSURD_PLAN,
  MAX_PLAN,
  bailOutAt,
  isBlank,
  parseResult,
  planAt,
  planComment,
  resultKeywordAt,
  skipBlanks,
  subtestAt,
  versionAt,
} from './lines.js';
import { stampLength } from '../console/printk.js';
import { emptyCounts, type KtapCounts, type KtapNode, type KtapParserOptions, type KtapStatus } from './types.js';

const DEFAULT_MAX_DIAGNOSTICS = 200;
const MAX_PROBLEMS = 100;
/** Each line is matched against the open blocks' prefixes: bound the work a pathological log can ask for. */
const MAX_DEPTH = 64;
/** A console that garbles `1..12` into `1..12345678` must not make the parser build millions of nodes. */
const MAX_MISSING = 100_000;
/** Bounds the work of deciding which numbers are missing, whatever the budget says. */

const ENDED = 'output ended before test completed';
const NO_RESULT = 'no result line before its parent reported';

const STATUS_BIT: Record<KtapStatus, number> = {
  pass: 1,
  fail: 2,
  skip: 4,
  todo: 8,
  xfail: 16,
  missing: 32,
  incomplete: 64,
  crash: 128,
};

/** A test whose result line has not arrived yet, or the root. */
interface Frame {
  node: KtapNode;
  /** Index in the stack; the frames below it are its ancestors. */
  depth: number;
  prefix: string;
  /** No plan, result or subtest yet: diagnostics here describe the block itself... */
  header: boolean;
  /**
   * ...unless no plan comes before the first test (TAP 14, KUnit parameter
   * lists): then those after the version line were that test's. Where they
   * start in node.diagnostics (-1: the root before its version line), and the
   * line of the first.
   */
  headerStart: number;
  headerFirstLine: number;
  /** Completed children, synthesized ones included (node.children stays empty when not retaining). */
  childCount: number;
  childStatuses: number;
  /** Diagnostics dropped from node.diagnostics by the cap. */
  nodeDropped: number;
  /** Diagnostics waiting for the next result line at this level. */
  pending: string[];
  pendingDropped: number;
  pendingFirstLine: number;
  /** A TAP 14 `# Subtest: name` printed at this level, naming the indented block that follows, and its line. */
  announced: string | null;
  announcedLine: number;
  // Numbering of the current KTAP document in this block; a block can hold
  // several (each KUnit module loaded after boot prints its own header).
  plan: number | null;
  results: number;
  lastNumber: number;
  /** Every number 1..contiguous has been seen; `later` holds seen numbers above it. */
  contiguous: number;
  later: Set<number> | null;
  /** A kernel crash line that came while this block was the innermost open one, and no result since. */
  crash: string | null;
}

/** A completed test kept for one more line, in case a TAP YAML block follows its result line. */
interface Held {
  frame: Frame;
  node: KtapNode;
  leaf: boolean;
  dropped: number;
  /** The prefix of the YAML block's lines once `---` was seen. */
  yaml: string | null;
}

function newNode(name: string, firstLine: number): KtapNode {
  return {
    name,
    number: null,
    status: 'incomplete',
    directive: null,
    reason: '',
    diagnostics: [],
    children: [],
    plan: null,
    version: null,
    bailOut: null,
    problems: [],
    firstLine,
    lastLine: firstLine,
  };
}

function newFrame(node: KtapNode, depth: number, prefix: string): Frame {
  return {
    node,
    depth,
    prefix,
    header: true,
    headerStart: -1,
    headerFirstLine: 0,
    childCount: 0,
    childStatuses: 0,
    nodeDropped: 0,
    pending: [],
    pendingDropped: 0,
    pendingFirstLine: 0,
    announced: null,
    announcedLine: 0,
    plan: null,
    results: 0,
    lastNumber: 0,
    contiguous: 0,
    later: null,
    crash: null,
  };
}

function problem(node: KtapNode, text: string): void {
  if (node.problems.length < MAX_PROBLEMS) node.problems.push(text);
  else if (node.problems.length === MAX_PROBLEMS) node.problems.push('further problems not shown');
}

function droppedLine(n: number): string {
  return `[${n} more diagnostic lines dropped]`;
}

/** After any blanks, `# text` gives `text`; other lines (`#PF: ...` too) keep what follows the block's prefix. */
function diagText(line: string, o: number): string {
  const p = skipBlanks(line, o);
  if (line.charCodeAt(p) === 0x23) {
    if (p + 1 === line.length) return '';
    if (isBlank(line.charCodeAt(p + 1))) return line.slice(p + 2);
  }
  return o === 0 ? line : line.slice(o);
}

/** Whether a line more indented than its block opens a nested block. */
function opensBlock(line: string, p: number): boolean {
  return (
    resultKeywordAt(line, p) !== 0 ||
    planAt(line, p) >= 0 ||
    versionAt(line, p) !== null ||
    subtestAt(line, p) !== null ||
    bailOutAt(line, p) !== null ||
    (line.charCodeAt(p) === 0x23 && line.charCodeAt(p + 1) === 0x20 && versionAt(line, p + 2) !== null)
  );
}

function rootStatus(statuses: number, plan: number | null): KtapStatus {
  if (statuses & STATUS_BIT.crash) return 'crash';
  if (statuses & STATUS_BIT.fail) return 'fail';
  if (statuses & STATUS_BIT.incomplete) return 'incomplete';
  if (statuses & STATUS_BIT.missing) return 'missing';
  if (statuses === 0) return plan === 0 ? 'skip' : 'incomplete';
  if (statuses === STATUS_BIT.skip) return 'skip';
  return 'pass';
}

export class KtapParser {
  private readonly retain: boolean;
  private readonly onTest: ((node: KtapNode, path: string[]) => void) | undefined;
  private readonly maxDiagnostics: number;
  private readonly stack: Frame[];
  private readonly _counts: KtapCounts = emptyCounts();
  private lineNo = 0;
  /** Every line carries a printk timestamp (kunit.py-style console capture): strip it. */
  private stamped = false;
  private held: Held | null = null;
  private root: KtapNode | null = null;
  private readonly isCrash: ((line: string) => boolean) | undefined;
  private readonly missingBudget: { left: number };

  constructor(opts: KtapParserOptions = {}) {
    this.retain = opts.retain ?? true;
    this.onTest = opts.onTest;
    this.maxDiagnostics = opts.maxDiagnostics ?? DEFAULT_MAX_DIAGNOSTICS;
    this.isCrash = opts.isCrash;
    this.missingBudget = opts.missingBudget ?? { left: MAX_MISSING };
    this.stack = [newFrame(newNode('', 1), 0, '')];
  }

  /** Leaf cases completed so far, by status. */
  get counts(): Readonly<KtapCounts> {
    return this._counts;
  }

  push(raw: string): void {
    if (this.root !== null) throw new Error('KtapParser.push() after end()');
    const lineNo = ++this.lineNo;
    let line = raw;
    if (line.charCodeAt(0) === 0x5b) line = this.unstamp(line);
    if (this.held !== null && this.continueHeld(line, lineNo)) return;
    const stack = this.stack;
    let i = stack.length - 1;
    while (i > 0 && !line.startsWith(stack[i].prefix)) i--;
    this.dispatch(i, line, stack[i].prefix.length, lineNo);
  }

  /**
   * Completes a result line still held back for a TAP YAML block that might
   * follow it, so onTest fires now: for a producer that knows the test is
   * over (the hilt agent's 'end' record).
   */
  flush(): void {
    if (this.root === null && this.held !== null) this.release();
  }

  /** Closes whatever is still open and returns the root. */
  end(): KtapNode {
    if (this.root !== null) return this.root;
    if (this.held !== null) this.release();
    while (this.stack.length > 1) this.closeIncomplete(ENDED, this.lineNo);
    const f = this.stack[0];
    const root = f.node;
    this.flushPending(f);
    this.endDocument(f);
    if (f.nodeDropped > 0) root.diagnostics.push(droppedLine(f.nodeDropped));
    root.status = rootStatus(f.childStatuses, root.plan);
    if (f.crash !== null) {
      problem(root, `the kernel crashed after the last reported test, and no plan says which test came next: ${f.crash}`);
      root.status = 'crash';
    }
    root.firstLine = this.lineNo > 0 ? 1 : 0;
    root.lastLine = this.lineNo;
    this.root = root;
    return root;
  }

  /**
   * The timestamp is stripped from every line once the first version line was
   * seen carrying one; before that, stamped lines are boot noise and kept whole.
   */
  private unstamp(line: string): string {
    if (this.stamped) {
      const n = stampLength(line);
      return n > 0 ? line.slice(n) : line;
    }
    if (this.stack.length === 1 && this.stack[0].node.version === null) {
      const n = stampLength(line);
      if (n > 0 && versionAt(line, n) !== null) {
        this.stamped = true;
        return line.slice(n);
      }
    }
    return line;
  }

  private dispatch(i: number, line: string, o: number, lineNo: number): void {
    if (o >= line.length) return;
    // The first character picks the one recognizer worth trying.
    switch (line.charCodeAt(o)) {
      case 0x6f /* o */:
      case 0x6e /* n */: {
        const keyword = resultKeywordAt(line, o);
        if (keyword !== 0) return this.result(i, line, keyword, lineNo);
        break;
      }
      case 0x31 /* 1 */: {
        const n = planAt(line, o);
        if (n >= 0) return this.plan(i, n, planComment(line, o), lineNo);
        if (n === ABSURD_PLAN) {
          problem(this.stack[i].node, `line ${lineNo}: plan ${line.slice(o, o + 24).trim()} refused: more than ${MAX_PLAN} tests is not a plan`);
          return;
        }
        break;
      }
      case 0x4b /* K */:
      case 0x54 /* T */: {
        const version = versionAt(line, o);
        if (version !== null) return this.version(i, version, lineNo);
        break;
      }
      case 0x42 /* B */: {
        const reason = bailOutAt(line, o);
        if (reason !== null) return this.bailOut(i, reason);
        break;
      }
      case 0x23 /* # */:
        return this.hashLine(i, line, o, lineNo);
      case 0x20 /* space */:
      case 0x09 /* tab */:
        return this.deeper(i, line, o, lineNo);
    }
    this.note(o === 0 ? line : line.slice(o), lineNo);
  }

  private hashLine(i: number, line: string, o: number, lineNo: number): void {
    const name = subtestAt(line, o);
    if (name !== null) return this.subtest(i, name, lineNo);
    if (line.charCodeAt(o + 1) === 0x20) {
      const version = versionAt(line, o + 2);
      if (version !== null && this.canNest(i, lineNo)) {
        // kselftest: a test program's own TAP, each line prefixed with `# `.
        this.closeAbove(i, lineNo);
        this.open(i, line.slice(0, o + 2), lineNo);
        return this.version(i + 1, version, lineNo);
      }
    }
    this.note(diagText(line, o), lineNo);
  }

  private deeper(i: number, line: string, o: number, lineNo: number): void {
    const p = skipBlanks(line, o);
    if (p >= line.length) return;
    if (!opensBlock(line, p)) return this.note(diagText(line, o), lineNo);
    if (i !== this.stack.length - 1) {
      // Deeper than block i but not matching the block already open inside it.
      problem(this.top().node, `unexpected indentation at line ${lineNo}`);
      return this.note(line.slice(o), lineNo);
    }
    if (!this.canNest(i, lineNo)) return this.note(line.slice(o), lineNo);
    this.open(i, line.slice(0, p), lineNo);
    this.dispatch(i + 1, line, p, lineNo);
  }

  private canNest(i: number, lineNo: number): boolean {
    if (i < MAX_DEPTH) return true;
    problem(this.stack[i].node, `nesting deeper than ${MAX_DEPTH} levels at line ${lineNo}`);
    return false;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  /** A diagnostic or unrecognised line: it belongs to the innermost open block. */
  private note(text: string, lineNo: number): void {
    const f = this.top();
    const max = this.maxDiagnostics;
    if (f.crash === null && this.isCrash !== undefined && this.isCrash(text)) f.crash = text;
    if (f.header) {
      if (f.headerFirstLine === 0 && f.headerStart >= 0) f.headerFirstLine = lineNo;
      if (f.node.diagnostics.length < max) f.node.diagnostics.push(text);
      else f.nodeDropped++;
      return;
    }
    if (f.pendingFirstLine === 0) f.pendingFirstLine = lineNo;
    if (f.pending.length < max) f.pending.push(text);
    else f.pendingDropped++;
  }

  /** Lines after a block's last result belong to the block. */
  private flushPending(f: Frame): void {
    const diagnostics = f.node.diagnostics;
    const room = this.maxDiagnostics - diagnostics.length;
    const pending = f.pending;
    if (pending.length <= room) {
      for (let k = 0; k < pending.length; k++) diagnostics.push(pending[k]);
    } else {
      for (let k = 0; k < room; k++) diagnostics.push(pending[k]);
      f.nodeDropped += pending.length - Math.max(room, 0);
    }
    f.nodeDropped += f.pendingDropped;
    if (pending.length > 0) f.pending = [];
    f.pendingDropped = 0;
    f.pendingFirstLine = 0;
  }

  /** Opens a block nested in block i, which must be the innermost one. */
  private open(i: number, prefix: string, lineNo: number): void {
    const parent = this.stack[i];
    this.unplannedHeader(parent);
    let firstLine = parent.pendingFirstLine || lineNo;
    if (parent.announced !== null && parent.announcedLine < firstLine) firstLine = parent.announcedLine;
    const node = newNode(parent.announced ?? '', firstLine);
    node.diagnostics = parent.pending;
    const f = newFrame(node, i + 1, prefix);
    f.headerStart = node.diagnostics.length;
    f.nodeDropped = parent.pendingDropped;
    parent.pending = [];
    parent.pendingDropped = 0;
    parent.pendingFirstLine = 0;
    parent.announced = null;
    parent.header = false;
    this.stack.push(f);
  }

  /** The first test arrives in a block still in its header: see Frame.headerStart. */
  private unplannedHeader(f: Frame): void {
    if (!f.header || f.plan !== null || f.headerStart < 0) return;
    const diagnostics = f.node.diagnostics;
    if (diagnostics.length > f.headerStart) {
      const moved = diagnostics.splice(f.headerStart);
      for (let k = 0; k < f.pending.length; k++) moved.push(f.pending[k]);
      f.pending = moved;
      f.pendingFirstLine = f.headerFirstLine;
    }
    f.headerStart = -1;
  }

  /** A KTAP line at block i's level ends the blocks open inside it. */
  private closeAbove(i: number, lineNo: number): void {
    while (this.stack.length - 1 > i) this.closeIncomplete(NO_RESULT, lineNo - 1);
  }

  private subtest(i: number, name: string, lineNo: number): void {
    this.closeAbove(i, lineNo);
    const f = this.stack[i];
    // KUnit names a block from inside it; TAP 14 announces the block from the level above.
    if (i > 0 && f.header && f.node.name === '') f.node.name = name;
    else {
      f.announced = name;
      f.announcedLine = lineNo;
    }
  }

  private version(i: number, version: string, lineNo: number): void {
    this.closeAbove(i, lineNo);
    const f = this.stack[i];
    if (f.header) {
      // Nothing but diagnostics yet: a first version line, or one printed twice.
      if (f.node.version === null) {
        f.node.version = version;
        f.headerStart = f.node.diagnostics.length;
        f.headerFirstLine = 0;
      }
      return;
    }
    // Another KTAP document after this one's tests: check this one, then start afresh.
    this.flushPending(f);
    this.endDocument(f);
    f.header = true;
    f.headerStart = f.node.diagnostics.length;
    f.headerFirstLine = 0;
  }

  private plan(i: number, n: number, comment: string, lineNo: number): void {
    this.closeAbove(i, lineNo);
    const f = this.stack[i];
    if (f.plan !== null) {
      problem(f.node, `plan 1..${n} repeated (already 1..${f.plan})`);
      return;
    }
    f.plan = n;
    f.node.plan = (f.node.plan ?? 0) + n;
    if (f.results > 0) this.flushPending(f);
    if (comment !== '') {
      if (f.node.diagnostics.length < this.maxDiagnostics) f.node.diagnostics.push(comment);
      else f.nodeDropped++;
    }
    f.header = false;
  }

  private bailOut(i: number, reason: string): void {
    const node = this.stack[i].node;
    if (node.bailOut === null) node.bailOut = reason;
  }

  private result(i: number, line: string, keyword: number, lineNo: number): void {
    const r = parseResult(line, keyword);
    const stack = this.stack;
    while (stack.length - 1 > i + 1) this.closeIncomplete(NO_RESULT, lineNo - 1);
    const f = stack[i];
    let node: KtapNode;
    let leaf: boolean;
    let dropped: number;
    if (stack.length - 1 === i + 1) {
      const g = stack[i + 1];
      node = g.node;
      if (r.name !== '') node.name = r.name;
      this.flushPending(g);
      this.endDocument(g);
      stack.pop();
      leaf = g.childCount === 0;
      dropped = g.nodeDropped;
    } else {
      this.unplannedHeader(f);
      node = newNode(r.name, f.pendingFirstLine || lineNo);
      node.diagnostics = f.pending;
      dropped = f.pendingDropped;
      leaf = true;
      f.pending = [];
      f.pendingDropped = 0;
      f.pendingFirstLine = 0;
    }
    if (f.crash !== null) {
      problem(f.node, `a kernel crash was logged between tests, and the tests went on: ${f.crash}`);
      f.crash = null;
    }
    node.number = r.number;
    node.status = r.status;
    node.directive = r.directive;
    node.reason = r.reason;
    node.lastLine = lineNo;
    if (r.comment !== '') {
      if (node.diagnostics.length < this.maxDiagnostics) node.diagnostics.push(r.comment);
      else dropped++;
    }
    f.header = false;
    f.announced = null;
    this.number(f, r.number);
    this.held = { frame: f, node, leaf, dropped, yaml: null };
  }

  /** Records a result's number in block f; null for an unnumbered one, which takes the next. */
  private number(f: Frame, printed: number | null): void {
    const expected = f.lastNumber + 1;
    if (printed !== null && printed !== expected) {
      problem(
        f.node,
        f.results === 0
          ? `test numbers out of order: first test is ${printed}`
          : `test numbers out of order: ${printed} after ${f.lastNumber}`,
      );
    }
    const n = printed ?? expected;
    f.results++;
    f.lastNumber = n;
    if (n === f.contiguous + 1) {
      f.contiguous = n;
      const later = f.later;
      if (later !== null && later.size > 0) {
        while (later.delete(f.contiguous + 1)) f.contiguous++;
      }
    } else if (n > f.contiguous + 1) {
      (f.later ??= new Set()).add(n);
    }
  }

  /** Returns true when the line was part of a YAML block after the held result. */
  private continueHeld(line: string, lineNo: number): boolean {
    const h = this.held!;
    if (h.yaml === null) {
      const prefix = h.frame.prefix;
      if (line.startsWith(prefix)) {
        const p = skipBlanks(line, prefix.length);
        if (p > prefix.length && line.startsWith('---', p) && line.slice(p + 3).trim() === '') {
          h.yaml = line.slice(0, p);
          h.node.lastLine = lineNo;
          return true;
        }
      }
    } else if (line.startsWith(h.yaml) || line.trim() === '') {
      const body = line.slice(h.yaml.length);
      h.node.lastLine = lineNo;
      if (body.trimEnd() === '...') this.release();
      else if (h.node.diagnostics.length < this.maxDiagnostics) h.node.diagnostics.push(body);
      else h.dropped++;
      return true;
    }
    this.release();
    return false;
  }

  private release(): void {
    const h = this.held!;
    this.held = null;
    this.complete(h.frame, h.node, h.leaf, h.dropped);
  }

  /** A child of block f is done: count it, report it, keep it only when retaining. */
  private complete(f: Frame, node: KtapNode, leaf: boolean, dropped: number): void {
    if (dropped > 0) node.diagnostics.push(droppedLine(dropped));
    const status = node.status;
    if (leaf) {
      this._counts[status]++;
      this._counts.total++;
    }
    f.childCount++;
    f.childStatuses |= STATUS_BIT[status];
    if (this.onTest !== undefined) this.onTest(node, this.pathTo(f, node));
    if (this.retain) f.node.children.push(node);
  }

  private pathTo(f: Frame, node: KtapNode): string[] {
    const path: string[] = [];
    for (let d = 1; d <= f.depth; d++) path.push(this.stack[d].node.name);
    path.push(node.name);
    return path;
  }

  /** The innermost block never got its result line. */
  private closeIncomplete(why: string, lastLine: number): void {
    const g = this.stack[this.stack.length - 1];
    const f = this.stack[this.stack.length - 2];
    const node = g.node;
    node.status = g.crash !== null ? 'crash' : 'incomplete';
    node.lastLine = Math.max(lastLine, node.firstLine);
    problem(node, g.crash !== null ? `the kernel crashed while it ran: ${g.crash}` : why);
    this.flushPending(g);
    this.endDocument(g);
    this.stack.pop();
    node.number = f.lastNumber + 1;
    this.number(f, null);
    this.complete(f, node, g.childCount === 0, g.nodeDropped);
  }

  /** Checks the current KTAP document of block f against its plan and starts a fresh one. */
  private endDocument(f: Frame): void {
    const plan = f.plan;
    if (plan !== null) {
      if (f.results > plan) problem(f.node, `plan 1..${plan} but ${f.results} results`);
      else if (f.results < plan) this.synthesizeMissing(f, plan);
    }
    f.plan = null;
    f.results = 0;
    f.lastNumber = 0;
    f.contiguous = 0;
    f.later = null;
  }

  /** Adds a `missing` child for each planned number never reported, lowest first. */
  private synthesizeMissing(f: Frame, plan: number): void {
    let need = plan - f.results;
    const allowed = Math.min(MAX_MISSING, this.missingBudget.left);
    if (need > allowed) {
      problem(f.node, `${need - allowed} more planned tests were never reported (not listed: at most ${MAX_MISSING} per document and ${this.missingBudget.left} left in this run are made up)`);
      need = allowed;
    }
    this.missingBudget.left -= need;
    let runStart = 0;
    let runEnd = 0;
    const report = () => {
      if (runStart === 0) return;
      problem(
        f.node,
        runStart === runEnd
          ? `test ${runStart} of ${plan} planned was never reported`
          : `tests ${runStart}-${runEnd} of ${plan} planned were never reported`,
      );
    };
    for (let n = f.contiguous + 1; need > 0 && n <= plan; n++) {
      if (f.later !== null && f.later.has(n)) continue;
      if (runStart !== 0 && n === runEnd + 1) runEnd = n;
      else {
        report();
        runStart = runEnd = n;
      }
      const node = newNode('', this.lineNo);
      node.number = n;
      node.status = 'missing';
      if (f.crash !== null) {
        // The kernel crashed after the last result: in the test that came next.
        node.status = 'crash';
        problem(node, `the kernel crashed while it ran: ${f.crash}`);
        f.crash = null;
      }
      this.complete(f, node, true, 0);
      need--;
    }
    report();
  }
}
