/**
 * report.html: one self-contained page a person reads at a glance. Counts at
 * the top, the gate's verdict classes, a suites-by-status matrix, the run's
 * problems, then every new failure with all its evidence and the command
 * line that reproduces it, the unexpected passes, flakes and expected
 * failures, the comparison with an earlier run, every case in one table (or,
 * past ALL_CASES_MAX cases, each suite's passes counted and its skips grouped
 * by reason, so a 100,000-case page stays small) and the environment.
 * Pure: a RunResult in, HTML text out.
 *
 * Everything taken from the result is escaped by text(): console lines come
 * from kernels and may hold any byte. The page has no script at all and a
 * Content-Security-Policy that forbids loading anything, so even an escaping
 * bug could neither run code nor reach the network.
 */
import { CLASS_WORDS, countClasses, describeOutcomes, gateBlocks, gateClassOf } from '../gate/classify.js';
import { describeObservationChange } from '../gate/compare.js';
import { shellQuote } from '../gate/repro.js';
import { describeInventory, inventoryProperties } from '../results/inventory.js';
import { driverOf } from '../results/known-issues.js';
import type { CaseChange, CaseResult, Comparison, GateClass, KernelMessage, Observation, RunResult, Status, SuiteResult } from '../results/model.js';
import { GATE_CLASSES, OK_STATUSES, STATUSES, emptyCounts } from '../results/model.js';
import { HTML_STYLE } from './html-style.js';
import { cleanText } from './text.js';

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Beyond what cleanText removes for XML, HTML calls DEL, the C1 controls and the noncharacters parse errors.
const HTML_INVALID = /[\x7f-\x9f]|\p{Noncharacter_Code_Point}/gu;

