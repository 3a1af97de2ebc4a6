/**
 * report.html: what the page shows for a run with failures, that nothing a
 * kernel prints can break out of it, that writeReports and `hilt report`
 * write it, and what headless Chromium makes of it (DOM, screenshot, network).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import t from 'tap';
import { HTML_FILE, writeReports } from '../../src/cli/reports.js';
import { buildHtml } from '../../src/report/html.js';
import type { RunResult } from '../../src/results/model.js';
import { STATUSES } from '../../src/results/model.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { runHilt, tempDir } from '../helpers.js';
import { chromiumMissing, countColour, decodePng, render } from './chromium.js';
import { HOSTILE_NAME, VERSION_SCHEMA, aCase, failingRun, problemCases, runOf } from './fixture.js';

/** How the page escapes text without control characters (all the names the tests compare). */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** How Chromium's serializer writes text content in --dump-dom. */
const domText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
/** An attribute value as written by the page or by Chromium's serializer, which escape differently. */
const attr = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);

function tiles(html: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of html.matchAll(/<div class="count[^"]*" data-status="([^"]+)"><span class="n">(\d+)<\/span>/g)) out[m[1]!] = Number(m[2]);
  return out;
}

interface Card {
  suite: string;
  kase: string;
  status: string;
  body: string;
}

/** The failure cards in page order; Chromium's serializer writes the attributes in the order the page has them. */
function cards(html: string): Card[] {
  const re = /<section class="case st-[a-z-]+" id="[^"]+" data-suite="([^"]*)" data-case="([^"]*)" data-status="([a-z-]+)">([\s\S]*?)<\/section>/g;
  return [...html.matchAll(re)].map((m) => ({ suite: attr(m[1]!), kase: attr(m[2]!), status: m[3]!, body: m[4]! }));
}

const expectedCards = (run: RunResult) => problemCases(run).map((p) => ({ suite: p.suite, kase: p.kase.name, status: p.kase.status }));
const head = (c: Card) => ({ suite: c.suite, kase: c.kase, status: c.status });

t.test('the page is one well-formed document: xmllint reads it as XML and as HTML', async (t) => {
  const html = buildHtml(failingRun());
  t.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
  t.equal(html.split('</html>').length, 2, 'exactly one </html>');
  t.equal(html.split('<body>').length, 2, 'exactly one <body>');
  // The page is also well-formed XML, so an unbalanced tag from the data would fail here.
  t.doesNotThrow(() => execFileSync('xmllint', ['--noout', '-'], { input: html, stdio: ['pipe', 'pipe', 'pipe'] }), 'xmllint --noout');
  // libxml2's HTML parser predates HTML5: it only may not know the HTML5 elements.
  const r = spawnSync('xmllint', ['--html', '--noout', '-'], { input: html, encoding: 'utf8' });
  const errors = r.stderr.split('\n').filter((l) => /parser error/.test(l) && !/Tag (header|main|section|details|summary) invalid/.test(l));
  t.same(errors, [], 'xmllint --html: no error but unknown HTML5 tags');
});

t.test('the counts by status and the total are at the top, colour-coded, zeros muted', async (t) => {
  const run = failingRun();
  const html = buildHtml(run);
  const want = Object.fromEntries([...STATUSES, 'total' as const].map((s) => [s, run.counts[s]]));
  t.same(tiles(html), want);
  t.same(Object.keys(tiles(html)), [...STATUSES, 'total'], 'in the vocabulary order');
  t.match(html, '<div class="count st-crash" data-status="crash"><span class="n">1</span>');
  t.match(html, '<div class="count st-dmesg-fail zero" data-status="dmesg-fail"><span class="n">0</span>');
  t.ok(html.indexOf('class="counts"') < html.indexOf('class="matrix"'), 'counts before the matrix');
  t.match(html, /<title>hilt complete: 1 fail, 1 timeout, 1 crash, 1 incomplete, 1 dmesg-warn, 1 abort — 6\.12\.117\+deb12-amd64<\/title>/);
});

