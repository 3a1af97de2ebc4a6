/**
 * Hand-made RunResults for the report tests: a run with one case of every
 * status that is not pass or skip, schema violations, kernel messages,
 * problems, and console text as hostile as a kernel can print. Valid against
 * results.schema.json, so `hilt report` accepts them too.
 */
import type { CaseResult, KernelMessage, Observation, RunResult, Status, SuiteResult } from '../../src/results/model.js';
import { emptyCounts } from '../../src/results/model.js';

export const VERSION_SCHEMA = 'https://hilt.dev/schemas/v1/observations/drm.version.schema.json';

/**
 * What a dying kernel, a misbehaving suite or a noisy serial line can put in
 * a console line: terminal escapes, NUL and BEL, markup that would end a
 * script or open a comment, a CDATA end, lone surrogates, a C1 control, a
 * noncharacter, a carriage return, and a line far longer than a screen.
 */
export const HOSTILE_LINE =
  '\x1b[31mred\x1b[0m \x00\x07 </script><script>alert(1)</script> <!-- open <img src="http://127.0.0.1:9/leak.png"> ]]> &amp; ' +
  'lone \ud800 and \udc00, C1 \x85, nonchar \ufdd0, cr\r end ' +
  'y'.repeat(10_000);

/** A case name a whole-program KTAP suite could print. */
export const HOSTILE_NAME = `odd "<b>name</b>" & 'quote' <!--`;

export function aCase(name: string, status: Status, extra: Partial<CaseResult> = {}): CaseResult {
  return {
    name,
    status,
    message: status === 'pass' ? '' : `${name} went ${status}`,
    durationMs: 12,
    console: [],
    kernelLog: [],
    observations: [],
    subtests: [],
    attempts: 1,
    ...extra,
  };
}

function obs(type: string, data: Record<string, unknown>, violations: Observation['verdicts'][number]['violations'] = []): Observation {
  return { type, data, verdicts: [{ schema: `https://hilt.dev/schemas/v1/observations/${type}.schema.json`, ok: !violations.length, violations }] };
}

const kmsg = (level: number, tsUs: number, text: string, counted: boolean): KernelMessage => ({ level, tsUs, text, counted });

function suite(name: string, cases: CaseResult[], mode: 'cases' | 'whole' = 'cases'): SuiteResult {
  const order: Status[] = ['abort', 'crash', 'timeout', 'incomplete', 'dmesg-fail', 'fail', 'dmesg-warn', 'pass', 'skip'];
  const status = cases.map((c) => c.status).reduce((a, b) => (order.indexOf(a) <= order.indexOf(b) ? a : b), 'skip' as Status);
  return { name, mode, status, durationMs: cases.reduce((n, c) => n + (c.durationMs ?? 0), 0), exits: [{ code: 0, signal: null }], cases };
}

export function runOf(suites: SuiteResult[], extra: Partial<RunResult> = {}): RunResult {
  const counts = emptyCounts();
  for (const s of suites) {
    for (const c of s.cases) {
      counts[c.status]++;
      counts.total++;
    }
  }
  return {
    $schema: 'https://hilt.dev/schemas/v1/results.schema.json',
    id: '0b7c1f3e-report-test',
    status: 'complete',
    error: null,
    environment: {
      kernel: { spec: 'debian:linux-image-6.12-amd64', release: '6.12.117+deb12-amd64', configSha256: null, source: { type: 'debian' } },
      machine: { name: 'qemu-x86_64', type: 'qemu', arch: 'x86_64', accel: 'tcg', memoryMb: 1024 },
      target: 'qemu',
      hilt: { version: '0.1.0', commit: '6783bf5f303be3b8df686bc560bf709d99a32a81' },
      host: { hostname: 'ci-runner', platform: 'linux', release: '6.1.0' },
      startedAt: '2026-11-27T10:49:29.822Z',
      endedAt: '2026-11-27T10:49:34.380Z',
    },
    plan: {},
    counts,
    suites,
    boots: [
      { boot: 1, start: 0, accel: 'tcg', reason: 'panic', durationMs: 3500, helloMs: 2370 },
      { boot: 2, start: 4, accel: 'tcg', reason: 'poweroff', durationMs: 2100, helloMs: 1900 },
    ],
    problems: [],
    bootLog: [],
    ...extra,
  };
}