/** Any text from the result, safe in element content and in quoted attribute values. */
function text(s: string): string {
  return cleanText(s).replace(HTML_INVALID, '\ufffd').replace(/[&<>"']/g, (c) => ENTITY[c]!);
}

/** A console line can be megabytes (a binary dumped to the console); results.json keeps it whole. */
const LINE_MAX = 2000;

function clip(s: string, max = LINE_MAX): string {
  if (s.length <= max) return s;
  // Do not cut a surrogate pair in half: cleanText would turn the half into U+FFFD.
  const end = /[\ud800-\udbff]/.test(s[max - 1]!) ? max - 1 : max;
  return `${s.slice(0, end)} … [${s.length - end} more characters in results.json]`;
}

// Statuses are escaped too: buildHtml may be handed a results.json no schema has checked.
function badge(status: Status): string {
  return `<span class="badge st-${text(status)}">${text(status)}</span>`;
}

function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** "2026-11-27T10:49:29.822Z" as "2026-11-27 10:49:29 UTC"; anything else as it is. */
function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** Runs with more cases than this list each suite's passes as a count, not case by case. */
export const ALL_CASES_MAX = 2000;

/** A case shown with its evidence: a new failure, or (without gate data) any case that did not pass or skip. */
function isProblem(c: CaseResult): boolean {
  return gateClassOf(c) === 'new-failure' || (gateClassOf(c) === 'unexpected-pass' && Boolean(c.gate?.blocks));
}

/** A case listed in a gate section or with a card: it gets an anchor. */
function isListed(c: CaseResult): boolean {
  const k = gateClassOf(c);
  return k !== 'pass' && k !== 'skip';
}

/**
 * Anchors from suite and case names, so a CI comment can link to
 * report.html#c-drm-core.version; names may hold anything, hence the slug.
 * Only cases the page lists get one: a big run's passes have no row to point at.
 */
function anchors(run: RunResult): { suite: Map<SuiteResult, string>; kase: Map<CaseResult, string> } {
  const used = new Set<string>();
  const make = (prefix: string, name: string): string => {
    const base = `${prefix}-${name.replace(/[^A-Za-z0-9_.-]+/g, '_')}`;
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };
  const suite = new Map<SuiteResult, string>();
  const kase = new Map<CaseResult, string>();
  for (const s of run.suites) {
    suite.set(s, make('s', s.name));
    for (const c of s.cases) if (isListed(c)) kase.set(c, make('c', `${s.name}.${c.name}`));
  }
  return { suite, kase };
}

type Anchors = ReturnType<typeof anchors>;

function verdictOf(run: RunResult): 'pass' | 'fail' | 'infra' {
  if (run.status !== 'complete') return 'infra';
  return gateBlocks(run) ? 'fail' : 'pass';
}

const VERDICT_WORDS = { pass: 'passed', fail: 'conformance failures', infra: 'did not finish' };

function header(run: RunResult): string {
  const env = run.environment;
  const verdict = verdictOf(run);
  const machine = env.machine ?? {};
  const machineText = [machine.name, machine.arch, machine.accel].filter((v) => v !== undefined && v !== '').join(' · ');
  const facts: [string, string][] = [
    ['kernel', `${env.kernel?.release ?? ''} (${env.kernel?.spec ?? ''})`],
    ['machine', `${machineText || env.target || ''}`],
    ...(env.inventory ? ([['shows', describeInventory(env.inventory)]] as [string, string][]) : []),
    ['hilt', `${env.hilt?.version ?? ''}${env.hilt?.commit ? ` @ ${env.hilt.commit.slice(0, 12)}` : ''}`],
    ['started', formatTime(env.startedAt)],
    ['ended', env.endedAt ? formatTime(env.endedAt) : 'never (the run did not end)'],
  ];
  const error = run.error ? `<div class="run-error"><b>${text(run.error.kind)} error:</b> <pre>${text(run.error.message)}</pre></div>` : '';
  return [
    `<header class="run verdict-${verdict}"><div class="inner">`,
    `<h1>hilt run <span class="run-status" data-status="${text(run.status)}">${text(run.status)}</span>: ${VERDICT_WORDS[verdict]}</h1>`,
    `<div class="facts">${facts.map(([k, v]) => `<span>${k} <b>${text(v)}</b></span>`).join('')}</div>`,
    error,
    '</div></header>',
  ].join('\n');
}

function countTiles(run: RunResult): string {
  const tiles = STATUSES.map((s) => {
    const n = run.counts[s] ?? 0;
    return `<div class="count st-${s}${n ? '' : ' zero'}" data-status="${s}"><span class="n">${n}</span><span class="label">${s}</span></div>`;
  });
  tiles.push(`<div class="count total" data-status="total"><span class="n">${run.counts.total ?? 0}</span><span class="label">total</span></div>`);
  return `<section class="counts" aria-label="counts by status">\n${tiles.join('\n')}\n</section>`;
}

const CLASS_SECTION: Partial<Record<GateClass, string>> = { 'new-failure': 'failures', 'unexpected-pass': 'unexpected-passes', flake: 'flakes', 'expected-failure': 'expected-failures' };

/** The gate's verdict classes, each linking to its section. */
function gateTiles(run: RunResult): string {
  if (!run.gate) return '';
  const counts = run.gate.counts;
  const tiles = GATE_CLASSES.map((k) => {
    const n = counts[k] ?? 0;
    const label = CLASS_WORDS[k][n === 1 ? 0 : 1];
    const inner = `<span class="n">${n}</span><span class="label">${label}</span>`;
    const target = CLASS_SECTION[k];
    return `<div class="gcount gc-${k}${n ? '' : ' zero'}" data-class="${k}">${n && target ? `<a href="#${target}">${inner}</a>` : inner}</div>`;
  });
  const sources = run.gate.sources.length ? run.gate.sources.map((x) => `<code>${text(x)}</code>`).join(', ') : 'none: every failure is new';
  const rule = run.gate.unexpectedPassBlocks ? '; an unexpected pass blocks' : '';
  return `<section class="gate" aria-label="verdicts against the baseline">\n<div class="gtiles">${tiles.join('')}</div>\n<p class="muted">Expectations from ${sources}${rule}. Only new failures${run.gate.unexpectedPassBlocks ? ' and unexpected passes' : ''} fail the run.</p>\n</section>`;
}

function matrix(run: RunResult, ids: Anchors): string {
  if (!run.suites.length) return '<p class="muted">No suite ran.</p>';
  const head = `<tr><th>suite</th><th>status</th>${STATUSES.map((s) => `<th class="n">${s}</th>`).join('')}<th class="n">total</th></tr>`;
  const rows = run.suites.map((suite) => {
    const counts = emptyCounts();
    for (const c of suite.cases) {
      counts[c.status]++;
      counts.total++;
    }
    const cells = STATUSES.map((s) => (counts[s] ? `<td class="n hit st-${s}">${counts[s]}</td>` : '<td class="n"></td>'));
    return `<tr data-suite="${text(suite.name)}"><td><a href="#${ids.suite.get(suite)}">${text(suite.name)}</a></td><td>${badge(suite.status)}</td>${cells.join('')}<td class="n">${counts.total}</td></tr>`;
  });
  return `<h2>Suites</h2>\n<table class="matrix">\n${head}\n${rows.join('\n')}\n</table>`;
}

function kernelLines(messages: KernelMessage[]): string {
  return messages.map((m) => `[${(m.tsUs / 1e6).toFixed(6).padStart(12)}] &lt;${m.level}&gt; ${text(clip(m.text))}`).join('\n');
}

function problems(run: RunResult): string {
  const boot = run.bootLog.filter((m) => m.counted);
  if (!run.problems.length && !boot.length) return '';
  const parts = ['<section class="problems" id="problems">', `<h2>Problems of the run (${run.problems.length + (boot.length ? 1 : 0)})</h2>`, '<ul>'];
  for (const p of run.problems) {
    // A problem may carry the console tail of a boot that died: its first line says what, the rest is console.
    const [first = '', ...rest] = p.split('\n').map((l) => clip(l));
    parts.push(`<li>${text(first)}${rest.length ? `<div class="kmsg"><pre>${text(rest.join('\n'))}</pre></div>` : ''}</li>`);
  }
  if (boot.length) parts.push(`<li>kernel warnings while booting, before any test ran:<div class="kmsg"><pre>${kernelLines(boot)}</pre></div></li>`);
  parts.push('</ul>', '</section>');
  return parts.join('\n');
}

function subtestRows(c: CaseResult, depth = 0): string[] {
  return c.subtests.flatMap((s) => [
    `<tr><td style="padding-left:${8 + depth * 18}px">${text(s.name)}</td><td>${text(driverOf(s) ?? '')}</td><td>${badge(s.status)}</td><td class="msg">${text(s.message)}</td></tr>`,
    ...subtestRows(s, depth + 1),
  ]);
}

/** Failed verdicts of a case's observations and of its subtests', with where each was seen. */
function violations(c: CaseResult, where = ''): { where: string; obs: Observation }[] {
  const own = c.observations.filter((o) => o.verdicts.some((v) => !v.ok)).map((obs) => ({ where, obs }));
  return [...own, ...c.subtests.flatMap((s) => violations(s, where ? `${where}/${s.name}` : s.name))];
}

function violationBlock(c: CaseResult): string {
  const found = violations(c);
  if (!found.length) return '';
  const parts = ['<div class="violations"><h4>Schema violations</h4>'];
  for (const { where, obs } of found) {
    parts.push(`<p><code>${text(obs.type)}</code>${where ? ` on <b>${text(where)}</b>` : ''}<code class="data">${text(clip(JSON.stringify(obs.data) ?? 'undefined', 600))}</code></p>`);
    parts.push('<table><tr><th>schema</th><th>JSON path</th><th>rule</th><th>message</th></tr>');
    for (const v of obs.verdicts.filter((x) => !x.ok)) {
      for (const e of v.violations) {
        parts.push(`<tr><td class="mono">${text(e.schema || v.schema)}</td><td class="mono">${text(e.path || '/')}</td><td class="mono">${text(e.rule)}</td><td>${text(e.message)}</td></tr>`);
      }
      if (!v.violations.length) parts.push(`<tr><td class="mono">${text(v.schema)}</td><td></td><td></td><td>rejected</td></tr>`);
    }
    parts.push('</table>');
  }
  parts.push('</div>');
  return parts.join('\n');
}

// Lines a maintainer looks for first in a console excerpt.
const BAD_LINE = /^\s*not ok\b|Kernel panic|\bBUG:|\bWARNING:|\bOops\b|general protection fault|Call Trace:/;

function consoleBlock(c: CaseResult): string {
  if (!c.console.length) return '';
  const lines = c.console.map((l) => {
    const clean = clip(l);
    return BAD_LINE.test(clean) ? `<span class="bad">${text(clean)}</span>` : text(clean);
  });
  return `<details class="console"><summary>console (${c.console.length} lines)</summary><pre>${lines.join('\n')}</pre></details>`;
}

function failureCard(suite: SuiteResult, c: CaseResult, ids: Anchors): string {
  const meta = [formatDuration(c.durationMs), c.attempts > 1 ? `${c.attempts} attempts` : ''].filter(Boolean).join(' · ');
  const counted = c.kernelLog.filter((m) => m.counted);
  return [
    `<section class="case st-${text(c.status)}" id="${ids.kase.get(c)}" data-suite="${text(suite.name)}" data-case="${text(c.name)}" data-status="${text(c.status)}">`,
    `<h3>${badge(c.status)} <span class="path">${text(suite.name)} / ${text(c.name)}</span><span class="meta">${text(meta)}</span></h3>`,
    c.message ? `<pre class="message">${text(c.message)}</pre>` : '',
    c.gate?.reason ? `<p class="gate-reason">${text(c.gate.reason)}</p>` : '',
    c.gate?.repro ? `<div class="repro"><h4>Reproduce</h4><pre>${text(shellQuote(c.gate.repro))}</pre></div>` : '',
    c.subtests.length ? `<h4>Subtests</h4>\n<table class="subtests"><tr><th>subtest</th><th>driver</th><th>status</th><th>message</th></tr>\n${subtestRows(c).join('\n')}\n</table>` : '',
    violationBlock(c),
    counted.length ? `<div class="kmsg"><h4>Kernel messages that count against it</h4><pre>${kernelLines(counted)}</pre></div>` : '',
    c.taint ? `<div class="kmsg"><h4>Taint gained while it ran</h4><pre>${text(`${c.taint.letters} (mask ${c.taint.mask}): ${c.taint.description}`)}</pre></div>` : '',
    c.lockdepOff ? '<div class="kmsg"><h4>Lockdep</h4><pre>lockdep switched itself off while it ran (debug_locks=0)</pre></div>' : '',
    c.stacks?.length ? `<div class="kmsg"><h4>Stuck tasks when it was killed</h4><pre>${c.stacks.map((s) => text(clip(s, 8192))).join('\n\n')}</pre></div>` : '',
    consoleBlock(c),
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function failures(run: RunResult, ids: Anchors): string {
  const cards = run.suites.flatMap((s) => s.cases.filter(isProblem).map((c) => failureCard(s, c, ids)));
  const title = run.gate ? 'New failures' : 'Cases that did not pass';
  const none = run.gate ? 'No new failure: every case passed, was skipped, or failed as the baseline expects.' : 'Every case passed or was skipped.';
  const body = cards.length ? cards.join('\n') : `<p class="ok-note">${none}</p>`;
  return `<section class="failures" id="failures">\n<h2>${title} (${cards.length})</h2>\n${body}\n</section>`;
}

/** Rows of the cases of one gate class: name, status, runs, why. Compact: these are known or harmless. */
function classSection(run: RunResult, ids: Anchors, k: GateClass, title: string, why: string): string {
  const rows: string[] = [];
  for (const s of run.suites) {
    for (const c of s.cases) {
      if (gateClassOf(c) !== k || isProblem(c)) continue;
      const runs = c.gate?.outcomes ? describeOutcomes(c.gate.outcomes) : '';
      const repro = c.gate?.repro && k !== 'expected-failure' ? `<pre class="repro">${text(shellQuote(c.gate.repro))}</pre>` : '';
      rows.push(
        `<tr id="${ids.kase.get(c)}" data-suite="${text(s.name)}" data-case="${text(c.name)}" data-class="${k}"><td class="name">${text(s.name)} / ${text(c.name)}</td><td>${badge(c.status)}</td><td>${text(runs)}</td><td class="msg">${text(clip(c.gate?.reason || c.message))}${c.message && c.gate?.reason && !c.gate.reason.includes(c.message) ? `<br/><span class="muted">${text(firstLine(c.message))}</span>` : ''}${repro}</td></tr>`,
      );
    }
  }
  if (!rows.length) return '';
  return `<section class="gclass" id="${CLASS_SECTION[k]}">\n<h2>${title} (${rows.length})</h2>\n<p class="muted">${why}</p>\n<table class="gclass"><tr><th>case</th><th>status</th><th>runs</th><th>why</th></tr>\n${rows.join('\n')}\n</table>\n</section>`;
}

function gateSections(run: RunResult, ids: Anchors): string {
  if (!run.gate) return '';
  return [
    classSection(run, ids, 'unexpected-pass', 'Unexpected passes', 'The baseline expects these to fail and they passed: if the kernel is fixed, remove their entries (hilt baseline update).'),
    classSection(run, ids, 'flake', 'Flakes', 'Failed in some runs and passed in others, or a known flake that failed: reported, not blocking.'),
    classSection(run, ids, 'expected-failure', 'Expected failures', 'Failed as the baseline expects: not blocking.'),
  ]
    .filter(Boolean)
    .join('\n');
}

const COMPARE_ROWS = 1000;

function changeRows(list: CaseChange[]): string {
  const rows = list.slice(0, COMPARE_ROWS).map((c) => `<tr><td class="name">${text(c.case)}</td><td>${c.old ? badge(c.old) : '<span class="muted">absent</span>'}</td><td>${c.new ? badge(c.new) : '<span class="muted">absent</span>'}</td></tr>`);
  if (list.length > COMPARE_ROWS) rows.push(`<tr><td colspan="3" class="muted">… and ${list.length - COMPARE_ROWS} more in results.json</td></tr>`);
  return rows.join('\n');
}

function comparison(cmp: Comparison | undefined): string {
  if (!cmp) return '';
  const groups: [string, CaseChange[]][] = [
    ['Regressed', cmp.regressed],
    ['Fixed', cmp.fixed],
    ['New cases', cmp.added],
    ['Vanished cases', cmp.vanished],
    ['Other status changes', cmp.changed],
  ];
  const parts = [`<section class="comparison" id="comparison">`, `<h2>Compared with an earlier run</h2>`, `<p class="muted">${text(cmp.against.source)}: run ${text(cmp.against.id)}, kernel ${text(cmp.against.kernel || 'unknown')}</p>`];
  parts.push(`<p>${groups.map(([t, l]) => `${t}: <b>${l.length}</b>`).join(' · ')}</p>`);
  for (const [t, list] of groups) if (list.length) parts.push(`<h4>${t}</h4>\n<table class="changes"><tr><th>case</th><th>before</th><th>now</th></tr>\n${changeRows(list)}\n</table>`);
  const unack = cmp.observations.filter((c) => !c.acknowledged).length;
  const verdict = cmp.uapiBlocks ? ' <span class="badge st-fail">fails the run</span>' : '';
  parts.push(`<h4>Observed values that changed (${cmp.observations.length}, ${unack} not acknowledged; rule: ${text(cmp.uapiRule)})${verdict}</h4>`);
  if (cmp.observations.length) {
    const rows = cmp.observations.slice(0, COMPARE_ROWS).map((o) => `<li class="${o.acknowledged ? 'ack' : 'unack'}">${text(clip(describeObservationChange(o), 600))}</li>`);
    if (cmp.observations.length > COMPARE_ROWS) rows.push(`<li class="muted">… and ${cmp.observations.length - COMPARE_ROWS} more in results.json</li>`);
    parts.push(`<ul class="obs-changes">\n${rows.join('\n')}\n</ul>`);
  } else parts.push('<p class="ok-note">Every observed value is the same.</p>');
  parts.push('</section>');
  return parts.join('\n');
}

function firstLine(s: string): string {
  return clip(s.split('\n', 1)[0] ?? '');
}

function exitsText(suite: SuiteResult): string {
  const odd = suite.exits.filter((e) => e.code !== 0);
  return odd.map((e) => (e.signal !== null ? `killed by signal ${e.signal}` : `exit code ${e.code}`)).join(', ');
}

function caseRow(c: CaseResult, ids: Anchors): string {
  const id = ids.kase.get(c);
  const name = id ? `<a href="#${id}">${text(c.name)}</a>` : text(c.name);
  const k = gateClassOf(c);
  const cls = c.gate && k !== 'pass' && k !== 'skip' ? ` <span class="gtag gc-${k}">${CLASS_WORDS[k][0]}</span>` : '';
  return `<tr><td class="name">${name}</td><td>${badge(c.status)}${cls}</td><td class="dur">${formatDuration(c.durationMs)}</td><td class="msg">${text(firstLine(c.message))}</td></tr>`;
}

/** Skips of a big run, grouped by reason: a suite that skips 900 cases for want of a device says so once. */
function skipGroups(cases: CaseResult[]): string[] {
  const groups = new Map<string, CaseResult[]>();
  for (const c of cases) {
    const why = firstLine(c.message) || 'skipped';
    const list = groups.get(why);
    if (list) list.push(c);
    else groups.set(why, [c]);
  }
  return [...groups].map(([why, list]) => {
    const names = list.slice(0, 10).map((c) => text(c.name)).join(', ');
    return `<tr class="skips"><td class="name">${list.length} skipped</td><td>${badge('skip')}</td><td></td><td class="msg">${text(why)}<br/><span class="muted">${names}${list.length > 10 ? `, … (${list.length - 10} more)` : ''}</span></td></tr>`;
  });
}

function allCases(run: RunResult, ids: Anchors): string {
  const total = run.suites.reduce((n, s) => n + s.cases.length, 0);
  const big = total > ALL_CASES_MAX;
  // One table per suite: the browser lays out (content-visibility) only the ones on screen.
  const blocks: string[] = [];
  for (const suite of run.suites) {
    const rows: string[] = [];
    // An IGT program exits once per subtest (98 for each failure): its cases say it all.
    const how = suite.mode === 'whole' ? 'run whole' : suite.mode === 'igt' ? 'IGT, one process per subtest' : '';
    const meta = [how, `${suite.cases.length} cases`, formatDuration(suite.durationMs), suite.mode === 'igt' ? '' : exitsText(suite)].filter(Boolean).join(' · ');
    rows.push(`<tr class="suite" id="${ids.suite.get(suite)}"><th colspan="4">${text(suite.name)} ${badge(suite.status)}<span class="meta">${text(meta)}</span></th></tr>`);
    if (!big) for (const c of suite.cases) rows.push(caseRow(c, ids));
    else {
      // A big run: every case that did not plainly pass by name, the passes counted, the skips grouped.
      let passes = 0;
      const skips: CaseResult[] = [];
      for (const c of suite.cases) {
        const k = gateClassOf(c);
        if (k === 'pass' && c.status === 'pass' && !c.gate) passes++;
        else if (k === 'skip' && c.status === 'skip' && !c.gate) skips.push(c);
        else rows.push(caseRow(c, ids));
      }
      if (skips.length) rows.push(...skipGroups(skips));
      if (passes) rows.push(`<tr class="passes"><td class="name">${passes} passed</td><td>${badge('pass')}</td><td></td><td class="msg muted">listed by name in results.json and junit.xml</td></tr>`);
    }
    blocks.push(`<div class="suite-block"><table class="all">\n${rows.join('\n')}\n</table></div>`);
  }
  const title = big ? `All cases (${total}: passes counted per suite, skips grouped by reason, the rest by name)` : 'All cases';
  return `<section id="all"><h2>${title}</h2>\n${blocks.join('\n')}\n</section>`;
}

function environment(run: RunResult): string {
  const env = run.environment;
  const items: [string, string][] = [
    ['run', run.id],
    ['kernel release', env.kernel?.release ?? ''],
    ['kernel', env.kernel?.spec ?? ''],
    ['kernel config sha256', env.kernel?.configSha256 ?? 'unknown'],
    ['kernel source', JSON.stringify(env.kernel?.source ?? null)],
    ['target', env.target ?? ''],
    ...Object.entries(env.machine ?? {}).map(([k, v]): [string, string] => [`machine ${k}`, String(v)]),
    ...inventoryProperties(env.inventory).map(([k, v]): [string, string] => [k.replace(/^inventory\.(pci|node)\./, 'inventory $1 ').replace(/^inventory\./, 'inventory '), v]),
    ['hilt', `${env.hilt?.version ?? ''} ${env.hilt?.commit ?? '(no commit)'}`],
    ['host', `${env.host?.hostname ?? ''} (${env.host?.platform ?? ''} ${env.host?.release ?? ''})`],
    ['started', formatTime(env.startedAt)],
    ['ended', formatTime(env.endedAt) || 'never'],
  ];
  const dl = items.map(([k, v]) => `<dt>${text(k)}</dt><dd>${text(clip(v, 600))}</dd>`).join('\n');
  const boots = run.boots.map(
    (b) =>
      `<tr><td>${b.boot}</td><td>${b.start + 1}</td><td>${text(b.accel)}</td><td>${b.reason === 'poweroff' ? 'poweroff' : `<b>${text(b.reason)}</b>`}</td><td class="dur">${formatDuration(b.helloMs)}</td><td class="dur">${formatDuration(b.durationMs)}</td></tr>`,
  );
  const bootTable = boots.length
    ? `<h4>Boots</h4>\n<table class="boots"><tr><th>boot</th><th title="numbered from 1, as the progress line counts">first test</th><th>accel</th><th>ended by</th><th>to agent</th><th>duration</th></tr>\n${boots.join('\n')}\n</table>`
    : '<p class="muted">The machine never booted.</p>';
  return `<section id="environment"><h2>Environment</h2>\n<dl class="env">\n${dl}\n</dl>\n${bootTable}\n</section>`;
}

function title(run: RunResult): string {
  if (run.gate) {
    const counts = run.gate.counts ?? countClasses(run);
    const shown = GATE_CLASSES.filter((k) => k !== 'pass' && k !== 'skip' && counts[k] > 0).map((k) => `${counts[k]} ${CLASS_WORDS[k][counts[k] === 1 ? 0 : 1]}`);
    return `hilt ${run.status}: ${shown.length ? shown.join(', ') : `${run.counts.pass} pass`} — ${run.environment.kernel?.release ?? ''}`;
  }
  const bad = STATUSES.filter((s) => !OK_STATUSES.has(s) && run.counts[s] > 0).map((s) => `${run.counts[s]} ${s}`);
  return `hilt ${run.status}: ${bad.length ? bad.join(', ') : `${run.counts.pass} pass`} — ${run.environment.kernel?.release ?? ''}`;
}

// No script, no fetch of any kind; inline style only. Also keeps a page opened from a CI artifact server inert.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export function buildHtml(run: RunResult): string {
  const ids = anchors(run);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8" />',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}" />`,
    '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    '<meta name="generator" content="hilt" />',
    `<title>${text(title(run))}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    header(run),
    '<main>',
    countTiles(run),
    gateTiles(run),
    matrix(run, ids),
    problems(run),
    failures(run, ids),
    gateSections(run, ids),
    comparison(run.gate?.comparison),
    allCases(run, ids),
    environment(run),
    '</main>',
    '</body>',
    '</html>',
  ]
    .filter((s) => s !== '')
    .join('\n')
    .concat('\n');
}
