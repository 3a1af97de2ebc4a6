/**
 * A client of LAVA's REST API v0.2 (lava_rest_app): submit a job, read its
 * state, page through its log as it grows, fetch its results, cancel it.
 * Every request carries `Authorization: Token <token>`; the token is never
 * logged, never put in an error, never written anywhere.
 *
 *   POST /api/v0.2/jobs/                {definition}  -> 201 {job_ids: [N]}
 *   GET  /api/v0.2/jobs/N/                            -> {state, health, ...}
 *   GET  /api/v0.2/jobs/N/logs/?start=L               -> log lines from L (404 while there are none)
 *   GET  /api/v0.2/jobs/N/yaml/                       -> the job's test results
 *   GET  /api/v0.2/jobs/N/cancel/
 */
import { infraError, usageError } from '../errors.js';
import type { LavaRunExit, RunningLavaJob } from './lava-run.js';

/** LAVA's job states (TestJob.STATE_CHOICES) and healths. */
export type LavaJobState = 'Submitted' | 'Scheduling' | 'Scheduled' | 'Running' | 'Canceling' | 'Finished';
export type LavaJobHealth = 'Unknown' | 'Complete' | 'Incomplete' | 'Canceled';

export interface LavaJobStatus {
  id: number;
  state: LavaJobState | string;
  health: LavaJobHealth | string;
  device: string | null;
  submitTime: string | null;
  startTime: string | null;
  endTime: string | null;
}

export type Fetch = typeof fetch;

