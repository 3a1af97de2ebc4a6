/** From a run plan to a LAVA job's inputs: command line words, QEMU options, timeouts, names. */
import t from 'tap';
import { HiltError } from '../../src/errors.js';
import { resolveDeviceType, type LavaDeviceType } from '../../src/lava/device-types.js';
import { lavaKernelWords, lavaQemuOptions, lavaTimeouts, planJobInput } from '../../src/lava/plan-job.js';
import { DEFAULT_DMESG, DEFAULT_MACHINE, DEFAULT_TIMEOUTS } from '../../src/plan/defaults.js';
import type { RunPlan } from '../../src/plan/types.js';
import { X86_64 } from '../../src/targets/qemu-profiles.js';
import { bootRange } from '../../src/targets/lava.js';

const dt = (name: string, boot?: LavaDeviceType['boot']) => resolveDeviceType({ name, ...(boot ? { boot } : {}) }) as LavaDeviceType;

const plan = (over: Partial<RunPlan> = {}): RunPlan => ({
  kernel: 'debian:linux-image-6.12-amd64',
  machine: { ...DEFAULT_MACHINE, cmdline: ['drm.debug=0x4'] },
  suites: [],
  tests: [
    { index: 0, suite: 'drm-core', case: 'version', timeoutMs: 30_000 },
    { index: 1, suite: 'drm-core', case: 'get-cap', timeoutMs: 30_000 },
    { index: 2, suite: 'prime', case: 'self-import', timeoutMs: 60_000 },
  ],
  out: '/tmp/reports',
  timeouts: { ...DEFAULT_TIMEOUTS },
  dmesg: DEFAULT_DMESG,
  profiles: [],
  retries: 0,
  abortOn: [],
  jobs: 1,
  repeat: 1,
  ...over,
});

t.test('QEMU: the qemu target\'s words, without quiet, panic=0, the console at 115200, then the machine\'s and the boot\'s', async (t) => {
  const words = lavaKernelWords(dt('qemu'), X86_64.cmdline, ['drm.debug=0x4'], ['hilt.mode=run', 'hilt.start=2']);
  t.equal(words[0], 'console=ttyS0,115200');
  t.notOk(words.includes('quiet'), 'LAVA waits for the kernel banner, which quiet hides');
  t.ok(words.includes('panic=0') && !words.includes('panic=-1'), 'the kernel stops after a panic report instead of rebooting');
  t.ok(words.includes('panic_print=0x20'), 'and replays its log, markers included');
  t.same(words.slice(-3), ['drm.debug=0x4', 'hilt.mode=run', 'hilt.start=2']);
  t.equal(words.filter((w) => w.startsWith('console=')).length, 1);
});

t.test('boards: no console word (the device dictionary sets it), no VM-only words', async (t) => {
  const words = lavaKernelWords(dt('x86'), X86_64.cmdline, [], ['hilt.mode=run', 'hilt.start=0']);
  t.same(words, ['panic=0', 'panic_print=0x20', 'hilt.mode=run', 'hilt.start=0']);
});

t.test('QEMU options: CPUs, devices, no reboot, no VGA, firmware, extra arguments', async (t) => {
  t.same(lavaQemuOptions({ ...DEFAULT_MACHINE, cpus: 4, extraArgs: ['-cpu', 'max'] }, '/usr/share/qemu/qboot.rom'), [
    '-smp 4',
    '-device virtio-gpu-pci',
    '-no-reboot',
    '-vga none',
    '-bios /usr/share/qemu/qboot.rom',
    '-cpu',
    'max',
  ]);
  t.same(lavaQemuOptions(DEFAULT_MACHINE, null, true).slice(-1), ['-accel tcg,thread=single'], 'a worker without KVM runs TCG as the profile says (single-threaded by default)');
  t.notOk(lavaQemuOptions(DEFAULT_MACHINE, null).some((o) => o.startsWith('-accel')), 'a worker that may have KVM is left to choose');
  let error: unknown;
  try {
    lavaQemuOptions({ ...DEFAULT_MACHINE, extraArgs: ['-name', 'my vm'] }, null);
  } catch (e) {
    error = e;
  }
  t.ok(error instanceof HiltError && error.kind === 'usage' && /my vm/.test(error.message));
});

t.test('timeouts from the watchdogs: boot as it is; tests: each case timeout plus grace, plus one silence period', async (t) => {
  const p = plan();
  // (30 + 15) + (30 + 15) + (60 + 15) + 30 = 195
  t.same(lavaTimeouts(p.timeouts, p.tests, 300), { deploy: 300, boot: 120, test: 195, job: 300 + 120 + 195 + 120 });
  t.same(lavaTimeouts({ ...p.timeouts, runMs: 100_000 }, p.tests, 60).test, 100, 'never more than the run timeout');
  t.same(lavaTimeouts({ ...p.timeouts, bootMs: 1_500 }, p.tests.slice(2), 60), { deploy: 60, boot: 2, test: 105, job: 287 }, 'rounded up, only the boot\'s tests');
});

t.test('a job per boot: its name says which tests, its timeouts count only those', async (t) => {
  const base = {
    plan: plan(),
    deviceType: dt('qemu'),
    release: '6.12.117+deb12-amd64',
    kernel: { url: 'file:///k', sha256: 'a'.repeat(64) },
    ramdisk: { url: 'file:///r', sha256: 'b'.repeat(64) },
    archWords: X86_64.cmdline,
  };
  const all = planJobInput({ ...base, bootWords: ['hilt.mode=run', 'hilt.start=0'], start: 0, count: 3 });
  t.equal(all.name, 'hilt drm-core prime on 6.12.117+deb12-amd64 (3 tests)');
  t.same(all.metadata, { 'hilt.kernel': 'debian:linux-image-6.12-amd64', 'hilt.release': '6.12.117+deb12-amd64', 'hilt.tests': '3' });
  t.same(all.qemu, { memoryMb: 1024, options: ['-smp 2', '-device virtio-gpu-pci', '-no-reboot', '-vga none'] });
  const rest = planJobInput({ ...base, bootWords: ['hilt.mode=run', 'hilt.start=1'], start: 1, count: 2 });
  t.equal(rest.name, 'hilt drm-core prime on 6.12.117+deb12-amd64 (tests 2-3 of 3)');
  const one = planJobInput({ ...base, bootWords: ['hilt.mode=run', 'hilt.start=2', 'hilt.count=1'], start: 2, count: 1 });
  t.equal(one.name, 'hilt prime on 6.12.117+deb12-amd64 (test 3 of 3)');
  t.equal(one.timeouts.test, 60 + 15 + 30);
  t.equal(planJobInput({ ...base, deviceType: dt('x86'), bootWords: [], start: 0, count: 3 }).qemu, null);
});

t.test('a boot\'s range from its words, as the executor writes them', async (t) => {
  t.same(bootRange(['hilt.mode=run', 'hilt.start=0'], 11), { start: 0, count: 11 });
  t.same(bootRange(['hilt.mode=run', 'hilt.start=4'], 11), { start: 4, count: 7 });
  t.same(bootRange(['hilt.mode=run', 'hilt.start=4', 'hilt.count=1'], 11), { start: 4, count: 1 });
  t.same(bootRange(['hilt.mode=shell'], 11), { start: 0, count: 11 });
});