/** drm-core/version is the first case in run order that did not pass. */
export function failingRun(): RunResult {
  const card0 = aCase('card0', 'fail', {
    message: `observation drm.version breaks its schema: ${VERSION_SCHEMA} at /driver: must match pattern "^[a-z0-9_]+$"`,
    durationMs: null,
    observations: [
      obs('drm.version', { device: 'card0', driver: 'vgem', name: 'Bad Driver!', date: '27-11-2026' }, [
        { schema: VERSION_SCHEMA, path: '/name', rule: 'pattern at #/properties/name/pattern', message: 'must match pattern "^[a-z0-9_]+$"' },
        { schema: VERSION_SCHEMA, path: '/date', rule: 'pattern at #/properties/date/pattern', message: 'must match pattern "^[0-9]{8}$|^0$"' },
      ]),
    ],
  });
  const card1 = aCase('card1', 'pass', { durationMs: null, observations: [obs('drm.version', { device: 'card1', driver: 'virtio_gpu' })] });
  const drmCore = suite('drm-core', [
    aCase('open', 'pass', { subtests: [aCase('card0', 'pass', { observations: [obs('drm.node', { device: 'card0', driver: 'vgem' })] })] }),
    aCase('version', 'fail', {
      message: `card0: ${card0.message}`,
      subtests: [card0, card1],
      console: ['    KTAP version 1', '    not ok 1 card0', '    ok 2 card1', 'not ok 2 version'],
    }),
    aCase('get-cap', 'skip', { message: 'skipped: vgem does not advertise DRM_CAP_SYNCOBJ' }),
  ]);
  const syncobj = suite('syncobj', [
    aCase('wait', 'crash', {
      message: 'the kernel panicked during this test (boot 1): Kernel panic - not syncing: Fatal exception',
      kernelLog: [kmsg(1, 3_412_345, 'BUG: kernel NULL pointer dereference, address: 0000000000000008', true), kmsg(6, 3_412_500, 'vgem: an uncounted info line', false)],
      console: ['ok 1 card1', '[    3.412345] BUG: kernel NULL pointer dereference, address: 0000000000000008', HOSTILE_LINE, '[    3.413000] Kernel panic - not syncing: Fatal exception'],
    }),
    aCase('wait-for-submit', 'incomplete', { message: 'the machine went down before this test gave a verdict', durationMs: null }),
  ]);
  const dmaBuf = suite('dma-buf', [
    aCase('mmap', 'timeout', { message: 'no verdict within 30 s; the agent killed it (SIGKILL)', console: ['    KTAP version 1'] }),
    aCase(HOSTILE_NAME, 'dmesg-warn', {
      message: `the kernel warned: WARNING: CPU: 1 PID: 212 at drivers/dma-buf/dma-buf.c:1234 ${HOSTILE_LINE.slice(0, 120)}`,
      kernelLog: [kmsg(4, 2_100_000, 'WARNING: CPU: 1 PID: 212 at drivers/dma-buf/dma-buf.c:1234 dma_buf_export+0x2b/0x50', true)],
    }),
    aCase('sync', 'pass'),
  ]);
  const igt = suite('igt-core', [aCase('core_auth', 'pass'), aCase('core_getversion', 'abort', { message: 'hilt was stopped' })], 'whole');
  return runOf([drmCore, syncobj, dmaBuf, igt], {
    problems: [
      'boot 1: a console record was corrupted (checksum): HILT 42 case-end drm-core \ufffd\ufffd',
      `console of boot 1 before it stopped:\n[    3.412800]  drm_syncobj_wait_ioctl+0x12c/0x1f0 [drm]\n${HOSTILE_LINE}`,
    ],
    bootLog: [kmsg(4, 1_000_000, 'WARNING: CPU: 0 PID: 1 at drivers/gpu/drm/drm_probe.c:99 probe_boot_warning', true), kmsg(6, 1_000_100, 'an info line at boot', false)],
  });
}

/** Names, in run order, of the cases the page must list as failures. */
export function problemCases(run: RunResult): { suite: string; kase: CaseResult }[] {
  return run.suites.flatMap((s) => s.cases.filter((c) => c.status !== 'pass' && c.status !== 'skip').map((kase) => ({ suite: s.name, kase })));
}
