/**
 * The stylesheet of report.html, inlined into the page: the report is one
 * file that opens from a CI artifact store or a mail attachment with no
 * network, so no font, script or image is fetched from anywhere.
 * Status colours are the same in the count tiles, the matrix and the badges.
 */
export const HTML_STYLE = `
:root {
  --pass: #1a7f37; --fail: #cf222e; --skip: #6e7781; --timeout: #bc4c00; --crash: #8250df;
  --incomplete: #9a6700; --warn: #9e6a03; --dmesg-warn: #b08800; --dmesg-fail: #d1242f; --abort: #24292f;
  --line: #d0d7de; --muted: #57606a; --bg-soft: #f6f8fa;
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1f2328; background: #fff; }
main { max-width: 1200px; margin: 0 auto; padding: 0 20px 40px; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 6px; }
h4 { font-size: 13px; margin: 12px 0 4px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
header.run { padding: 16px 20px; border-bottom: 4px solid var(--skip); background: var(--bg-soft); }
header.run.verdict-pass { border-color: var(--pass); }
header.run.verdict-fail { border-color: var(--fail); }
header.run.verdict-infra { border-color: var(--abort); }
header.run .inner { max-width: 1160px; margin: 0 auto; }
.facts { display: flex; flex-wrap: wrap; gap: 2px 22px; color: var(--muted); margin-top: 6px; }
.facts b { color: #1f2328; font-weight: 600; }
.run-error { margin-top: 10px; padding: 8px 12px; border-left: 4px solid var(--abort); background: #fff; }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 18px 0 4px; }
.count { min-width: 92px; padding: 8px 12px; border-radius: 6px; color: #fff; background: var(--c, var(--skip)); }
.count .n { display: block; font-size: 24px; font-weight: 700; line-height: 1.1; }
.count .label { font-size: 12px; }
.count.zero { background: #fff; color: var(--muted); border: 1px solid var(--line); }
.count.total { background: #fff; color: #1f2328; border: 2px solid #1f2328; }
.st-pass { --c: var(--pass); } .st-fail { --c: var(--fail); } .st-skip { --c: var(--skip); }
.st-timeout { --c: var(--timeout); } .st-crash { --c: var(--crash); } .st-incomplete { --c: var(--incomplete); }
.st-warn { --c: var(--warn); } .st-dmesg-warn { --c: var(--dmesg-warn); } .st-dmesg-fail { --c: var(--dmesg-fail); } .st-abort { --c: var(--abort); }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; background: var(--c, var(--skip)); white-space: nowrap; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--bg-soft); font-weight: 600; font-size: 12.5px; }
table.matrix, table.boots { width: auto; }
table.matrix td.n, table.matrix th.n { text-align: right; min-width: 58px; }
table.matrix td.hit { color: #fff; font-weight: 700; background: var(--c); }
table.matrix td.hit.st-pass, table.matrix td.hit.st-skip { color: var(--c); background: none; }
.problems li { margin-bottom: 8px; overflow-wrap: anywhere; }
.problems .kmsg pre { margin-top: 4px; }
.case { border: 1px solid var(--line); border-left: 5px solid var(--c, var(--skip)); border-radius: 6px; padding: 10px 14px; margin: 0 0 14px; }
.case h3 .meta { font-weight: 400; color: var(--muted); font-size: 12.5px; margin-left: 6px; }
.case .message { padding: 6px 10px; background: #fff8f8; border-radius: 4px; }
.case table { font-size: 13px; }
.case td:not(.msg) { width: 1%; white-space: nowrap; }
.case details { margin-top: 10px; }
.case summary { cursor: pointer; color: #0969da; }
.console pre, .kmsg pre { padding: 8px 10px; background: #0d1117; color: #e6edf3; border-radius: 4px; }
.console .bad { color: #ff7b72; font-weight: 700; }
.violations .data { display: block; color: var(--muted); margin: 2px 0 4px; overflow-wrap: anywhere; }
tr.suite th { background: #eaeef2; font-size: 13.5px; }
tr.suite th .meta { font-weight: 400; color: var(--muted); margin-left: 8px; }
table.all td.name { white-space: nowrap; width: 1%; }
th { white-space: nowrap; }
td.dur { text-align: right; color: var(--muted); white-space: nowrap; }
td.msg { color: var(--muted); overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.ok-note { color: var(--pass); font-weight: 600; }
dl.env { display: grid; grid-template-columns: max-content 1fr; gap: 2px 18px; margin: 0; }
dl.env dt { color: var(--muted); }
dl.env dd { margin: 0; overflow-wrap: anywhere; }
.gtiles { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0 2px; }
.gcount { min-width: 120px; border-radius: 6px; border: 2px solid var(--g, var(--skip)); }
.gcount > a, .gcount > span.n { color: inherit; }
.gcount a, .gcount { display: block; padding: 6px 12px; color: #1f2328; text-decoration: none; }
.gcount a { padding: 0; }
.gcount .n { display: block; font-size: 22px; font-weight: 700; line-height: 1.1; color: var(--g, var(--skip)); }
.gcount .label { font-size: 12px; }
.gcount.zero { border-color: var(--line); color: var(--muted); }
.gcount.zero .n { color: var(--muted); }
.gc-new-failure { --g: var(--fail); } .gc-expected-failure { --g: var(--skip); } .gc-unexpected-pass { --g: var(--incomplete); }
.gc-flake { --g: var(--dmesg-warn); } .gc-pass { --g: var(--pass); } .gc-skip { --g: var(--skip); }
.gtag { display: inline-block; margin-left: 4px; padding: 0 6px; border-radius: 10px; font-size: 11.5px; border: 1px solid var(--g); color: var(--g); white-space: nowrap; }
.gate-reason { margin: 6px 0; color: var(--muted); }
.repro pre, pre.repro { padding: 6px 10px; background: var(--bg-soft); border: 1px solid var(--line); border-radius: 4px; user-select: all; }
table.gclass td.name { white-space: nowrap; width: 1%; }
table.changes { width: auto; }
ul.obs-changes { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; padding-left: 18px; }
ul.obs-changes li.unack { color: var(--fail); }
tr.passes td, tr.skips td { background: var(--bg-soft); }
/* A 100,000-case page: what is off screen is not laid out or painted until it scrolls into view. */
.case, .suite-block, section.gclass { content-visibility: auto; contain-intrinsic-size: auto 240px; }
.suite-block table.all { margin-bottom: 0; }
`;
