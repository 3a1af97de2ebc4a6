/**
 * Kconfig expressions (`depends on A && (B || !C)`, `select X if Y`,
 * `depends on ARCH_MMAP_RND_BITS_MIN = 28`), parsed and evaluated over a
 * .config in Kconfig's three-valued logic: n=0, m=1, y=2, `!` is 2-v, `&&` is
 * min, `||` is max (Documentation/kbuild/kconfig-language.rst, "Menu
 * dependencies"). Pure.
 *
 * A `$(...)` macro (cc-option and friends) runs a command at configuration
 * time, which a reader of the files cannot; it evaluates as unknown, which
 * counts as y so that it is never blamed for dropping an option.
 */

export type Expr =
  | { k: 'sym'; name: string }
  | { k: 'str'; value: string }
  | { k: 'macro'; text: string }
  | { k: 'not'; e: Expr }
  | { k: 'and' | 'or'; a: Expr; b: Expr }
  | { k: 'cmp'; op: '=' | '!=' | '<' | '>' | '<=' | '>='; a: Expr; b: Expr };

type Token = { t: 'sym' | 'str' | 'macro' | 'op'; v: string };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let v = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        v += text[j];
        j++;
      }
      out.push({ t: 'str', v });
      i = j + 1;
    } else if (c === '$' && text[i + 1] === '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
      }
      out.push({ t: 'macro', v: text.slice(i, j + 1) });
      i = j + 1;
    } else {
      const two = text.slice(i, i + 2);
      if (['&&', '||', '!=', '<=', '>='].includes(two)) {
        out.push({ t: 'op', v: two });
        i += 2;
      } else if ('!()=<>'.includes(c)) {
        out.push({ t: 'op', v: c });
        i++;
      } else {
        const m = /^[A-Za-z0-9_.+-]+/.exec(text.slice(i));
        if (!m) throw new Error(`unexpected '${c}' in Kconfig expression '${text}'`);
        out.push({ t: 'sym', v: m[0] });
        i += m[0].length;
      }
    }
  }
  return out;
}

/** Parses an expression; throws on text that is not one (the caller says where it was). */
export function parseExpr(text: string): Expr {
  const toks = tokenize(text);
  let pos = 0;
  const peek = () => toks[pos];
  const take = (v: string) => {
    if (peek()?.t === 'op' && peek()!.v === v) {
      pos++;
      return true;
    }
    return false;
  };
  const or = (): Expr => {
    let e = and();
    while (take('||')) e = { k: 'or', a: e, b: and() };
    return e;
  };
  const and = (): Expr => {
    let e = unary();
    while (take('&&')) e = { k: 'and', a: e, b: unary() };
    return e;
  };
  const unary = (): Expr => {
    if (take('!')) return { k: 'not', e: unary() };
    return comparison();
  };
  const comparison = (): Expr => {
    const a = primary();
    const op = peek();
    if (op?.t === 'op' && ['=', '!=', '<', '>', '<=', '>='].includes(op.v)) {
      pos++;
      return { k: 'cmp', op: op.v as '=', a, b: primary() };
    }
    return a;
  };
  const primary = (): Expr => {
    if (take('(')) {
      const e = or();
      if (!take(')')) throw new Error(`missing ')' in Kconfig expression '${text}'`);
      return e;
    }
    const tok = toks[pos++];
    if (!tok || tok.t === 'op') throw new Error(`Kconfig expression '${text}' ends early or has a stray operator`);
    if (tok.t === 'str') return { k: 'str', value: tok.v };
    if (tok.t === 'macro') return { k: 'macro', text: tok.v };
    return { k: 'sym', name: tok.v };
  };
  const e = or();
  if (pos !== toks.length) throw new Error(`trailing '${toks[pos]!.v}' in Kconfig expression '${text}'`);
  return e;
}

export const and = (a: Expr | null, b: Expr | null): Expr | null => (a && b ? { k: 'and', a, b } : (a ?? b));

/** What the evaluator needs to know of a symbol: its value in the .config, and whether it is a bool/tristate. */
export interface SymbolValues {
  /** y, m, n, or the text of a string/int/hex option; undefined when the .config does not have it. */
  value(name: string): string | undefined;
  /** Whether Kconfig defines the name at all (an undefined name is a constant, as in Kconfig). */
  defined(name: string): boolean;
}

