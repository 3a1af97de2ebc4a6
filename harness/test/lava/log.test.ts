/**
 * LAVA's log back into console bytes. The fixtures are real: logs lava-run
 * (Debian's lava-dispatcher 2023.01) wrote for jobs hilt generated, captured
 * in harness/test/lava/fixtures/<scenario>/ beside the job that made them.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { FrameDecoder } from '../../src/agent-protocol/frame.js';
import { parseRecord } from '../../src/agent-protocol/records.js';
import { consoleText, LavaLogReader, parseLavaLogLine, readLavaLog } from '../../src/lava/log.js';

const FIXTURES = fileURLToPath(new URL('../../../../harness/test/lava/fixtures/', import.meta.url));
const fixture = (scenario: string) => readFileSync(`${FIXTURES}${scenario}/lava-log.yaml`, 'utf8');

/** Every console line through the agent protocol's decoder, as boot-session.ts does. */
function decode(console: Buffer) {
  const decoder = new FrameDecoder();
  const out = console
    .toString('latin1')
    .split('\n')
    .flatMap((l) => decoder.push(l));
  return [...out, ...decoder.end()];
}

t.test('a whole drm-core job: every agent record intact, in order, from hello to done', async (t) => {
  const log = readLavaLog(fixture('drm-core-complete'));
  t.same(log.bad, [], 'every line of the log reads');
  t.same(log.end, { result: 'pass', errorType: null, errorMsg: null });
  const decoded = decode(log.console);
  t.same(
    decoded.filter((d) => d.type === 'corrupt' || d.type === 'gap'),
    [],
    'no record fails its CRC: the quotes LAVA escaped are restored',
  );
  const records = decoded.flatMap((d) => (d.type === 'record' ? [d.record] : []));
  t.same(
    records.map((r) => r.seq),
    records.map((_, i) => i),
    'sequence numbers 0, 1, 2... with no gap',
  );
  t.equal(records[0]!.kind, 'hello');
  t.equal(records.at(-1)!.kind, 'done');
  const begun = records.map(parseRecord).flatMap((r) => (r.kind === 'begin' ? [r.index] : []));
  t.same(begun, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'all 11 drm-core cases began');
  // A payload with JSON in it, as the suite printed it (the log has it as {\"device\"...}).
  const version = records.find((r) => r.kind === 'out' && r.payload.includes('# obs drm.version'));
  t.match(version?.payload, /# obs drm\.version \{"device":"card0","driver":"vgem","major":1,/);
  // The kernel's boot log is there too (LAVA needs it; hilt keeps it as console lines).
  t.ok(decoded.some((d) => d.type === 'console' && /Linux version 6\.12/.test(d.text)));
});

t.test('read in chunks cut anywhere, the log gives the same bytes and the same end', async (t) => {
  const text = fixture('drm-core-complete');
  const whole = readLavaLog(text);
  for (const size of [1, 7, 100, 4096]) {
    const reader = new LavaLogReader();
    const parts: Buffer[] = [];
    let end = null;
    const take = (events: ReturnType<LavaLogReader['push']>) => {
      for (const e of events) {
        if (e.type === 'console') parts.push(e.bytes);
        if (e.type === 'end') end = e.end;
      }
    };
    for (let i = 0; i < text.length; i += size) take(reader.push(text.slice(i, i + size)));
    take(reader.end());
    t.ok(Buffer.concat(parts).equals(whole.console), `chunks of ${size}`);
    t.same(end, whole.end);
  }
});

t.test('the server serves the same lines with "- " in front', async (t) => {
  const text = fixture('drm-core-complete');
  const served = text
    .split('\n')
    .filter(Boolean)
    .map((l) => `- ${l}`)
    .join('\n');
  t.ok(readLavaLog(served).console.equals(readLavaLog(text).console));
});

t.test('a line that is YAML but not JSON is read as YAML', async (t) => {
  // PyYAML writes ESC as \e and other control bytes as \x..; JSON refuses both.
  const entry = parseLavaLogLine('{"dt": "2026-01-01T00:00:00", "lvl": "target", "msg": "a\\eb\\x07c \\"q\\""}');
  t.ok(entry && !('bad' in entry));
  t.equal(consoleText(entry as Exclude<typeof entry, null | { bad: string }>), 'a\x1bb\x07c "q"');
});

t.test('quotes: the backslash LAVA put before each one goes, a backslash of the device stays', async (t) => {
  const line = (msg: string) => ({ dt: '', lvl: 'target', msg });
  // The device sent: say \"hi" (a backslash, then quotes); LAVA logged say \\"hi\".
  t.equal(consoleText(line('say \\\\"hi\\"')), 'say \\"hi"');
  t.equal(consoleText(line('no quotes \\n here')), 'no quotes \\n here', 'the agent\'s own escapes are not LAVA\'s');
  t.equal(consoleText({ dt: '', lvl: 'info', msg: 'x' }), null, 'LAVA\'s own lines are not console');
  t.equal(consoleText({ dt: '', lvl: 'feedback', msg: 'after the monitor', ns: 'common' }), 'after the monitor');
});

t.test('a line that is not LAVA\'s is reported, not fatal', async (t) => {
  const log = readLavaLog('{"dt": "x", "lvl": "target", "msg": "one"}\nTraceback (most recent call last):\n{"dt": "x", "lvl": "target", "msg": "two"}\n');
  t.equal(log.console.toString(), 'one\ntwo\n');
  t.equal(log.bad.length, 1);
  t.match(log.bad[0]!.line, /^Traceback/);
});

t.test('LAVA\'s failures: the job result with its error type and message, LAVA\'s error lines', async (t) => {
  t.same(readLavaLog(fixture('missing-arch')).end, {
    result: 'fail',
    errorType: 'Job',
    errorMsg: 'Invalid job data: ["2.1.1 execute-qemu: Missing \'arch\' in job context"]',
  });
  const prompt = readLavaLog(fixture('wrong-prompt'));
  t.same(prompt.end, { result: 'fail', errorType: 'Infrastructure', errorMsg: 'Connection closed' });
  t.ok(prompt.errors.some((e) => /auto-login-action failed/.test(e)));
  t.same(readLavaLog(fixture('boot-timeout')).end, { result: 'fail', errorType: 'Job', errorMsg: 'auto-login-action timed out after 2 seconds' });
});

t.test('a kernel panic ends the job cleanly, the panic report and its replayed markers in the console', async (t) => {
  const log = readLavaLog(fixture('panic'));
  t.same(log.end, { result: 'pass', errorType: null, errorMsg: null }, 'LAVA does not call a crashing kernel an infrastructure error');
  const text = log.console.toString('latin1');
  t.match(text, /Kernel panic - not syncing: sysrq triggered crash/);
  t.match(text, /hilt: begin faults\/panic/, 'the replayed kernel log names the case that was running');
  t.match(text, /---\[ end Kernel panic/, 'read up to the end of the report (some of it as finalize feedback)');
});