/** The server's root URL, normalised: scheme and host, any path prefix, no trailing slash. */
export function serverRoot(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usageError(`LAVA server ${JSON.stringify(url)} is not a URL`, 'Give it as https://lava.example.org (the web interface\'s address).');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw usageError(`LAVA server ${url}: only http and https URLs`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/api(\/v0\.2)?$/, '')}`;
}

export const jobUrl = (root: string, id: number | string) => `${root}/scheduler/job/${id}`;

export function parseJobStatus(data: unknown): LavaJobStatus {
  const d = data as Record<string, unknown>;
  if (!d || typeof d !== 'object' || typeof d.id !== 'number' || typeof d.state !== 'string') {
    throw infraError('the LAVA server answered a job query with something that is not a job', { detail: JSON.stringify(data).slice(0, 500) });
  }
  const s = (v: unknown) => (typeof v === 'string' ? v : null);
  return { id: d.id, state: d.state, health: s(d.health) ?? 'Unknown', device: s(d.actual_device), submitTime: s(d.submit_time), startTime: s(d.start_time), endTime: s(d.end_time) };
}

/** A log page: how many log lines it holds (each is one `- {...}` line). */
export function countLogLines(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line.startsWith('- ')) n++;
  return n;
}

export class LavaClient {
  readonly root: string;

  constructor(
    server: string,
    private readonly token: string | null,
    private readonly fetcher: Fetch = fetch,
  ) {
    this.root = serverRoot(server);
  }

  private async request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const url = `${this.root}/api/v0.2/${path}`;
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Token ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.fetcher(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      throw infraError(`cannot reach the LAVA server at ${this.root}: ${(e as Error).message}`, { cause: e });
    }
  }

  private async failed(res: Response, what: string): Promise<never> {
    let text = '';
    try {
      text = (await res.text()).slice(0, 2000);
    } catch {
      // the body is evidence only
    }
    let message = text;
    try {
      const m = (JSON.parse(text) as { message?: string; detail?: string }) ?? {};
      message = m.message ?? m.detail ?? text;
    } catch {
      // not JSON: keep the text
    }
    const hint =
      res.status === 401 || res.status === 403
        ? 'The server refused the token: check the token the lab profile names (an environment variable or a file) and its owner\'s permissions.'
        : undefined;
    throw infraError(`LAVA server ${this.root}: ${what} failed (HTTP ${res.status}): ${message.trim() || res.statusText}`, hint ? { hint } : {});
  }

  async submit(definition: string): Promise<number> {
    const res = await this.request('POST', 'jobs/', { definition });
    if (res.status !== 201 && res.status !== 200) return this.failed(res, 'submitting the job');
    const ids = ((await res.json()) as { job_ids?: number[] }).job_ids;
    if (!ids?.length) throw infraError('the LAVA server accepted the job but named no job id');
    return ids[0]!;
  }

  async status(id: number): Promise<LavaJobStatus> {
    const res = await this.request('GET', `jobs/${id}/`);
    if (!res.ok) return this.failed(res, `reading job ${id}`);
    return parseJobStatus(await res.json());
  }

  /** Log text from line `start` on; empty while there is nothing new. */
  async logs(id: number, start: number): Promise<string> {
    const res = await this.request('GET', `jobs/${id}/logs/?start=${start}`);
    if (res.status === 404) return '';
    if (!res.ok) return this.failed(res, `reading the log of job ${id}`);
    return res.text();
  }

  /** The job's test results, as LAVA exports them (YAML). */
  async results(id: number): Promise<string> {
    const res = await this.request('GET', `jobs/${id}/yaml/`);
    if (!res.ok) return this.failed(res, `reading the results of job ${id}`);
    return res.text();
  }

  async cancel(id: number): Promise<void> {
    const res = await this.request('GET', `jobs/${id}/cancel/`);
    if (!res.ok) return this.failed(res, `canceling job ${id}`);
  }
}

/** Consecutive failed polls after which the server counts as lost. */
const FOLLOW_TRIES = 5;

/**
 * Waits ms, or less when signal aborts. The abort listener goes when the wait
 * ends: a job followed for an hour polls a thousand times on the same signal.
 */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });

/**
 * Submits a job and follows it: its log as it grows (polled), its state for
 * a progress line, until it is Finished and the whole log has been read.
 */
export async function submitAndFollow(
  client: LavaClient,
  definition: string,
  o: { pollMs?: number; onState?: (s: LavaJobStatus) => void } = {},
): Promise<RunningLavaJob> {
  const id = await client.submit(definition);
  const pollMs = o.pollMs ?? 2_000;
  const listeners: ((text: string) => void)[] = [];
  const early: string[] = [];
  const emit = (text: string) => {
    if (listeners.length) for (const l of listeners) l(text);
    else early.push(text);
  };
  const stop = new AbortController();
  let canceled = false;
  /** Set when the server would not take the cancel: stop following rather than wait for a job hilt gave up. */
  let unreachable: string | null = null;
  const follow = async (): Promise<LavaRunExit> => {
    let line = 0;
    let lastState = '';
    for (let failures = 0; ; ) {
      if (unreachable) return { code: null, signal: 'canceled', stdout: unreachable };
      let status: LavaJobStatus;
      let text: string;
      try {
        status = await client.status(id);
        text = await client.logs(id, line);
        failures = 0;
      } catch (e) {
        // A network blip must not lose a job that is running fine: try again, a few times.
        if (++failures >= FOLLOW_TRIES) throw e;
        await sleep(pollMs * failures, stop.signal);
        continue;
      }
      if (status.state + status.health !== lastState) {
        lastState = status.state + status.health;
        o.onState?.(status);
      }
      if (text) {
        line += countLogLines(text);
        emit(text.endsWith('\n') ? text : `${text}\n`);
      }
      if (status.state === 'Finished' && !text) {
        return { code: status.health === 'Complete' ? 0 : 1, signal: canceled ? 'canceled' : null, stdout: '' };
      }
      if (!text) await sleep(pollMs, stop.signal);
    }
  };
  // The job's end never rejects: a server hilt lost is a job that ended without a result.
  const ended = follow().catch((e: Error): LavaRunExit => ({ code: null, signal: 'lost', stdout: `lost the LAVA server: ${e.message}` }));
  return {
    ref: { id: String(id), url: jobUrl(client.root, id) },
    commandLine: ['lavacli', 'jobs', 'show', String(id)],
    onLog(cb) {
      listeners.push(cb);
      for (const text of early.splice(0)) cb(text);
    },
    ended,
    async cancel() {
      canceled = true;
      try {
        await client.cancel(id);
      } catch (e) {
        unreachable = `could not cancel LAVA job ${id}: ${(e as Error).message}`;
      }
      stop.abort();
      return ended;
    },
  };
}
