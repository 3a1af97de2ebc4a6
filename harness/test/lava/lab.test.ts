/** Lab profiles, tokens, how a job's end reads for hilt, the REST client's pure parts. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { EXIT_INFRA, exitCodeFor, HiltError } from '../../src/errors.js';
import { loadLab, readToken } from '../../src/lava/lab.js';
import { readLavaLog } from '../../src/lava/log.js';
import { lavaJobError } from '../../src/lava/outcome.js';
import { countLogLines, jobUrl, parseJobStatus, serverRoot } from '../../src/lava/rest.js';
import { SchemaRegistry } from '../../src/schemas/registry.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../../../../harness/test/lava/fixtures/', import.meta.url));
const registry = new SchemaRegistry();

function dir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'hilt-lava-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const caught = (fn: () => unknown): HiltError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof HiltError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

t.test('no profile: this host, lava-run, a QEMU device type, files from the cache', async (t) => {
  t.match(loadLab(undefined, registry), { name: 'local', server: null, token: null, deviceType: { name: 'qemu', boot: 'qemu' }, artifacts: null, noKvm: true, deployS: 300 });
});

t.test('a lab profile: server, token source, board device type, artifact folder; the token itself is never in it', async (t) => {
  const d = dir(t);
  const file = join(d, 'lab.yaml');
  writeFileSync(
    file,
    [
      'server: https://lava.example.org',
      'token: { file: token.txt }',
      'deviceType: beaglebone-black',
      'boot: u-boot',
      'kernelType: zimage',
      'tags: [hilt, gpu]',
      'artifacts: { url: "https://files.example.org/hilt/", dir: /srv/www/hilt }',
      'timeouts: { deploy: 600 }',
    ].join('\n'),
  );
  const lab = loadLab(file, registry);
  t.match(lab, {
    name: 'lava.example.org',
    server: 'https://lava.example.org',
    token: { file: join(d, 'token.txt') },
    deviceType: { name: 'beaglebone-black', boot: 'u-boot', kernelType: 'zimage', commands: 'ramdisk' },
    tags: ['hilt', 'gpu'],
    artifacts: { url: 'https://files.example.org/hilt/', dir: '/srv/www/hilt' },
    deployS: 600,
    noKvm: false,
  });
  t.match(loadLab(file, registry, { deviceType: 'x86', tags: ['other'] }), { deviceType: { name: 'x86', boot: 'ipxe' }, tags: ['other'] });

  writeFileSync(file, 'server: https://lava.example.org\ndeviceType: qemu\nqemu: { noKvm: true }\n');
  t.equal(loadLab(file, registry).noKvm, true, "a server's workers without KVM, as the profile says: TCG with the profile's threading");
  writeFileSync(file, 'deviceType: qemu\ntoken: "abc123"\n');
  t.match(caught(() => loadLab(file, registry)), { kind: 'usage', message: /lava-lab\.schema\.json[\s\S]*\/token/ }, 'a token written into the profile is refused');
  writeFileSync(file, 'deviceType: my-board\n');
  t.match(caught(() => loadLab(file, registry)), { kind: 'usage', message: /my-board.*boot method/ });
});

t.test('the token: from the environment or a file, at run time, with a clear refusal', async (t) => {
  t.equal(readToken({ env: 'LAVA_TOKEN' }, { LAVA_TOKEN: ' s3cret\n' }), 's3cret');
  t.match(caught(() => readToken({ env: 'LAVA_TOKEN' }, {})), { kind: 'usage', message: /\$LAVA_TOKEN, which is not set/ });
  const d = dir(t);
  writeFileSync(join(d, 'token'), 's3cret\n');
  chmodSync(join(d, 'token'), 0o600);
  t.equal(readToken({ file: join(d, 'token') }), 's3cret');
  writeFileSync(join(d, 'token'), 'two words\n');
  t.match(caught(() => readToken({ file: join(d, 'token') })), { message: /must hold the token alone/ });
  t.match(caught(() => readToken({ file: join(d, 'none') })), { message: /cannot be read: ENOENT/ });
  t.equal(readToken(null), null);
});

t.test('a job LAVA ended with an error is an infrastructure error with LAVA\'s message; one that passed or hilt canceled is not', async (t) => {
  const ref = { id: '42', url: 'https://lava.example.org/scheduler/job/42' };
  const log = (s: string) => readLavaLog(readFileSync(`${FIXTURES}${s}/lava-log.yaml`, 'utf8'));
  const arch = log('missing-arch');
  const e = lavaJobError(arch.end, { ref, canceledByHilt: false, errors: arch.errors });
  t.ok(e);
  t.equal(e!.kind, 'infrastructure');
  t.equal(exitCodeFor(e), EXIT_INFRA, 'exit 2, never a conformance failure');
  t.match(e!.message, /^LAVA job 42 \(https:\/\/lava\.example\.org\/scheduler\/job\/42\) failed with a LAVA Job error: .*Missing 'arch' in job context/);
  const prompt = log('wrong-prompt');
  t.match(lavaJobError(prompt.end, { ref, canceledByHilt: false, errors: prompt.errors }), { message: /Infrastructure error: Connection closed/, hint: /lab/, detail: /auto-login-action failed/ });
  t.equal(lavaJobError(log('drm-core-complete').end, { ref, canceledByHilt: false, errors: [] }), null);
  t.equal(lavaJobError(log('panic').end, { ref, canceledByHilt: false, errors: [] }), null, 'a kernel panic is the kernel\'s, judged from the console');
  const canceled = { result: 'fail', errorType: 'Canceled', errorMsg: 'The job was canceled' };
  t.equal(lavaJobError(canceled, { ref, canceledByHilt: true, errors: [] }), null, 'hilt\'s own watchdog canceled it: already journaled');
  t.match(lavaJobError(canceled, { ref, canceledByHilt: false, errors: [] }), { message: /Canceled error/ }, 'someone in the lab canceled it');
  t.match(lavaJobError(null, { ref, canceledByHilt: false, errors: [], dispatcherExit: 'signal SIGKILL' }), { message: /ended without a result \(signal SIGKILL\)/ });
});

t.test('REST: the server root, job URLs, job status, log pages', async (t) => {
  t.equal(serverRoot('https://lava.example.org/'), 'https://lava.example.org');
  t.equal(serverRoot('https://lab.example.org/lava/api/v0.2/'), 'https://lab.example.org/lava');
  t.match(caught(() => serverRoot('lava.example.org')), { kind: 'usage' });
  t.equal(jobUrl('https://lava.example.org', 7), 'https://lava.example.org/scheduler/job/7');
  t.same(parseJobStatus({ id: 7, state: 'Running', health: 'Unknown', actual_device: 'qemu-01', submit_time: '2026-01-01T00:00:00Z', start_time: null, end_time: null }), {
    id: 7,
    state: 'Running',
    health: 'Unknown',
    device: 'qemu-01',
    submitTime: '2026-01-01T00:00:00Z',
    startTime: null,
    endTime: null,
  });
  t.match(caught(() => parseJobStatus({ detail: 'Not found.' })), { kind: 'infrastructure' });
  t.equal(countLogLines('- {"dt": "a", "lvl": "info", "msg": "x"}\n- {"dt": "b", "lvl": "target", "msg": "y"}\n'), 2);
});
