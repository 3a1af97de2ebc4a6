/**
 * Reads a kernel tree's Kconfig files as far as the question "why did this
 * option not stick?" needs: for every symbol, where it is defined, its type,
 * its prompts, its own `depends on`, the conditions it inherits from the
 * `if`, `menu` and `choice` blocks around it (across `source`), and who
 * `select`s it. Defaults, ranges and help texts are skipped.
 *
 * Pure: the files come through `read`, so a test hands in a few strings and
 * the tree provider hands in the kernel's files.
 */
import { type Expr, parseExpr } from './kconfig-expr.js';

/** A condition an entry inherits from a block around it. */
export interface Inherited {
  expr: Expr;
  /** What imposed it, as a person finds it in the file: `if RUNTIME_TESTING_MENU`, `menu "Device Drivers"`, `choice`. */
  from: string;
  file: string;
  line: number;
}

/** One definition of a symbol (a symbol may be defined in several places; Kconfig ORs them). */
export interface KconfigEntry {
  symbol: string;
  file: string;
  line: number;
  type: 'bool' | 'tristate' | 'string' | 'int' | 'hex' | null;
  prompts: { text: string; cond: Expr | null }[];
  /** Its own `depends on` lines. */
  depends: Expr[];
  inherited: Inherited[];
  /** `visible if` of menus around it: they hide prompts, not values. */
  visibleIf: Expr[];
  selects: { target: string; cond: Expr | null }[];
}

export interface Selector {
  by: string;
  cond: Expr | null;
  entry: KconfigEntry;
}

export interface KconfigTree {
  entries: Map<string, KconfigEntry[]>;
  /** Reverse dependencies: target symbol -> the entries that select it. */
  selectedBy: Map<string, Selector[]>;
  /** Lines that could not be read (a parse slip never hides the rest of the tree). */
  problems: string[];
}

interface Block {
  kind: 'if' | 'menu' | 'choice';
  label: string;
  file: string;
  line: number;
  cond: Expr | null;
  visible: Expr | null;
}

const TYPES = new Set(['bool', 'tristate', 'string', 'int', 'hex', 'def_bool', 'def_tristate']);

function columns(indent: string): number {
  let col = 0;
  for (const ch of indent) col = ch === '\t' ? (Math.floor(col / 8) + 1) * 8 : col + 1;
  return col;
}

/** The line without its `#` comment (a `#` inside quotes is text). */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#') return line.slice(0, i);
  }
  return line;
}

