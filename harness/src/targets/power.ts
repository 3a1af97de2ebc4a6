/**
 * Switching a machine on and off, the two ways labs do it: a pdudaemon server
 * (the daemon LAVA labs run in front of their PDUs; hilt calls its HTTP API,
 * GET /power/control/{on,off}?hostname=PDU&port=OUTLET, which answers once the
 * PDU has switched), or commands from the machine profile (argv lists). A
 * request that fails or hangs is tried again as the profile says; then it is
 * an infrastructure error carrying what each try said, secrets blanked out.
 */
import { infraError } from '../errors.js';
import type { PowerSettings } from '../plan/types.js';
import { runArgv } from './command.js';
import { redact, secretEnv } from './secrets.js';

export type PowerOp = 'on' | 'off';

export interface PowerControl {
  on(): Promise<void>;
  off(): Promise<void>;
  /** How it is done, for reports: "pdudaemon http://pdu:16421 pdu1 port 3" or the on command. */
  describe(): string;
}

export type Fetch = typeof fetch;

const RETRY_PAUSE_MS = 1000;

/** pdudaemon's request URL for op. Pure. */
export function pdudaemonUrl(p: NonNullable<PowerSettings['pdudaemon']>, op: PowerOp): string {
  const q = new URLSearchParams({ hostname: p.hostname, port: String(p.port) });
  return `${p.url.replace(/\/+$/, '')}/power/control/${op}?${q}`;
}

export function describePower(s: PowerSettings): string {
  if (s.pdudaemon) return `pdudaemon ${s.pdudaemon.url} ${s.pdudaemon.hostname} port ${s.pdudaemon.port}`;
  return `commands on: ${JSON.stringify(s.commands?.on)} off: ${JSON.stringify(s.commands?.off)}`;
}

/** What went wrong in one try, and what the command said. */
interface Failure {
  why: string;
  said: string;
}

/** One try: null when it worked. */
async function tryOnce(s: PowerSettings, op: PowerOp, fetcher: Fetch): Promise<Failure | null> {
  const seconds = s.timeoutMs / 1000;
  if (s.pdudaemon) {
    const url = pdudaemonUrl(s.pdudaemon, op);
    try {
      const r = await fetcher(url, { signal: AbortSignal.timeout(s.timeoutMs) });
      const body = (await r.text()).trim().slice(0, 2000);
      return r.ok ? null : { why: `pdudaemon answered HTTP ${r.status}`, said: body };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError') return { why: `pdudaemon did not answer within ${seconds} s`, said: '' };
      return { why: `pdudaemon at ${s.pdudaemon.url} cannot be reached (${err.cause?.code ?? err.message})`, said: '' };
    }
  }
  const argv = op === 'on' ? s.commands!.on : s.commands!.off;
  const { vars, values } = secretEnv(s.secrets);
  const r = await runArgv(argv, { timeoutMs: s.timeoutMs, env: vars });
  const said = redact(r.output.trim(), values).split('\n').slice(-20).join('\n');
  if (r.error) return { why: r.error, said };
  if (r.timedOut) return { why: `${JSON.stringify(argv)} did not finish within ${seconds} s (killed)`, said };
  if (r.code !== 0) return { why: `${JSON.stringify(argv)} failed (${r.code !== null ? `exit code ${r.code}` : `signal ${r.signal}`})`, said };
  return null;
}

export function powerControl(machine: string, s: PowerSettings, o: { fetcher?: Fetch; onRetry?: (op: PowerOp, why: string) => void } = {}): PowerControl {
  const fetcher = o.fetcher ?? fetch;
  // A secret that is not there is bad input: say so now, not when the board is already on.
  secretEnv(s.secrets);
  const request = async (op: PowerOp) => {
    const failures: Failure[] = [];
    for (let attempt = 0; attempt <= s.retries; attempt++) {
      if (attempt) await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      const failed = await tryOnce(s, op, fetcher);
      if (failed === null) return;
      failures.push(failed);
      if (attempt < s.retries) o.onRetry?.(op, failed.why);
    }
    const tries = failures.length === 1 ? 'once' : `${failures.length} times`;
    throw infraError(`powering ${machine} ${op} failed (tried ${tries}): ${failures[failures.length - 1]!.why}`, {
      hint: op === 'off' ? `${machine} may still be on: switch it off by hand (${describePower(s)}).` : `Check the power settings of the machine profile (${describePower(s)}).`,
      detail: failures
        .map((f, i) => `try ${i + 1}: ${f.why}; ${f.said ? `it said:\n${f.said.split('\n').map((l) => `    ${l}`).join('\n')}` : 'it said nothing'}`)
        .join('\n'),
    });
  };
  return { on: () => request('on'), off: () => request('off'), describe: () => describePower(s) };
}
