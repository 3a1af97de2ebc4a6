/** Builds journals the way a run writes them, for tests of the pure result folding. */
import type { JournalEntry } from '../../src/journal/index.js';

export class JournalScript {
  readonly entries: JournalEntry[] = [];
  private boot = 0;
  private seq = 0;
  private ms = 0;

  constructor(env: Partial<{ id: string }> = {}) {
    this.entries.push({
      t: 'run',
      v: 1,
      at: '2026-11-27T10:00:00.000Z',
      id: env.id ?? 'test-run',
      plan: {},
      env: {
        kernel: { spec: 'debian:linux-image-6.12-amd64', release: '6.12.117+deb12-amd64', configSha256: null, source: { type: 'debian' } },
        machine: { name: 'qemu-x86_64', accel: 'tcg' },
        target: 'qemu',
        hilt: { version: '0.1.0', commit: null },
        host: { hostname: 'h', platform: 'linux', release: '6.1' },
        startedAt: '2026-11-27T10:00:00.000Z',
        endedAt: null,
      },
    });
  }

  startBoot(start = 0): this {
    this.boot++;
    this.seq = 0;
    this.entries.push({ t: 'boot', boot: this.boot, start, at: '2026-11-27T10:00:01.000Z', cmdline: [], accel: 'tcg' });
    return this.rec('hello', `v=1 mode=run release=6.12.117+deb12-amd64 start=${start} tests=9`);
  }

  rec(kind: string, p: string): this {
    this.ms += 5;
    this.entries.push({ t: 'rec', boot: this.boot, seq: this.seq++, kind, p, ms: this.ms });
    return this;
  }

  /** Suite output as the agent sends it: the lines read at once in one record. */
  out(_suite: string, ...lines: string[]): this {
    return lines.length ? this.rec('out', lines.join('\n')) : this;
  }

  /** A suite process starting, with the KTAP header hilt suites print. */
  spawn(suite: string, planned: number): this {
    this.rec('spawn', `${suite} ${100 + this.seq}`);
    return this.out(suite, 'KTAP version 1', `# hilt suite ${suite}`, `1..${planned}`);
  }

  con(text: string): this {
    this.entries.push({ t: 'con', boot: this.boot, text, ms: (this.ms += 1) });
    return this;
  }

  /** One hilt-suite case, begin to end, with its KTAP lines. */
  hiltCase(index: number, suite: string, name: string, number: number, ok: boolean, body: string[] = []): this {
    this.rec('begin', `${index} ${suite} ${name}`);
    this.out(suite, ...body, `${ok ? 'ok' : 'not ok'} ${number} ${name}`);
    return this.rec('end', `${index} 3`);
  }

  bootEnd(reason: string): this {
    this.entries.push({ t: 'boot-end', boot: this.boot, reason: reason as never, code: 0, signal: null, stderr: '', ms: (this.ms += 10) });
    return this;
  }

  end(status: 'complete' | 'interrupted' | 'aborted' = 'complete'): this {
    this.entries.push({ t: 'end', at: '2026-11-27T10:00:09.000Z', status });
    return this;
  }
}
