/**
 * Parses one log in non-retaining mode and prints what it cost, as JSON. Run
 * in its own process by benchKtapParse so that its peak RSS is the parse's alone.
 *
 *   node dist/harness/bench/ktap-parse-child.js LOG
 */
import { createReadStream, statSync } from 'node:fs';
import { KtapParser } from '../src/ktap/index.js';
import { LineSplitter } from '../src/text/line-splitter.js';

export interface ParseChildResult {
  bytes: number;
  seconds: number;
  lines: number;
  counts: Record<string, number>;
  maxRssKb: number;
}

async function main(path: string): Promise<void> {
  const bytes = statSync(path).size;
  const started = process.hrtime.bigint();
  const splitter = new LineSplitter();
  const parser = new KtapParser({ retain: false });
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    const batch = splitter.push(chunk as Buffer);
    lines += batch.length;
    for (let i = 0; i < batch.length; i++) parser.push(batch[i]);
  }
  for (const line of splitter.end()) {
    lines++;
    parser.push(line);
  }
  parser.end();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: ParseChildResult = {
    bytes,
    seconds,
    lines,
    counts: { ...parser.counts },
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: ktap-parse-child.js LOG\n');
  process.exit(2);
}
await main(path);
