/**
 * LAVA job definitions: a golden QEMU job (written by hand, compared byte for
 * byte), the board variants, and every variant through LAVA's own schema in
 * strict mode (Debian's lava-common), as a server checks a submitted job.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { HiltError } from '../../src/errors.js';
import { type LavaDeviceType, resolveDeviceType } from '../../src/lava/device-types.js';
import { buildLavaJob, type LavaJob, type LavaJobInput, lavaJobYaml } from '../../src/lava/job.js';
import { lavaSchemaMissing, lavaValidate } from './lava-schema.js';

const FIXTURES = fileURLToPath(new URL('../../../../harness/test/lava/fixtures/jobs/', import.meta.url));

const deviceType = (choice: Parameters<typeof resolveDeviceType>[0]): LavaDeviceType => {
  const dt = resolveDeviceType(choice);
  if (typeof dt === 'string') throw new Error(dt);
  return dt;
};

const input = (over: Partial<LavaJobInput> = {}): LavaJobInput => ({
  name: 'hilt drm-core on 6.12.117+deb12-amd64 (11 tests)',
  deviceType: deviceType({ name: 'qemu' }),
  tags: ['hilt'],
  priority: 'medium',
  visibility: 'public',
  kernel: { url: 'https://files.example.org/hilt/vmlinuz', sha256: 'a'.repeat(64) },
  ramdisk: { url: 'https://files.example.org/hilt/initramfs.cpio', sha256: 'b'.repeat(64) },
  dtb: null,
  cmdline: ['console=ttyS0,115200', 'panic=0', 'hilt.mode=run', 'hilt.start=0'],
  qemu: { memoryMb: 1024, options: ['-smp 2', '-device virtio-gpu-pci', '-no-reboot', '-vga none'] },
  timeouts: { job: 600, deploy: 300, boot: 120, test: 60 },
  context: {},
  metadata: {},
  ...over,
});

const actions = (job: LavaJob) => job.actions as Record<string, Record<string, unknown>>[];

t.test('a QEMU job: deploy tmpfs, boot qemu up to the agent\'s hello, a monitor to its done', async (t) => {
  const yaml = lavaJobYaml(buildLavaJob(input()), ['hilt test job']);
  t.equal(yaml, readFileSync(`${FIXTURES}qemu.yaml`, 'utf8'));
});

const boards: [string, Parameters<typeof resolveDeviceType>[0], Partial<LavaJobInput>][] = [
  ['x86 (iPXE)', { name: 'x86' }, {}],
  [
    'a u-boot board with a device tree',
    { name: 'beaglebone-black', boot: 'u-boot', arch: 'arm', console: 'ttyS0', kernelType: 'zimage', ramdiskHeader: 'u-boot' },
    { dtb: { url: 'https://files.example.org/hilt/am335x-boneblack.dtb', sha256: 'c'.repeat(64) } },
  ],
  ['a grub board', { name: 'd03', boot: 'grub', arch: 'arm64' }, {}],
];

t.test('boards: deploy tftp, the initramfs left alone, the bootloader\'s ramdisk commands, hilt\'s words as extra_kernel_args', async (t) => {
  for (const [what, choice, over] of boards) {
    const dt = deviceType(choice);
    const job = buildLavaJob(input({ deviceType: dt, qemu: null, cmdline: ['panic=0', 'hilt.mode=run', 'hilt.start=0'], ...over }));
    const [deploy, boot] = [actions(job)[0]!.deploy!, actions(job)[1]!.boot!];
    t.equal(job.device_type, choice.name, what);
    t.equal(deploy.to, 'tftp');
    t.match(deploy.ramdisk, { install_modules: false, install_overlay: false }, `${what}: LAVA must not unpack the initramfs`);
    t.same(boot.commands, 'ramdisk');
    t.equal(boot.method, dt.boot);
    t.same(boot.timeouts, { 'connect-device': { seconds: 60 } }, 'the console connection may stay quiet as long as the tests may run');
    t.equal((job.context as Record<string, unknown>).extra_kernel_args, 'panic=0 hilt.mode=run hilt.start=0');
    t.notOk('arch' in (job.context as object), 'context.arch is for QEMU device types');
  }
  const uboot = buildLavaJob(input({ deviceType: deviceType(boards[1]![1]), qemu: null, ...boards[1]![2] }));
  t.match(actions(uboot)[0]!.deploy, { kernel: { type: 'zimage' }, ramdisk: { header: 'u-boot' }, dtb: { sha256sum: 'c'.repeat(64) } });
  t.equal((uboot.context as Record<string, unknown>).console_device, 'ttyS0');
});

t.test('every variant passes LAVA\'s own schema, strict', { skip: lavaSchemaMissing() ?? false }, async (t) => {
  const jobs = [
    lavaJobYaml(buildLavaJob(input())),
    lavaJobYaml(buildLavaJob(input({ priority: 80, visibility: 'personal', tags: [], context: { boot_console: 'ttyS0' }, metadata: { 'hilt.tests': '11' } }))),
    ...boards.map(([, choice, over]) => lavaJobYaml(buildLavaJob(input({ deviceType: deviceType(choice), qemu: null, ...over })))),
  ];
  t.same(lavaValidate(jobs), jobs.map(() => null));
  // The check itself can fail: a context variable LAVA does not know, a zero timeout.
  const bad = lavaValidate([
    lavaJobYaml(buildLavaJob(input({ context: { no_such_variable: 1 } }))),
    lavaJobYaml(buildLavaJob(input())).replace('seconds: 600', 'seconds: 0'),
  ]);
  t.match(bad, [/context/, /timeout|job/]);
});

t.test('a kernel command line word that the job cannot carry is refused, naming it', async (t) => {
  let error: unknown;
  try {
    buildLavaJob(input({ cmdline: ['dyndbg="file drm* +p"'] }));
  } catch (e) {
    error = e;
  }
  t.ok(error instanceof HiltError && error.kind === 'usage', 'a usage error');
  t.match((error as Error).message, /dyndbg=.*a space, a quote or a backslash/);
});

t.test('device types: well-known names have defaults, other names must say how they boot', async (t) => {
  t.match(resolveDeviceType({ name: 'qemu' }), { boot: 'qemu', arch: 'amd64', console: 'ttyS0' });
  t.match(resolveDeviceType({ name: 'x86' }), { boot: 'ipxe', console: null, commands: 'ramdisk' });
  t.match(resolveDeviceType({ name: 'my-board' }), /my-board.*boot method/);
  t.match(resolveDeviceType({ name: 'my-board', boot: 'u-boot' }), { boot: 'u-boot', commands: 'ramdisk', console: null });
});
