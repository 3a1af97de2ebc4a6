/**
 * Why Kconfig did not give a requested option its value, in the words of the
 * tree's own Kconfig files: the `depends on` (or the `if`/`menu`/`choice`
 * block around the option) that is unmet in the final .config, shown as
 * menuconfig shows it (`DEBUG_FS [=n]`); a missing prompt; a `select` that
 * forced an option on; a name no Kconfig file defines. Pure.
 */
import { type Expr, type SymbolValues, and, conjuncts, evaluate, M, N, showExpr, Y } from './kconfig-expr.js';
import type { KconfigEntry, KconfigTree } from './kconfig-menu.js';
import { type ConfigValues, type DroppedOption, optionValue } from './kconfig.js';

export interface Explained extends DroppedOption {
  /** Each a sentence fragment: "depends on DEBUG_FS [=n] (drivers/dma-buf/Kconfig:24)". */
  reasons: string[];
}

const TRI: Record<string, number> = { n: N, m: M, y: Y };

export function symbolValues(config: ConfigValues, tree: KconfigTree): SymbolValues {
  return { value: (name) => optionValue(config, name), defined: (name) => tree.entries.has(name) };
}

function where(e: { file: string; line: number }): string {
  return `${e.file}:${e.line}`;
}

/** The unmet parts of one definition's dependencies, each with where it is written. */
function unmetDependencies(entry: KconfigEntry, want: number, s: SymbolValues): string[] {
  const unmet: string[] = [];
  for (const inh of entry.inherited) {
    for (const c of conjuncts(inh.expr)) {
      if (evaluate(c, s) < want) unmet.push(`depends on ${showExpr(c, s)} (the \`${inh.from}\` block at ${where(inh)} around ${where(entry)})`);
    }
  }
  for (const d of entry.depends) {
    for (const c of conjuncts(d)) if (evaluate(c, s) < want) unmet.push(`depends on ${showExpr(c, s)} (${where(entry)})`);
  }
  return unmet;
}

function dependency(entry: KconfigEntry): Expr | null {
  let e: Expr | null = null;
  for (const inh of entry.inherited) e = and(e, inh.expr);
  for (const d of entry.depends) e = and(e, d);
  return e;
}

/** Enabled selectors of a symbol, as `SELECTOR [=y]` with where the select is. */
function activeSelectors(symbol: string, tree: KconfigTree, s: SymbolValues): string[] {
  return (tree.selectedBy.get(symbol) ?? [])
    .filter((sel) => evaluate({ k: 'sym', name: sel.by }, s) > N && (!sel.cond || evaluate(sel.cond, s) > N))
    .map((sel) => `${sel.by} [=${s.value(sel.by) ?? 'n'}] (${where(sel.entry)})`);
}

function allSelectors(symbol: string, tree: KconfigTree, s: SymbolValues): string[] {
  return (tree.selectedBy.get(symbol) ?? []).map((sel) => `${sel.by} [=${s.value(sel.by) ?? 'n'}]`);
}

function explainOne(d: DroppedOption, tree: KconfigTree, s: SymbolValues): string[] {
  const symbol = d.request.symbol;
  const entries = tree.entries.get(symbol);
  if (!entries?.length) return [`no Kconfig file of this tree defines ${symbol} (misspelt, or not in this kernel version)`];
  const type = entries.find((e) => e.type)?.type ?? null;
  const boolish = type === 'bool' || type === 'tristate';
  const want = boolish ? (TRI[d.request.value] ?? Y) : Y;
  const got = boolish ? (TRI[d.actual] ?? N) : d.actual === 'n' ? N : Y;

  if (boolish && d.request.value === 'm' && type === 'bool') return [`${symbol} is a bool: it is y or n, never m`];
  if (boolish && d.request.value === 'm' && s.value('MODULES') !== 'y') return ['CONFIG_MODULES is off, so nothing can be a module'];

  if (want > got || !boolish) {
    // Kconfig ORs the definitions: the option is held back only if every one of them is.
    const perEntry = entries.map((e) => unmetDependencies(e, want, s));
    if (perEntry.every((u) => u.length)) return [...new Set(perEntry.flat())];
    const usable = entries.filter((_, i) => !perEntry[i]!.length);
    const prompts = usable.flatMap((e) => e.prompts.map((p) => ({ e, p })));
    if (!prompts.length) {
      const sel = allSelectors(symbol, tree, s);
      return [`it has no prompt, so only a select sets it${sel.length ? `; selected by ${sel.join(', ')}` : ' and nothing selects it'}`];
    }
    const shown = prompts.filter(({ e, p }) => (!p.cond || evaluate(p.cond, s) > N) && e.visibleIf.every((v) => evaluate(v, s) > N));
    if (!shown.length) {
      const conds = prompts.flatMap(({ e, p }) => [...(p.cond ? [p.cond] : []), ...e.visibleIf]);
      return conds.map((c) => `its prompt shows only if ${showExpr(c, s)}`);
    }
    if (usable.some((e) => e.inherited.some((i) => i.from === 'choice'))) return ['another option of its choice was chosen'];
    if (!boolish) return [`Kconfig set ${d.actual === 'n' ? 'no value' : d.actual} (out of its range, or not a ${type ?? 'valid'} value)`];
    const dep = usable.map(dependency).find((x) => x && evaluate(x, s) < want);
    if (dep) return [`depends on ${showExpr(dep, s)}`];
    return [`Kconfig chose ${d.actual}`];
  }
  const selectors = activeSelectors(symbol, tree, s);
  if (selectors.length) return [`selected by ${selectors.join(', ')}`];
  return [`Kconfig chose ${d.actual} (its default, or a choice)`];
}

export function explainDropped(dropped: DroppedOption[], tree: KconfigTree, config: ConfigValues): Explained[] {
  const s = symbolValues(config, tree);
  return dropped.map((d) => ({ ...d, reasons: explainOne(d, tree, s) }));
}

/** One line per option, for the error a person reads before any build starts. */
export function formatDropped(list: Explained[]): string {
  return list
    .map((x) => {
      const r = x.request;
      const got = x.actual === 'n' ? 'is off' : `is ${x.actual}`;
      return `  CONFIG_${r.symbol}=${r.value} (${r.source}:${r.line}) ${got}: ${x.reasons.join('; ')}`;
    })
    .join('\n');
}
