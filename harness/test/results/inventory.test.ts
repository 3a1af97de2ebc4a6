/**
 * The machine's inventory from the agent's records (real records, from the
 * lab board's first boot in QEMU), the accelerator check a profile asks for,
 * and the JUnit properties; every expected value written by hand.
 */
import t from 'tap';
import { InventoryCollector, checkAccelerators, describeInventory, inventoryProperties } from '../../src/results/inventory.js';

/** Journal lines of a real boot (a QEMU board with virtio-gpu, vgem loaded), as the journal holds them. */
const BOOT = [
  { t: 'rec', boot: 1, seq: 0, kind: 'hello', p: 'v=1 mode=run release=6.12.117+deb12-amd64 start=0 tests=11' },
  { t: 'rec', boot: 1, seq: 15, kind: 'inv', p: 'pci 0000:00:03.0 1af4:1050 1af4:1100 038000 virtio-pci' },
  { t: 'rec', boot: 1, seq: 16, kind: 'inv', p: 'node /dev/dri/card1 virtio_gpu 0.1.0' },
  { t: 'rec', boot: 1, seq: 17, kind: 'inv', p: 'node /dev/dri/renderD129 virtio_gpu 0.1.0' },
  { t: 'rec', boot: 1, seq: 18, kind: 'inv', p: 'node /dev/dri/card0 vgem 1.0.0' },
  { t: 'rec', boot: 1, seq: 19, kind: 'inv', p: 'node /dev/dri/renderD128 vgem 1.0.0' },
  { t: 'rec', boot: 1, seq: 20, kind: 'inv', p: 'cmdline initrd=initrd.cpio console=ttyS0 panic=0 quiet hilt.mode=run hilt.start=0' },
  { t: 'rec', boot: 1, seq: 21, kind: 'spawn', p: 'drm-core 77' },
] as const;

const reboot = (boot: number, changes: Record<number, string> = {}) => BOOT.map((e, i) => ({ ...e, boot, p: changes[i] ?? e.p }));

t.test('the records of a boot make its inventory; the command line closes it', async (t) => {
  const c = new InventoryCollector();
  const said = BOOT.map((e) => c.pushEntry(e));
  t.same(said, [null, null, null, null, null, null, 'complete', null], 'complete at the command line, once');
  t.same(c.first(), {
    boot: 1,
    release: '6.12.117+deb12-amd64',
    hosted: false,
    cmdline: 'initrd=initrd.cpio console=ttyS0 panic=0 quiet hilt.mode=run hilt.start=0',
    pci: [{ slot: '0000:00:03.0', vendor: '1af4', device: '1050', subsystemVendor: '1af4', subsystemDevice: '1100', class: '038000', driver: 'virtio-pci', firmware: {} }],
    nodes: [
      { path: '/dev/dri/card1', driver: 'virtio_gpu', version: '0.1.0', error: null },
      { path: '/dev/dri/renderD129', driver: 'virtio_gpu', version: '0.1.0', error: null },
      { path: '/dev/dri/card0', driver: 'vgem', version: '1.0.0', error: null },
      { path: '/dev/dri/renderD128', driver: 'vgem', version: '1.0.0', error: null },
    ],
  });
  t.equal(
    describeInventory(c.first()!),
    '0000:00:03.0 1af4:1050 (virtio-pci); /dev/dri/card1 virtio_gpu 0.1.0; /dev/dri/renderD129 virtio_gpu 0.1.0; /dev/dri/card0 vgem 1.0.0; /dev/dri/renderD128 vgem 1.0.0',
  );
  t.same(c.changes(), [], 'one boot: nothing changed');
});

t.test("the files the plan asked about: present, absent with the agent's error; a malformed line is not one", async (t) => {
  const c = new InventoryCollector();
  c.pushEntry({ boot: 1, seq: 0, kind: 'hello', p: 'v=1 mode=run release=6.12.117 start=0 tests=1' });
  c.pushEntry({ boot: 1, seq: 1, kind: 'inv', p: 'path /dev/dma_heap/system ok chr' });
  c.pushEntry({ boot: 1, seq: 2, kind: 'inv', p: 'path /dev/udmabuf - No such file or directory' });
  c.pushEntry({ boot: 1, seq: 3, kind: 'inv', p: 'path /dev/x maybe' });
  t.equal(c.pushEntry({ boot: 1, seq: 4, kind: 'inv', p: 'cmdline quiet' }), 'complete');
  t.same(c.of(1)?.paths, [
    { path: '/dev/dma_heap/system', error: null },
    { path: '/dev/udmabuf', error: 'No such file or directory' },
  ]);
});

