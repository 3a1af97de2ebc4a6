/**
 * The output of one IGT test process, read the way igt_runner reads it
 * (runner/resultgen.c, fill_from_output; runner/executor.c for the order of
 * subtests). IGT prints, at the start of a line:
 *
 *   Starting subtest: NAME
 *   Starting dynamic subtest: NAME
 *   Dynamic subtest NAME: RESULT (SECONDSs)
 *   Subtest NAME: RESULT (SECONDSs)
 *
 * on stdout, and the same on stderr when IGT_SENTINEL_ON_STDERR is set, so
 * that stderr can be cut per subtest too. RESULT is SUCCESS, SKIP, FAIL,
 * CRASH or TIMEOUT. The subtests of a process are, in order, those that
 * started and those that reported a result without starting (a failed
 * igt_fixture skips or fails the rest). Each subtest's share of a stream runs
 * from the line after the previous marker to the marker after its result.
 * Pure: text in, structure out.
 */

export type ResultWord = 'SUCCESS' | 'SKIP' | 'FAIL' | 'CRASH' | 'TIMEOUT';
const RESULT_WORDS: readonly ResultWord[] = ['SUCCESS', 'SKIP', 'FAIL', 'CRASH', 'TIMEOUT'];

type MarkKind = 'start' | 'result' | 'dyn-start' | 'dyn-result';
interface Mark {
  line: number;
  kind: MarkKind;
  name: string;
  /** For results: the text after `NAME: `. */
  rest: string;
}

export interface Span {
  text: string;
  /** Lines of the span IGT itself wrote as warnings or worse before a later marker (see igtWarned). */
  warned: boolean;
}

/** What a result line said: one of IGT's words, a word IGT's runner does not know, or null for no result line. */
export type Reported = ResultWord | 'unknown' | null;

export interface ParsedDynamic {
  name: string;
  result: Reported;
  seconds: number | null;
  out: Span;
  err: Span;
}

export interface ParsedSubtest {
  name: string;
  result: Reported;
  seconds: number | null;
  out: Span;
  err: Span;
  dynamic: ParsedDynamic[];
}

export interface ParsedOutput {
  /** The `IGT-Version: ...` line. */
  version: string | null;
  subtests: ParsedSubtest[];
}

