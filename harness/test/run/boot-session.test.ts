/**
 * The boot session against a scripted console (a fake machine: this is a unit
 * test of the session's own logic; the real thing is in test/e2e).
 */
import t from 'tap';
import { encodeFrame } from '../../src/agent-protocol/frame.js';
import { CONSOLE_MAX_LINE_BYTES, runBoot } from '../../src/run/boot-session.js';
import type { JournalEntry } from '../../src/journal/index.js';
import type { Machine, MachineExit } from '../../src/targets/target.js';

class ScriptedMachine implements Machine {
  readonly commandLine = ['fake'];
  private listener: ((chunk: Buffer) => void) | null = null;
  private resolveExit!: (e: MachineExit) => void;
  readonly exited = new Promise<MachineExit>((r) => (this.resolveExit = r));
  killed = false;
  onConsole(cb: (chunk: Buffer) => void): void {
    this.listener = cb;
  }
  write(): void {}
  send(text: string | Buffer): void {
    this.listener?.(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  }
  powerOff(): void {
    this.resolveExit({ code: 0, signal: null, stderr: '' });
  }
  async kill(): Promise<MachineExit> {
    this.killed = true;
    this.resolveExit({ code: null, signal: 'SIGKILL', stderr: '' });
    return this.exited;
  }
}

function session(m: ScriptedMachine, over: Partial<Parameters<typeof runBoot>[0]> = {}) {
  const journal: JournalEntry[] = [];
  const outcome = runBoot({
    machine: m,
    boot: 1,
    journal: (e) => journal.push(e),
    bootTimeoutMs: 5_000,
    silenceTimeoutMs: 5_000,
    caseGraceMs: 200,
    runDeadline: null,
    timeoutOf: () => 300,
    signal: new AbortController().signal,
    ...over,
  });
  return { journal, outcome };
}

const frames = (...recs: [string, string][]) => recs.map(([k, p], i) => encodeFrame(i, k, p) + '\r\n').join('');

t.test('a clean boot: records journaled in order, powered off after done', async (t) => {
  const m = new ScriptedMachine();
  const { journal, outcome } = session(m);
  m.send('[    0.000000] Linux version 6.12\r\n' + frames(['hello', 'v=1 mode=run start=0 tests=1'], ['begin', '0 s a'], ['end', '0 1'], ['done', '1']));
  m.powerOff();
  const o = await outcome;
  t.match(o, { reason: 'poweroff', hello: true, done: true, open: null, began: [0] });
  t.same(journal.map((e) => (e.t === 'rec' ? e.kind : e.t)), ['con', 'hello', 'begin', 'end', 'done', 'boot-end']);
});

t.test('a NUL flood without a newline stays within the line cap and is reported', async (t) => {
  const m = new ScriptedMachine();
  const { journal, outcome } = session(m);
  m.send(frames(['hello', 'v=1']));
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < 32; i++) m.send(chunk); // 32 MiB, no newline
  m.send('\r\n' + encodeFrame(1, 'done', '0') + '\r\n');
  m.powerOff();
  const o = await outcome;
  t.equal(o.done, true, 'the agent is heard again after the flood');
  const con = journal.filter((e) => e.t === 'con') as Extract<JournalEntry, { t: 'con' }>[];
  t.ok(con.every((e) => e.text.length <= CONSOLE_MAX_LINE_BYTES + 100), 'no console line kept beyond the cap');
  t.match(journal.filter((e) => e.t === 'note'), [{ text: /a console line longer than 16384 bytes cut, 33538048 bytes dropped/ }]);
});

t.test('watchdogs: no agent in time, a silent machine, a case overrunning its timeout', async (t) => {
  {
    const m = new ScriptedMachine();
    const { journal, outcome } = session(m, { bootTimeoutMs: 300 });
    m.send('[    0.000000] Linux version 6.12\r\n');
    const o = await outcome;
    t.match(o, { reason: 'boot-timeout', hello: false });
    t.ok(m.killed);
    t.match(journal.find((e) => e.t === 'watchdog'), { kind: 'boot', detail: /did not reach the hilt agent within 0.3 s/ });
  }
  {
    const m = new ScriptedMachine();
    const { journal, outcome } = session(m, { silenceTimeoutMs: 300 });
    m.send(frames(['hello', 'v=1'], ['begin', '0 s a']));
    const o = await outcome;
    t.match(o, { reason: 'silence', open: 0 });
    t.match(journal.find((e) => e.t === 'watchdog'), { kind: 'silence', index: 0 });
  }
  {
    const m = new ScriptedMachine();
    const { outcome } = session(m, { silenceTimeoutMs: 10_000 });
    m.send(frames(['hello', 'v=1'], ['begin', '0 s a']));
    const beat = setInterval(() => m.send('[   1.000000] still printing\r\n'), 50);
    const o = await outcome;
    clearInterval(beat);
    t.match(o, { reason: 'case-timeout', open: 0 }, 'timeout 300 ms + grace 200 ms, though the console never went quiet');
  }
});

t.test('a panic on the console: the boot ends as a panic even if the machine hangs after it', async (t) => {
  const m = new ScriptedMachine();
  const { outcome } = session(m);
  m.send(frames(['hello', 'v=1'], ['begin', '0 s a']) + '[    3.1] Kernel panic - not syncing: sysrq triggered crash\r\n');
  const o = await outcome; // PANIC_GRACE_MS later the session stops the machine itself
  t.match(o, { reason: 'panic', open: 0 });
  t.ok(m.killed);
});

t.test('an abort (Ctrl-C) powers the machine off and says so', async (t) => {
  const m = new ScriptedMachine();
  const ac = new AbortController();
  const { outcome } = session(m, { signal: ac.signal });
  m.send(frames(['hello', 'v=1'], ['begin', '0 s a']));
  setTimeout(() => ac.abort(), 50);
  t.match(await outcome, { reason: 'interrupted', open: 0 });
  t.ok(m.killed);
});