t.test('the matrix has a row per suite with its counts by status', async (t) => {
  const run = failingRun();
  const html = buildHtml(run);
  for (const suite of run.suites) {
    const row = new RegExp(`<tr data-suite="${suite.name}">(.*?)</tr>`).exec(html)?.[1] ?? '';
    const hits = Object.fromEntries([...row.matchAll(/<td class="n hit st-([a-z-]+)">(\d+)<\/td>/g)].map((m) => [m[1], Number(m[2])]));
    const want: Record<string, number> = {};
    for (const c of suite.cases) want[c.status] = (want[c.status] ?? 0) + 1;
    t.same(hits, want, suite.name);
    t.match(row, `<span class="badge st-${suite.status}">${suite.status}</span>`);
  }
});

t.test('every case that did not pass or skip comes first, in run order, with its evidence', async (t) => {
  const run = failingRun();
  const html = buildHtml(run);
  const found = cards(html);
  t.same(found.map(head), expectedCards(run));
  t.ok(html.indexOf('id="problems"') < html.indexOf('id="failures"'), 'problems, then failures');
  t.ok(html.indexOf('id="failures"') < html.indexOf('id="all"'), 'failures, then all cases');

  const version = found[0]!;
  t.match(version.body, esc(run.suites[0]!.cases[1]!.message), 'the message');
  t.match(version.body, /<tr><td[^>]*>card0<\/td><td>vgem<\/td><td><span class="badge st-fail">fail<\/span><\/td>/, 'subtest with its driver');
  t.match(version.body, /<tr><td[^>]*>card1<\/td><td>virtio_gpu<\/td><td><span class="badge st-pass">pass<\/span><\/td>/);
  for (const [path, rule] of [
    ['/name', 'pattern at #/properties/name/pattern'],
    ['/date', 'pattern at #/properties/date/pattern'],
  ]) {
    t.match(version.body, `<tr><td class="mono">${VERSION_SCHEMA}</td><td class="mono">${path}</td><td class="mono">${rule}</td>`, `violation at ${path}`);
  }
  t.match(version.body, 'must match pattern &quot;^[a-z0-9_]+$&quot;');
  t.match(version.body, '<code>drm.version</code> on <b>card0</b>');
  t.match(version.body, /<details class="console"><summary>console \(4 lines\)<\/summary><pre>[^]*<span class="bad">    not ok 1 card0<\/span>/);

  const crash = found.find((c) => c.status === 'crash')!;
  t.match(crash.body, /Kernel messages that count against it<\/h4><pre>\[ +3\.412345\] &lt;1&gt; BUG: kernel NULL pointer dereference/);
  t.notMatch(html, 'an uncounted info line', 'kernel messages that do not count are left out');
  t.match(crash.body, '<span class="bad">[    3.413000] Kernel panic - not syncing: Fatal exception</span>');
  t.notMatch(crash.body, '<details open', 'console excerpts start collapsed');

  const all = html.slice(html.indexOf('id="all"'));
  t.match(all, /<td class="name">get-cap<\/td><td><span class="badge st-skip">skip<\/span><\/td><td class="dur">12 ms<\/td><td class="msg">skipped: vgem does not advertise DRM_CAP_SYNCOBJ<\/td>/, 'skips with their reason');
  t.match(all, /<td class="name"><a href="#c-drm-core\.version">version<\/a><\/td>/, 'failures link to their card');
  t.match(all, /<th colspan="4">igt-core <span class="badge st-abort">abort<\/span><span class="meta">run whole · 2 cases/);
});