const NAME_CHAR = /[-_A-Za-z0-9]/;
// A terminal gets IGT's result lines in bold, a serial line may end them with CR; they read the same here.
const SGR = /\x1b\[[0-9;]*m/g;

/** `Subtest NAME: ` with NAME of IGT's subtest-name characters (is_subtest_result_line). */
function resultMark(line: string, prefix: string): { name: string; rest: string } | null {
  if (!line.startsWith(prefix)) return null;
  let i = prefix.length;
  while (i < line.length && NAME_CHAR.test(line[i]!)) i++;
  if (i === prefix.length || line.slice(i, i + 2) !== ': ') return null;
  return { name: line.slice(prefix.length, i), rest: line.slice(i + 2) };
}

function marks(lines: readonly string[]): Mark[] {
  const out: Mark[] = [];
  lines.forEach((raw, line) => {
    const l = raw.replace(SGR, '').replace(/\r$/, '');
    if (l.startsWith('Starting subtest: ')) out.push({ line, kind: 'start', name: l.slice('Starting subtest: '.length), rest: '' });
    else if (l.startsWith('Starting dynamic subtest: ')) out.push({ line, kind: 'dyn-start', name: l.slice('Starting dynamic subtest: '.length).split(/\s/)[0]!, rest: '' });
    else {
      const r = resultMark(l, 'Subtest ');
      if (r) out.push({ line, kind: 'result', ...r });
      else {
        const d = resultMark(l, 'Dynamic subtest ');
        if (d) out.push({ line, kind: 'dyn-result', ...d });
      }
    }
  });
  return out;
}

/** IGT's reading of a result: the first word, taken as any result it begins (strncmp), else incomplete; then `(SECONDSs)`. */
export function resultOf(rest: string): { word: ResultWord | null; seconds: number | null } {
  const word = rest.split(/\s/)[0]!;
  const known = RESULT_WORDS.find((w) => w.startsWith(word)) ?? null;
  const t = /^\S*\s\((-?[0-9.eE+-]+)/.exec(rest);
  const seconds = t ? Number.parseFloat(t[1]!) : null;
  return { word: known, seconds: seconds !== null && Number.isFinite(seconds) ? seconds : null };
}

/**
 * Lines IGT itself writes to stderr: its log lines at warning level and worse
 * (`(binary:pid) [domain-]LEVEL: ...`), the fatal-signal report and stack
 * trace, and the log dump of a failed subtest. igt_runner hears exactly these
 * (over its socket); bytes other code writes to the same stderr (a library, a
 * child process) it does not see, so they do not count here either.
 */
const IGT_STDERR = [/^\([^()\s]+:\d+\) /, /^Received signal [A-Z0-9]+\.$/, /^Stack trace: ?$/, /^ +#\d+ /, /^(Dynamic subtest|Subtest|Test) \S+ failed\.$/, /^\*\*\*\* {1,2}(DEBUG|END) {1,2}\*\*\*\*$/, /^No log\.$/];
export const isIgtStderrLine = (line: string) => IGT_STDERR.some((re) => re.test(line));

/**
 * igt_runner's `warn`: a passing subtest whose stderr share holds a line IGT
 * wrote (isIgtStderrLine) before one of the markers (stderr_contains_warnings
 * looks no further than the last marker). Without markers on stderr (no
 * IGT_SENTINEL_ON_STDERR) any such line counts.
 */
function igtWarned(lines: readonly string[], markLines: ReadonlySet<number>, from: number, to: number): boolean {
  let pending = false;
  for (let i = from; i < to; i++) {
    if (markLines.has(i)) {
      if (pending) return true;
    } else if (isIgtStderrLine(lines[i]!)) pending = true;
  }
  return pending && markLines.size === 0;
}

interface Range {
  from: number;
  to: number;
}

/** find_subtest_begin_limit_limited / find_subtest_end_limit_limited, on line numbers. */
function range(ms: readonly Mark[], begin: number, result: number, first: number, last: number, buf: Range): Range {
  let from: number;
  if (begin < first && result < first) return buf;
  if (begin < first) from = result > first ? ms[result - 1]!.line + 1 : buf.from;
  else if (begin <= first) from = buf.from;
  else from = ms[begin - 1]!.line + 1;
  let to = buf.to;
  if (result < first) {
    for (let k = begin + 1; k < last; k++) {
      if (ms[k]!.kind === 'start' || ms[k]!.kind === 'result') {
        to = ms[k]!.line;
        break;
      }
    }
  } else if (result < last - 1) to = ms[result + 1]!.line;
  return { from: Math.max(from, buf.from), to: Math.min(Math.max(to, from), buf.to) };
}

function find(ms: readonly Mark[], kind: MarkKind, name: string, first: number, last: number): number {
  for (let k = Math.max(first, 0); k < last; k++) if (ms[k]!.kind === kind && ms[k]!.name === name) return k;
  return -1;
}

/** One stream, cut per subtest and dynamic subtest. */
class Stream {
  readonly lines: string[];
  readonly ms: Mark[];
  private readonly markLines: Set<number>;

  constructor(text: string) {
    // Like the runner, the output ends at the first NUL byte.
    const nul = text.indexOf('\0');
    const body = nul < 0 ? text : text.slice(0, nul);
    this.lines = body.split('\n');
    if (this.lines[this.lines.length - 1] === '') this.lines.pop();
    this.ms = marks(this.lines);
    this.markLines = new Set(this.ms.map((m) => m.line));
  }

  span(r: Range): Span {
    const text = r.to > r.from ? this.lines.slice(r.from, r.to).join('\n') + '\n' : '';
    return { text, warned: igtWarned(this.lines, this.markLines, r.from, r.to) };
  }

  /** The subtest's indices and range here. */
  subtest(name: string): { begin: number; result: number; range: Range } {
    const begin = find(this.ms, 'start', name, 0, this.ms.length);
    const result = find(this.ms, 'result', name, 0, this.ms.length);
    return { begin, result, range: range(this.ms, begin, result, 0, this.ms.length, { from: 0, to: this.lines.length }) };
  }

  /** The dynamic subtests that started within a subtest (process_dynamic_subtest_output). */
  dynamics(sub: { begin: number; result: number; range: Range }): { name: string; result: number; range: Range }[] {
    let end = sub.result;
    if (end < 0) {
      for (end = sub.begin + 1; end < this.ms.length; end++) if (this.ms[end]!.kind === 'start' || this.ms[end]!.kind === 'result') break;
    }
    const out: { name: string; result: number; range: Range }[] = [];
    for (let k = sub.begin + 1; k < end; k++) {
      if (this.ms[k]!.kind !== 'dyn-start') continue;
      const name = this.ms[k]!.name;
      const result = find(this.ms, 'dyn-result', name, k, end);
      out.push({ name, result, range: range(this.ms, k, result, sub.begin + 1, end, sub.range) });
    }
    return out;
  }
}

export function parseIgtOutput(stdout: string, stderr: string): ParsedOutput {
  const out = new Stream(stdout);
  const err = new Stream(stderr);
  const version = out.lines.find((l) => l.startsWith('IGT-Version: ')) ?? null;

  // The subtests, in the order the executor's journal would list them.
  const names: string[] = [];
  let current = '';
  for (const m of out.ms) {
    if (m.kind === 'start') {
      names.push(m.name);
      current = m.name;
    } else if (m.kind === 'result' && m.name !== current) {
      names.push(m.name);
      current = '';
    }
  }

  const subtests: ParsedSubtest[] = [];
  for (const name of [...new Set(names)]) {
    const o = out.subtest(name);
    const e = err.subtest(name);
    const r = o.result >= 0 ? resultOf(out.ms[o.result]!.rest) : null;
    const errDyn = new Map(err.dynamics(e).map((d) => [d.name, d]));
    const dynamic: ParsedDynamic[] = out.dynamics(o).map((d) => {
      const dr = d.result >= 0 ? resultOf(out.ms[d.result]!.rest) : null;
      const de = errDyn.get(d.name);
      return { name: d.name, result: dr ? (dr.word ?? 'unknown') : null, seconds: dr?.seconds ?? null, out: out.span(d.range), err: de ? err.span(de.range) : err.span(e.range) };
    });
    subtests.push({ name, result: r ? (r.word ?? 'unknown') : null, seconds: r?.seconds ?? null, out: out.span(o.range), err: err.span(e.range), dynamic });
  }
  return { version, subtests };
}
