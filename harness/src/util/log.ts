/**
 * Progress for people: one status line on stderr that long steps update in
 * place on a terminal, and plain lines when stderr is a file or a CI log.
 */
export interface Log {
  /** A lasting line: what was decided or found. */
  info(message: string): void;
  /** A transient status line for long work; replaced by the next one on a terminal. */
  progress(message: string): void;
  warn(message: string): void;
}

import { forTerminal } from './terminal.js';

export function stderrLog(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Log {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  let transient = false;
  const clear = () => {
    if (transient) stream.write('\r\x1b[K');
    transient = false;
  };
  return {
    info(message) {
      if (opts.quiet) return;
      clear();
      stream.write(`hilt: ${forTerminal(message)}\n`);
    },
    progress(message) {
      if (opts.quiet) return;
      if (!tty) {
        stream.write(`hilt: ${forTerminal(message)}\n`);
        return;
      }
      const width = (stream.columns || 100) - 1;
      stream.write(`\r\x1b[K${`hilt: ${forTerminal(message)}`.slice(0, width)}`);
      transient = true;
    },
    warn(message) {
      clear();
      stream.write(`hilt: warning: ${forTerminal(message)}\n`);
    },
  };
}

export const silentLog: Log = { info() {}, progress() {}, warn() {} };
