/**
 * Errors are values with a kind. The kind decides the exit code: a usage or
 * infrastructure problem (bad input, a kernel that will not download, a boot
 * that never reaches the agent) exits 2, a conformance failure exits 1.
 */
import { forTerminal } from './util/terminal.js';

export type ErrorKind = 'usage' | 'infrastructure' | 'conformance';

export class HiltError extends Error {
  readonly kind: ErrorKind;
  /** What the person should do about it, printed under the message. */
  readonly hint: string | undefined;
  /** Extra evidence (a console tail, a command's stderr), printed after the hint. */
  readonly detail: string | undefined;

  constructor(kind: ErrorKind, message: string, opts: { hint?: string; detail?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HiltError';
    this.kind = kind;
    this.hint = opts.hint;
    this.detail = opts.detail;
  }
}

export const usageError = (message: string, hint?: string) => new HiltError('usage', message, { hint });
export const infraError = (message: string, opts: { hint?: string; detail?: string; cause?: unknown } = {}) =>
  new HiltError('infrastructure', message, opts);

export const EXIT_OK = 0;
export const EXIT_CONFORMANCE = 1;
export const EXIT_INFRA = 2;

export function exitCodeFor(err: unknown): number {
  if (err instanceof HiltError && err.kind === 'conformance') return EXIT_CONFORMANCE;
  return EXIT_INFRA;
}

/** Renders an error for a terminal: message, then hint and detail when present. */
export function formatError(err: unknown): string {
  if (err instanceof HiltError) {
    const parts = [`hilt: ${err.message}`];
    if (err.hint) parts.push(`  ${err.hint}`);
    if (err.detail) parts.push(err.detail.replace(/\n$/, ''));
    return forTerminal(parts.join('\n'));
  }
  const e = err as Error;
  return forTerminal(`hilt: internal error: ${e?.stack ?? String(err)}`);
}
