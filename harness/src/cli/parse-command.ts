/**
 * `hilt parse FILE|-`: runs a KTAP/TAP log through the parser and prints the
 * tree as JSON, or with --summary one line counting leaf cases by status. A
 * kernel panic, oops or BUG in the log ends the test it came in as 'crash'.
 * Exit status: 0 when every case passed or skipped, 1 when one failed,
 * crashed, never finished or never reported, 2 when the log cannot be read.
 */
import { createReadStream } from 'node:fs';
import { classifyKernelLine } from '../console/kernel-events.js';
import { KTAP_STATUSES, KtapParser, type KtapCounts, type KtapNode } from '../ktap/index.js';
import { LineSplitter } from '../text/line-splitter.js';

export interface ParseCommandOptions {
  /** A path, or '-' for standard input. */
  file: string | '-';
  summary: boolean;
}

export interface ParseCommandIo {
  stdout: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  /** Defaults to process.stderr. */
  stderr?: NodeJS.WritableStream;
}

// Larger reads are no faster and keep more garbage (decoded text, buffers) alive between collections.
const READ_CHUNK = 64 * 1024;

export async function parseCommand(opts: ParseCommandOptions, io: ParseCommandIo): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const fromStdin = opts.file === '-';
  const input = fromStdin ? io.stdin : createReadStream(opts.file, { highWaterMark: READ_CHUNK });
  const splitter = new LineSplitter();
  const parser = new KtapParser({ retain: !opts.summary, isCrash: (line) => CRASH_KINDS.has(classifyKernelLine(line) ?? '') });
  try {
    for await (const chunk of input) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
      const lines = splitter.push(bytes);
      for (let i = 0; i < lines.length; i++) parser.push(lines[i]);
    }
  } catch (err) {
    const name = fromStdin ? 'standard input' : opts.file;
    await write(stderr, `hilt parse: cannot read ${name}: ${describeReadError(err)}\n`);
    return 2;
  }
  for (const line of splitter.end()) parser.push(line);
  const root = parser.end();
  if (opts.summary) await write(io.stdout, summaryLine(parser.counts) + '\n');
  else await writeTreeJson(root, io.stdout);
  const c = parser.counts;
  return c.fail + c.crash + c.missing + c.incomplete > 0 || root.status === 'crash' || root.status === 'incomplete' ? 1 : 0;
}

/** The kernel reports that end the test they come in: the kernel is going down, or killed the test. */
const CRASH_KINDS = new Set(['panic', 'oops', 'bug', 'kasan']);

/** Every status in a fixed order, 0 when absent, then the total. */
export function summaryLine(counts: Readonly<KtapCounts>): string {
  const out: Record<string, number> = {};
  for (const status of KTAP_STATUSES) out[status] = counts[status];
  out.total = counts.total;
  return JSON.stringify(out);
}

/**
 * Writes exactly what JSON.stringify(root, null, 2) would, one top-level test
 * at a time: a big log's tree as one string would cost several times its size.
 */
export async function writeTreeJson(root: KtapNode, out: NodeJS.WritableStream): Promise<void> {
  const children = root.children;
  const shell = JSON.stringify({ ...root, children: [] }, null, 2);
  if (children.length === 0) return write(out, shell + '\n');
  // Quotes inside JSON strings are escaped, so the key is found only where it is the key.
  const at = shell.indexOf(CHILDREN_KEY);
  let buffered = shell.slice(0, at) + '"children": [\n';
  for (let i = 0; i < children.length; i++) {
    buffered += '    ' + JSON.stringify(children[i], null, 2).replace(/\n/g, '\n    ') + (i + 1 < children.length ? ',\n' : '\n');
    if (buffered.length >= WRITE_BATCH) {
      await write(out, buffered);
      buffered = '';
    }
  }
  await write(out, buffered + '  ]' + shell.slice(at + CHILDREN_KEY.length) + '\n');
}

const CHILDREN_KEY = '"children": []';
const WRITE_BATCH = 1 << 20;

function describeReadError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return e?.message ?? String(err);
  }
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err?: Error | null) => (err ? reject(err) : resolve()));
  });
}
