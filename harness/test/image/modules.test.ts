import t from 'tap';
import { moduleName, parseModulesDep, resolveModules } from '../../src/image/modules.js';

// The lines of the Debian 6.12 kernel's modules.dep that matter here, as depmod writes them.
const DEP = `kernel/drivers/gpu/drm/drm_kms_helper.ko.xz: kernel/drivers/gpu/drm/drm.ko.xz
kernel/drivers/gpu/drm/drm.ko.xz:
kernel/drivers/gpu/drm/drm_shmem_helper.ko.xz: kernel/drivers/gpu/drm/drm_kms_helper.ko.xz kernel/drivers/gpu/drm/drm.ko.xz
kernel/drivers/gpu/drm/vgem/vgem.ko.xz: kernel/drivers/gpu/drm/drm_shmem_helper.ko.xz kernel/drivers/gpu/drm/drm_kms_helper.ko.xz kernel/drivers/gpu/drm/drm.ko.xz
kernel/drivers/virtio/virtio_dma_buf.ko.xz:
kernel/drivers/gpu/drm/virtio/virtio-gpu.ko.xz: kernel/drivers/virtio/virtio_dma_buf.ko.xz kernel/drivers/gpu/drm/drm_shmem_helper.ko.xz kernel/drivers/gpu/drm/drm_kms_helper.ko.xz kernel/drivers/gpu/drm/drm.ko.xz
`;
const BUILTIN = 'kernel/drivers/dma-buf/udmabuf.ko\nkernel/drivers/dma-buf/heaps/system_heap.ko\n';

t.test('module names: compression suffixes gone, dashes are underscores', async (t) => {
  t.equal(moduleName('kernel/drivers/gpu/drm/virtio/virtio-gpu.ko.xz'), 'virtio_gpu');
  t.equal(moduleName('a/b/vgem.ko.zst'), 'vgem');
  t.equal(moduleName('vgem.ko'), 'vgem');
});

t.test('every module comes after everything it depends on', async (t) => {
  const c = resolveModules(['vgem', 'virtio-gpu'], parseModulesDep(DEP, BUILTIN));
  const names = c.load.map(moduleName);
  t.same(names, ['drm', 'drm_kms_helper', 'drm_shmem_helper', 'vgem', 'virtio_dma_buf', 'virtio_gpu']);
  // the order modules.dep lists vgem's dependencies in would load drm_shmem_helper before drm_kms_helper
  t.ok(names.indexOf('drm_kms_helper') < names.indexOf('drm_shmem_helper'));
  t.same(c.missing, []);
});

t.test('built-in and unknown modules are told apart', async (t) => {
  const c = resolveModules(['udmabuf', 'no_such_thing', 'vgem'], parseModulesDep(DEP, BUILTIN));
  t.same(c.builtin, ['udmabuf']);
  t.same(c.missing, ['no_such_thing']);
  t.equal(c.load.length, 4);
});

t.test('a module asked twice or reached twice is loaded once', async (t) => {
  const c = resolveModules(['drm', 'vgem', 'vgem', 'drm_shmem_helper'], parseModulesDep(DEP));
  t.equal(new Set(c.load).size, c.load.length);
});