t.test('problems of the run and kernel warnings from boot are listed', async (t) => {
  const html = buildHtml(failingRun());
  const section = /<section class="problems" id="problems">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  t.match(section, '<h2>Problems of the run (3)</h2>');
  t.match(section, '<li>boot 1: a console record was corrupted (checksum): HILT 42 case-end drm-core \ufffd\ufffd</li>');
  t.match(section, /<li>console of boot 1 before it stopped:<div class="kmsg"><pre>\[    3\.412800\]  drm_syncobj_wait_ioctl/);
  t.match(section, /kernel warnings while booting[^]*&lt;4&gt; WARNING: CPU: 0 PID: 1 at drivers\/gpu\/drm\/drm_probe\.c:99/);
  t.notMatch(section, 'an info line at boot');
  t.match(html, /<tr><td>1<\/td><td>1<\/td><td>tcg<\/td><td><b>panic<\/b><\/td>/, 'the boot that panicked stands out');
});

t.test('nothing from the result can break out of the page', async (t) => {
  const run = failingRun();
  const html = buildHtml(run);
  t.notMatch(html, /<script/i, 'no script element, not even from console text');
  t.notMatch(html, /<img/i);
  t.notMatch(html, '<!--', 'the page has no comment for console text to open');
  t.match(html, '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- open &lt;img src=&quot;http://127.0.0.1:9/leak.png&quot;&gt; ]]&gt; &amp;amp;');
  t.notMatch(html, /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/, 'no control character, no terminal escape');
  t.notMatch(html, /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/, 'no lone surrogate');
  t.notMatch(html, /\p{Noncharacter_Code_Point}/u, 'no noncharacter');
  t.match(html, 'red \ufffd\ufffd &lt;/script&gt;', 'escapes stripped, controls replaced');
  t.notMatch(html, /y{2001}/, 'a very long line is cut');
  t.match(html, /y{1000} … \[\d+ more characters in results\.json\]/);
  // A hostile case name stays one attribute value and one text.
  const card = cards(html).find((c) => c.status === 'dmesg-warn')!;
  t.equal(card.kase, HOSTILE_NAME);
  t.match(html, `data-case="${esc(HOSTILE_NAME)}"`);
  t.match(card.body, `<span class="path">dma-buf / ${esc(HOSTILE_NAME)}</span>`);
  // The page loads nothing: links are fragments that exist, no attribute fetches, no CSS URL.
  const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
  const hrefs = [...html.matchAll(/ href="([^"]*)"/g)].map((m) => m[1]!);
  t.ok(hrefs.length > 5);
  t.same(hrefs.filter((h) => !h.startsWith('#') || !ids.has(h.slice(1))), [], 'every link is to an anchor on the page');
  // Text never holds a raw '<' and attribute values never a raw '>', so this finds every tag.
  const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
  t.same(tags.filter((tag) => /\s(src|srcset|action|formaction|poster|background|ping|data)\s*=/i.test(tag)), [], 'no attribute that fetches');
  t.same([...new Set(tags.map((tag) => /^<([a-zA-Z0-9]+)/.exec(tag)![1]!.toLowerCase()))].filter((n) => ['script', 'img', 'iframe', 'object', 'embed', 'link', 'base', 'form'].includes(n)), []);
  t.notMatch(html, /url\(|@import/i);
  t.match(html, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'" />`);
});

t.test('an aborted run shows its error; a run that never ended says so', async (t) => {
  const base = failingRun();
  const run = runOf(base.suites.slice(0, 1), {
    status: 'aborted',
    error: { kind: 'infra', message: 'QEMU exited: <boom> & gone' },
    environment: { ...base.environment, endedAt: null },
  });
  const html = buildHtml(run);
  t.match(html, '<header class="run verdict-infra">');
  t.match(html, '<span class="run-status" data-status="aborted">aborted</span>: did not finish');
  t.match(html, '<b>infra error:</b> <pre>QEMU exited: &lt;boom&gt; &amp; gone</pre>');
  t.match(html, '<span>ended <b>never (the run did not end)</b></span>');
});

t.test('a run where every case passed or skipped says so', async (t) => {
  const run = runOf([{ name: 'drm-core', mode: 'cases', status: 'pass', durationMs: 5, exits: [], cases: [aCase('open', 'pass'), aCase('x', 'skip')] }], { boots: [] });
  const html = buildHtml(run);
  t.match(html, '<header class="run verdict-pass">');
  t.match(html, '<h2>Cases that did not pass (0)</h2>\n<p class="ok-note">Every case passed or was skipped.</p>');
  t.notMatch(html, 'id="problems"');
  t.match(html, 'The machine never booted.');
});

t.test('writeReports writes report.html; hilt report regenerates it from results.json', async (t) => {
  const dir = tempDir(t);
  const run = failingRun();
  const registry = new SchemaRegistry();
  t.same(registry.validate('results.schema.json', run), [], 'the fixture is a valid results.json');
  const files = await writeReports(dir, run, registry);
  t.same(files.map((f) => basename(f)), ['results.json', 'junit.xml', HTML_FILE]);
  const written = readFileSync(join(dir, HTML_FILE), 'utf8');
  t.equal(written, buildHtml(run));

  rmSync(join(dir, HTML_FILE));
  const r = await runHilt(['report', join(dir, 'results.json')]);
  t.equal(r.code, 1, `conformance failures exit 1 (stderr: ${r.stderr})`);
  t.match(r.stderr, join(dir, HTML_FILE));
  t.equal(readFileSync(join(dir, HTML_FILE), 'utf8'), written, 'the same page from results.json');
});

t.test('in headless Chromium: the counts and the first failure show, the page is styled, nothing is fetched', async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.fail(missing);
  const dir = tempDir(t);
  const run = failingRun();
  const page = join(dir, 'report.html');
  writeFileSync(page, buildHtml(run));
  const r = await render(page, { width: 1280, height: 2000 });
  if (process.env.HILT_SCREENSHOT_DIR) {
    mkdirSync(process.env.HILT_SCREENSHOT_DIR, { recursive: true });
    copyFileSync(page, join(process.env.HILT_SCREENSHOT_DIR, 'report.html'));
    writeFileSync(join(process.env.HILT_SCREENSHOT_DIR, 'report.png'), r.png);
  }

  // The DOM as Chromium parsed it: what the result says, and the hostile text stayed text.
  t.same(tiles(r.dom), Object.fromEntries([...STATUSES, 'total' as const].map((s) => [s, run.counts[s]])), 'counts');
  const found = cards(r.dom);
  t.same(found.map(head), expectedCards(run), 'failures in run order');
  t.same(head(found[0]!), { suite: 'drm-core', kase: 'version', status: 'fail' }, 'the first failure');
  t.match(found[0]!.body, domText(run.suites[0]!.cases[1]!.message));
  t.notMatch(r.dom, /<script|<img|<iframe|<object|<embed|<link/i, 'no element from console text');
  t.match(r.dom, '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  t.equal(r.dom.split('<details class="console">').length - 1, found.filter((c) => c.body.includes('<details')).length, 'console excerpts collapsed');

  t.same(r.pageRequests, [], 'the page made no network request');

  // The screenshot: a real render with the stylesheet applied (status colours from html-style.ts).
  const img = decodePng(r.png);
  t.same([img.width, img.height], [1280, 2000]);
  for (const [what, colour] of [
    ['fail', '#cf222e'],
    ['pass', '#1a7f37'],
    ['crash', '#8250df'],
    ['timeout', '#bc4c00'],
  ]) {
    t.ok(countColour(img, colour!) > 1500, `${what} colour (${colour}) painted`);
  }
});

t.test('the network check sees a request when a page makes one', async (t) => {
  const missing = chromiumMissing();
  if (missing) return t.fail(missing);
  const dir = tempDir(t);
  const page = join(dir, 'probe.html');
  writeFileSync(page, '<!DOCTYPE html><html><head><meta charset="utf-8"><title>probe</title></head><body><img src="http://example.invalid/probe.png"></body></html>');
  const r = await render(page, { width: 400, height: 300 });
  t.same(r.pageRequests, ['http://example.invalid/probe.png'], 'so an empty list above means nothing was fetched');
});
