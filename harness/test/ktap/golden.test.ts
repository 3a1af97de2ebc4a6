/**
 * Golden tests: each folder under harness/test/fixtures/ktap/ holds a captured
 * log (input.log) beside the tree it must parse into (expected.json).
 * HILT_UPDATE_GOLDEN=1 rewrites expected.json from the parser; review the diff.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { KTAP_STATUSES, KtapParser, emptyCounts, type KtapNode, type KtapParserOptions } from '../../src/ktap/index.js';
import { LineSplitter } from '../../src/text/line-splitter.js';

const FIXTURES = fileURLToPath(new URL('../../../../harness/test/fixtures/ktap/', import.meta.url));

function parseBytes(bytes: Uint8Array, chunkSize: number, opts: KtapParserOptions = {}): { root: KtapNode; parser: KtapParser } {
  const splitter = new LineSplitter();
  const parser = new KtapParser(opts);
  for (let i = 0; i < bytes.length; i += chunkSize) {
    for (const line of splitter.push(bytes.subarray(i, i + chunkSize))) parser.push(line);
  }
  for (const line of splitter.end()) parser.push(line);
  return { root: parser.end(), parser };
}

function leafCounts(node: KtapNode, counts = emptyCounts()) {
  for (const child of node.children) {
    if (child.children.length === 0) {
      counts[child.status]++;
      counts.total++;
    } else leafCounts(child, counts);
  }
  return counts;
}

function countNodes(node: KtapNode): number {
  return node.children.reduce((n, c) => n + 1 + countNodes(c), 0);
}

const scenarios = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

t.ok(scenarios.length >= 4, 'fixtures found');

for (const scenario of scenarios) {
  t.test(scenario, async (t) => {
    const bytes = readFileSync(join(FIXTURES, scenario, 'input.log'));
    const expectedPath = join(FIXTURES, scenario, 'expected.json');
    const { root, parser } = parseBytes(bytes, bytes.length);
    if (process.env.HILT_UPDATE_GOLDEN === '1') writeFileSync(expectedPath, JSON.stringify(root, null, 2) + '\n');
    const expected = JSON.parse(readFileSync(expectedPath, 'utf8')) as KtapNode;
    t.same(root, expected, 'tree matches expected.json');

    for (const chunk of [1, 3, 64, 4096]) {
      t.same(parseBytes(bytes, chunk).root, expected, `same tree when fed ${chunk}-byte chunks`);
    }

    const fromTree = leafCounts(expected);
    t.same({ ...parser.counts }, { ...fromTree }, 'counts are the leaves of the tree');

    const paths: string[][] = [];
    const streamed = parseBytes(bytes, 4096, { retain: false, onTest: (_node, path) => paths.push(path) });
    t.same(streamed.root.children, [], 'nothing retained');
    t.same({ ...streamed.parser.counts }, { ...fromTree }, 'same counts without retaining');
    t.equal(paths.length, countNodes(expected), 'onTest once per node');
    for (const status of KTAP_STATUSES) t.type(streamed.parser.counts[status], 'number');
  });
}
