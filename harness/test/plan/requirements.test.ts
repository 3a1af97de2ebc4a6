import t from 'tap';
import { parseRecord } from '../../src/agent-protocol/records.js';
import { RunRequirements, optionalWords, suiteRequirements, unknownOptional } from '../../src/plan/requirements.js';

const SUITES = [
  { name: 'prime', mode: 'cases', modules: ['vgem', 'virtio-gpu'], requires: { drmDevices: 2 } },
  { name: 'udmabuf', mode: 'cases', modules: ['vgem'], kernelConfig: ['CONFIG_UDMABUF', 'CONFIG_DRM_VGEM=m'], requires: { nodes: ['/dev/udmabuf'] } },
  { name: 'dma-heap', mode: 'cases', modules: ['vgem'], requires: { nodes: ['/dev/dma_heap/system'] } },
  { name: 'kselftest', mode: 'whole', modules: [] },
];

const mod = (payload: string) => parseRecord({ seq: 1, kind: 'mod', payload });

t.test('every module, node, option and the device count the suites name is required, each once with its suites', async (t) => {
  const r = suiteRequirements(SUITES);
  t.same(r.find((x) => x.name === 'vgem')?.suites, ['prime', 'udmabuf', 'dma-heap']);
  t.equal(r.find((x) => x.kind === 'drm-devices')?.count, 2);
  const sorted = r.map((x) => `${x.kind} ${x.name}`).sort();
  t.same(sorted, ['config CONFIG_DRM_VGEM=m', 'config CONFIG_UDMABUF', 'drm-devices drm-devices', 'module vgem', 'module virtio-gpu', 'node /dev/dma_heap/system', 'node /dev/udmabuf']);
  t.same(optionalWords(SUITES).sort(), ['/dev/dma_heap/system', '/dev/udmabuf', 'CONFIG_DRM_VGEM', 'CONFIG_UDMABUF', 'drm-devices', 'vgem', 'virtio-gpu']);
});

t.test('the optional list moves parts out of the required ones, whatever spelling of a module or option it uses', async (t) => {
  const r = new RunRequirements(SUITES, ['virtio_gpu', '/dev/udmabuf', 'CONFIG_DRM_VGEM', 'drm-devices']);
  t.same(r.required.map((x) => x.name).sort(), ['/dev/dma_heap/system', 'CONFIG_UDMABUF', 'vgem']);
  t.same(r.optional.map((x) => x.name).sort(), ['/dev/udmabuf', 'CONFIG_DRM_VGEM=m', 'drm-devices', 'virtio-gpu']);
  t.same(new RunRequirements(SUITES, ['all']).required, [], 'all: nothing is required');
  t.same(new RunRequirements(SUITES, []).optional, [], 'nothing optional: everything is required');
});

t.test('an optional entry no selected suite requires is reported, so a typo does not pass unnoticed', async (t) => {
  t.same(unknownOptional(SUITES, ['vgen', 'vgem', 'all', '/dev/udmabuf/', 'CONFIG_SW_SYNC', '/dev/dri']), ['vgen', 'CONFIG_SW_SYNC', '/dev/dri']);
});

t.test('a required module the kernel lacks is named with its suites; an optional one is not', async (t) => {
  const r = new RunRequirements(SUITES, ['virtio-gpu']);
  t.same(r.modulesTheKernelLacks(['vgem', 'virtio_gpu'], '6.12.0-x'), ['module vgem (required by prime, udmabuf, dma-heap): kernel 6.12.0-x has no such module and does not build it in']);
});

t.test("a required module's failed load is named with the kernel's errno; a loaded, present or optional one is not", async (t) => {
  const r = new RunRequirements(SUITES, ['virtio-gpu']);
  t.equal(r.moduleFailure(mod('vgem.ko err 8 Exec format error')), 'module vgem (required by prime, udmabuf, dma-heap) did not load: Exec format error (errno 8)');
  t.equal(r.moduleFailure(mod('vgem present 0')), null);
  t.equal(r.moduleFailure(mod('vgem.ko ok 12')), null);
  t.equal(r.moduleFailure(mod('virtio_gpu.ko err 2 No such file or directory')), null, 'optional');
  t.equal(r.moduleFailure(mod('drm_shmem_helper.ko err 2 x')), null, 'a dependency is judged by the module that needs it');
});

t.test('the inventory: a required node that is absent and too few DRM devices are named; a node the agent did not report is not judged', async (t) => {
  const r = new RunRequirements(SUITES, []);
  const nodes = [
    { path: '/dev/dri/card0', driver: 'vgem' },
    { path: '/dev/dri/renderD128', driver: 'vgem' },
  ];
  t.same(r.missingFromInventory({ nodes, paths: [{ path: '/dev/udmabuf', error: 'No such file or directory' }] }), [
    '2 DRM devices (required by prime for its cross-device cases): the machine shows 1 (/dev/dri/card0 vgem)',
    '/dev/udmabuf (required by udmabuf): No such file or directory',
  ]);
  const two = [...nodes, { path: '/dev/dri/card1', driver: 'virtio_gpu' }];
  t.same(r.missingFromInventory({ nodes: two, paths: [{ path: '/dev/udmabuf', error: null }, { path: '/dev/dma_heap/system', error: null }] }), []);
  t.same(new RunRequirements(SUITES, ['/dev/udmabuf', 'drm-devices']).missingFromInventory({ nodes, paths: [{ path: '/dev/udmabuf', error: 'gone' }] }), [], 'optional');
});