/** `"text" if COND` -> the text and the condition. */
function splitPrompt(rest: string): { text: string; cond: string | null } {
  const m = /^\s*(["'])((?:\\.|(?!\1).)*)\1\s*(?:if\s+(.*))?$/.exec(rest);
  if (m) return { text: m[2]!, cond: m[3]?.trim() || null };
  return { text: rest.trim(), cond: null };
}

/** `SYM if COND` */
function splitIf(rest: string): { head: string; cond: string | null } {
  const m = /^(.*?)\s+if\s+(.*)$/.exec(rest.trim());
  return m ? { head: m[1]!.trim(), cond: m[2]!.trim() } : { head: rest.trim(), cond: null };
}

function expandVars(path: string, vars: Record<string, string>): string {
  return path.replace(/\$\(([A-Za-z_]+)\)/g, (whole, name: string) => vars[name] ?? whole);
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash + 1);
}

export function parseKconfigTree(
  read: (path: string) => string | null,
  opts: { root?: string; vars?: Record<string, string> } = {},
): KconfigTree {
  const tree: KconfigTree = { entries: new Map(), selectedBy: new Map(), problems: [] };
  const vars = opts.vars ?? {};
  const stack: Block[] = [];
  const pending: { entry: KconfigEntry; blocks: Block[] }[] = [];
  const seen = new Set<string>();
  let target: KconfigEntry | Block | null = null;

  const expr = (text: string, file: string, line: number): Expr | null => {
    try {
      return parseExpr(text);
    } catch (e) {
      tree.problems.push(`${file}:${line}: ${(e as Error).message}`);
      return null;
    }
  };

  const parseFile = (file: string) => {
    if (seen.has(file)) return; // a file sourced twice defines nothing new
    seen.add(file);
    const text = read(file);
    if (text === null) {
      tree.problems.push(`${file}: cannot be read`);
      return;
    }
    const raw = text.split('\n');
    for (let i = 0; i < raw.length; i++) {
      const lineNo = i + 1;
      let line = raw[i]!;
      while (line.endsWith('\\') && i + 1 < raw.length) line = line.slice(0, -1) + ' ' + raw[++i]!;
      const body = stripComment(line).trim();
      if (!body) continue;
      const word = /^[A-Za-z_-]+/.exec(body)?.[0] ?? '';
      const rest = body.slice(word.length).trim();

      switch (word) {
        case 'config':
        case 'menuconfig': {
          const entry: KconfigEntry = { symbol: rest, file, line: lineNo, type: null, prompts: [], depends: [], inherited: [], visibleIf: [], selects: [] };
          pending.push({ entry, blocks: [...stack] });
          const list = tree.entries.get(rest) ?? [];
          list.push(entry);
          tree.entries.set(rest, list);
          target = entry;
          break;
        }
        case 'choice':
          stack.push({ kind: 'choice', label: 'choice', file, line: lineNo, cond: null, visible: null });
          target = stack[stack.length - 1]!;
          break;
        case 'endchoice':
        case 'endmenu':
        case 'endif': {
          const kind = word === 'endchoice' ? 'choice' : word === 'endmenu' ? 'menu' : 'if';
          const top = stack[stack.length - 1];
          if (top?.kind !== kind) tree.problems.push(`${file}:${lineNo}: '${word}' without its opening`);
          else stack.pop();
          target = null;
          break;
        }
        case 'menu':
          stack.push({ kind: 'menu', label: `menu ${rest}`, file, line: lineNo, cond: null, visible: null });
          target = stack[stack.length - 1]!;
          break;
        case 'if':
          stack.push({ kind: 'if', label: `if ${rest}`, file, line: lineNo, cond: expr(rest, file, lineNo), visible: null });
          target = null;
          break;
        case 'comment':
          // A comment takes `depends on` too; it only hides the comment.
          target = { kind: 'if', label: 'comment', file, line: lineNo, cond: null, visible: null };
          break;
        case 'mainmenu':
          target = null;
          break;
        case 'source':
        case 'rsource':
        case 'osource':
        case 'orsource': {
          const name = expandVars(splitPrompt(rest).text, vars);
          const path = word.startsWith('r') || word.startsWith('or') ? dirOf(file) + name : name;
          if (word.startsWith('o') && read(path) === null) break;
          target = null;
          parseFile(path);
          target = null;
          break;
        }
        case 'help':
        case '---help---': {
          // The help text runs while lines are blank or indented at least as far as its first line.
          let indent = -1;
          while (i + 1 < raw.length) {
            const next = raw[i + 1]!;
            if (!next.trim()) {
              i++;
              continue;
            }
            const col = columns(/^[\t ]*/.exec(next)![0]);
            if (indent < 0) {
              if (col === 0) break;
              indent = col;
            } else if (col < indent) break;
            i++;
          }
          break;
        }
        default:
          if (target) attribute(target, word, rest, file, lineNo);
          // Macro definitions (`cc-option = $(success,...)`) and calls (`$(warning-if,...)`) are Kconfig's preprocessor.
          else if (!/^[A-Za-z_][A-Za-z0-9_-]*\s*[:+]?=/.test(body) && !body.startsWith('$(')) {
            tree.problems.push(`${file}:${lineNo}: '${word}' outside any entry`);
          }
      }
    }
  };

  const attribute = (t: KconfigEntry | Block, word: string, rest: string, file: string, lineNo: number) => {
    const isEntry = 'symbol' in t;
    if (word === 'depends') {
      const e = expr(rest.replace(/^on\s+/, ''), file, lineNo);
      if (!e) return;
      if (isEntry) t.depends.push(e);
      else t.cond = t.cond ? { k: 'and', a: t.cond, b: e } : e;
    } else if (word === 'visible') {
      const e = expr(rest.replace(/^if\s+/, ''), file, lineNo);
      if (e && !isEntry) t.visible = e;
    } else if (!isEntry) {
      // a choice's type, prompt, default: nothing this reader needs
    } else if (TYPES.has(word)) {
      t.type = (word === 'def_bool' ? 'bool' : word === 'def_tristate' ? 'tristate' : word) as KconfigEntry['type'];
      if (!word.startsWith('def_') && rest) {
        const p = splitPrompt(rest);
        t.prompts.push({ text: p.text, cond: p.cond ? expr(p.cond, file, lineNo) : null });
      }
    } else if (word === 'prompt') {
      const p = splitPrompt(rest);
      t.prompts.push({ text: p.text, cond: p.cond ? expr(p.cond, file, lineNo) : null });
    } else if (word === 'select') {
      const s = splitIf(rest);
      t.selects.push({ target: s.head, cond: s.cond ? expr(s.cond, file, lineNo) : null });
    }
    // default, imply, range, modules, transitional: not needed to explain a dropped option
  };

  parseFile(opts.root ?? 'Kconfig');
  for (const { entry, blocks } of pending) {
    for (const b of blocks) {
      if (b.cond) entry.inherited.push({ expr: b.cond, from: b.label, file: b.file, line: b.line });
      if (b.visible) entry.visibleIf.push(b.visible);
    }
    for (const s of entry.selects) {
      const list = tree.selectedBy.get(s.target) ?? [];
      list.push({ by: entry.symbol, cond: s.cond, entry });
      tree.selectedBy.set(s.target, list);
    }
  }
  return tree;
}