t.test('an agent that said less: the first suite closes the inventory; hosted, unbound, firmware and errors read', async (t) => {
  const c = new InventoryCollector();
  c.pushEntry({ boot: 2, seq: 0, kind: 'hello', p: 'v=1 mode=run release=6.8.0 start=0 tests=3 hosted=1' });
  c.pushEntry({ boot: 2, seq: 1, kind: 'inv', p: 'pci 0000:41:00.0 10de:2330 10de:16c1 030200 - vbios_version=96.00.74.00.01 fw_version=535.1' });
  c.pushEntry({ boot: 2, seq: 2, kind: 'inv', p: 'node /dev/accel/accel0 - Permission denied' });
  t.equal(c.pushEntry({ boot: 2, seq: 3, kind: 'begin', p: '0' }), 'complete');
  t.same(c.of(2), {
    boot: 2,
    release: '6.8.0',
    hosted: true,
    cmdline: null,
    pci: [{ slot: '0000:41:00.0', vendor: '10de', device: '2330', subsystemVendor: '10de', subsystemDevice: '16c1', class: '030200', driver: null, firmware: { vbios_version: '96.00.74.00.01', fw_version: '535.1' } }],
    nodes: [{ path: '/dev/accel/accel0', driver: null, version: null, error: 'Permission denied' }],
  });
  t.equal(describeInventory(c.of(2)!), '0000:41:00.0 10de:2330 (no driver); /dev/accel/accel0 (Permission denied)');
});

t.test('a later boot that shows another machine is a problem of the run; the command line may differ', async (t) => {
  const c = new InventoryCollector();
  for (const e of [...BOOT, ...reboot(2, { 6: 'cmdline hilt.start=5' }), ...reboot(3, { 1: 'pci 0000:00:03.0 1af4:1050 1af4:1100 038000 -' })]) c.pushEntry(e);
  t.same(c.changes(), [
    'boot 3 showed a different machine from boot 1: 0000:00:03.0 1af4:1050 (no driver); /dev/dri/card1 virtio_gpu 0.1.0; /dev/dri/renderD129 virtio_gpu 0.1.0; /dev/dri/card0 vgem 1.0.0; /dev/dri/renderD128 vgem 1.0.0 (boot 1: 0000:00:03.0 1af4:1050 (virtio-pci); /dev/dri/card1 virtio_gpu 0.1.0; /dev/dri/renderD129 virtio_gpu 0.1.0; /dev/dri/card0 vgem 1.0.0; /dev/dri/renderD128 vgem 1.0.0)',
  ]);
});

t.test('the accelerators a profile demands: by PCI ids and driver, by node driver, by count', async (t) => {
  const c = new InventoryCollector();
  for (const e of BOOT) c.pushEntry(e);
  const inv = c.first()!;
  const d = (o: { vendor?: string; device?: string; driver?: string; count?: number }) => ({ vendor: o.vendor ?? null, device: o.device ?? null, driver: o.driver ?? null, count: o.count ?? 1 });
  t.equal(checkAccelerators(inv, [d({ vendor: '1af4', device: '1050', driver: 'virtio-pci' }), d({ driver: 'vgem', count: 2 }), d({ driver: 'virtio_gpu' })], 'b1'), null, 'all there');
  t.equal(checkAccelerators(inv, [], 'b1'), null, 'nothing demanded');
  t.equal(
    checkAccelerators(inv, [d({ vendor: '10de', driver: 'nvidia' }), d({ driver: 'vgem', count: 3 }), d({ vendor: '1af4' })], 'gpu-box'),
    'machine gpu-box must show PCI device 10de:* bound to nvidia (found 0), 3 × DRM or accel node of driver vgem (found 2); boot 1 shows 0000:00:03.0 1af4:1050 (virtio-pci); /dev/dri/card1 virtio_gpu 0.1.0; /dev/dri/renderD129 virtio_gpu 0.1.0; /dev/dri/card0 vgem 1.0.0; /dev/dri/renderD128 vgem 1.0.0',
  );
  t.match(checkAccelerators(inv, [d({ vendor: '1af4', device: '1050', driver: 'amdgpu' })], 'b1'), /PCI device 1af4:1050 bound to amdgpu \(found 0\)/, 'the right device bound to another driver is not it');
  const nothing = new InventoryCollector();
  nothing.pushEntry({ boot: 1, seq: 0, kind: 'hello', p: 'v=1 mode=run release=x start=0 tests=1' });
  nothing.pushEntry({ boot: 1, seq: 1, kind: 'done', p: '0' });
  t.equal(
    checkAccelerators(nothing.of(1)!, [d({ driver: 'vgem' })], 'm'),
    'machine m must show DRM or accel node of driver vgem (found 0); boot 1 shows no display controller, 3D controller or accelerator on PCI, and no DRM or accel node',
  );
});

t.test('JUnit properties', async (t) => {
  const c = new InventoryCollector();
  for (const e of BOOT.slice(0, 3)) c.pushEntry(e);
  c.pushEntry(BOOT[6]);
  t.same(inventoryProperties(c.first()), [
    ['inventory.release', '6.12.117+deb12-amd64'],
    ['inventory.cmdline', 'initrd=initrd.cpio console=ttyS0 panic=0 quiet hilt.mode=run hilt.start=0'],
    ['inventory.pci.0000:00:03.0', '1af4:1050, subsystem 1af4:1100, class 038000, driver virtio-pci'],
    ['inventory.node./dev/dri/card1', 'virtio_gpu 0.1.0'],
  ]);
  t.same(inventoryProperties(null), []);
});