export const N = 0;
export const M = 1;
export const Y = 2;
const TRISTATE: Record<string, number> = { n: N, m: M, y: Y };

/** The string a term stands for, as Kconfig compares them. */
function termString(e: Expr, s: SymbolValues): string {
  if (e.k === 'str') return e.value;
  if (e.k === 'sym') {
    if (e.name === 'y' || e.name === 'm' || e.name === 'n') return e.name;
    if (!s.defined(e.name)) return e.name;
    return s.value(e.name) ?? 'n';
  }
  return 'y';
}

function compare(op: string, a: string, b: string): boolean {
  const na = Number(a);
  const nb = Number(b);
  const numeric = a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb);
  const c = numeric ? Math.sign(na - nb) : a < b ? -1 : a > b ? 1 : 0;
  switch (op) {
    case '=':
      return numeric ? c === 0 : a === b;
    case '!=':
      return numeric ? c !== 0 : a !== b;
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    default:
      return c >= 0;
  }
}

/** The tristate value (0, 1, 2) of an expression over the given values. */
export function evaluate(e: Expr, s: SymbolValues): number {
  switch (e.k) {
    case 'sym': {
      if (e.name === 'y') return Y;
      if (e.name === 'n') return N;
      // `m` means y only where modules exist: Kconfig ties it to CONFIG_MODULES.
      if (e.name === 'm') return s.value('MODULES') === 'y' ? M : N;
      return TRISTATE[s.value(e.name) ?? 'n'] ?? N;
    }
    case 'str':
      return TRISTATE[e.value] ?? N;
    case 'macro':
      return Y;
    case 'not':
      return Y - evaluate(e.e, s);
    case 'and':
      return Math.min(evaluate(e.a, s), evaluate(e.b, s));
    case 'or':
      return Math.max(evaluate(e.a, s), evaluate(e.b, s));
    case 'cmp':
      return compare(e.op, termString(e.a, s), termString(e.b, s)) ? Y : N;
  }
}

/** The terms of a chain of `&&`, each to be judged on its own. */
export function conjuncts(e: Expr): Expr[] {
  return e.k === 'and' ? [...conjuncts(e.a), ...conjuncts(e.b)] : [e];
}

/** Every symbol an expression reads. */
export function symbolsOf(e: Expr): string[] {
  switch (e.k) {
    case 'sym':
      return ['y', 'm', 'n'].includes(e.name) ? [] : [e.name];
    case 'str':
    case 'macro':
      return [];
    case 'not':
      return symbolsOf(e.e);
    case 'and':
    case 'or':
    case 'cmp':
      return [...symbolsOf(e.a), ...symbolsOf(e.b)];
  }
}

/**
 * The expression as menuconfig shows it, each symbol with its value:
 * `SYNC_FILE [=y] && DEBUG_FS [=n]`.
 */
export function showExpr(e: Expr, s: SymbolValues, parent: Expr['k'] | null = null): string {
  let text: string;
  switch (e.k) {
    case 'sym':
      text = ['y', 'm', 'n'].includes(e.name) || !s.defined(e.name) ? e.name : `${e.name} [=${s.value(e.name) ?? 'n'}]`;
      break;
    case 'str':
      text = JSON.stringify(e.value);
      break;
    case 'macro':
      text = e.text;
      break;
    case 'not':
      text = `!${showExpr(e.e, s, 'not')}`;
      break;
    case 'cmp':
      text = `${showExpr(e.a, s, 'cmp')} ${e.op} ${showExpr(e.b, s, 'cmp')}`;
      break;
    case 'and':
    case 'or':
      text = `${showExpr(e.a, s, e.k)} ${e.k === 'and' ? '&&' : '||'} ${showExpr(e.b, s, e.k)}`;
      break;
  }
  const needsParens = (e.k === 'or' && parent !== null && parent !== 'or') || (e.k === 'and' && (parent === 'not' || parent === 'cmp')) || (e.k === 'cmp' && parent === 'not');
  return needsParens ? `(${text})` : text;
}
