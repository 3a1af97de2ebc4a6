/** Which cases a kernel's configuration cannot run, from its config file or /proc/config.gz. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { kernelConfig } from '../../src/kernel/config-file.js';
import { tempDir } from '../helpers.js';
import { configSkips, demandedButUnmet, parseDescribe, parseNeed, readKernelConfig, suiteNeeds } from '../../src/kernel/config-needs.js';

// Debian 6.12's answer for the options the suites care about (its boot/config-6.12.*-amd64).
const DEBIAN = '# CONFIG_SW_SYNC is not set\nCONFIG_SYNC_FILE=y\nCONFIG_DRM_VGEM=m\nCONFIG_UDMABUF=y\n# CONFIG_DMABUF_SELFTESTS is not set\nCONFIG_DMABUF_HEAPS_SYSTEM=y\n';
// hilt's tree build: SW_SYNC and the self-tests on, vgem built in.
const TREE = 'CONFIG_SW_SYNC=y\nCONFIG_SYNC_FILE=y\nCONFIG_DRM_VGEM=y\nCONFIG_UDMABUF=y\nCONFIG_DMABUF_SELFTESTS=m\n';

const DESCRIBE = [
  '{"name":"info-pending","ioctl":"SYNC_IOC_FILE_INFO","checks":"x","kfunc":"sync_file_ioctl_fence_info()","config":[],"last":false,"schemas":[]}',
  '{"name":"sw-sync-timeline","ioctl":"SW_SYNC_IOC_CREATE_FENCE","checks":"x","kfunc":"sw_sync_ioctl_create_fence()","config":["CONFIG_SW_SYNC"],"last":false,"schemas":[]}',
  '{"name":"selftests","config":["CONFIG_DMABUF_SELFTESTS=m","CONFIG_SW_SYNC"]}',
  '',
].join('\n');

const suites = [
  { suite: 'sync-file', kernelConfig: ['CONFIG_SYNC_FILE=y', 'CONFIG_DRM_VGEM=y'], cases: parseDescribe(DESCRIBE) },
  { suite: 'udmabuf', kernelConfig: ['CONFIG_UDMABUF'], cases: [{ name: 'create', config: [] }] },
];

t.test('needs as written: on (y or m), module, off', async (t) => {
  t.match(parseNeed('CONFIG_SW_SYNC'), { symbol: 'SW_SYNC', want: 'on' });
  t.match(parseNeed('CONFIG_DRM_VGEM=y'), { symbol: 'DRM_VGEM', want: 'on' });
  t.match(parseNeed('CONFIG_DRM_VGEM=m'), { symbol: 'DRM_VGEM', want: 'module' });
  t.match(parseNeed('CONFIG_KASAN=n'), { symbol: 'KASAN', want: 'off' });
  t.throws(() => parseNeed('SW_SYNC'), /not a kernel option need/);
});

t.test("Debian's kernel: the SW_SYNC cases skip with the reason the suites give; a module counts as on", async (t) => {
  t.same(configSkips(readKernelConfig(Buffer.from(DEBIAN)), suites), [
    { suite: 'sync-file', case: 'sw-sync-timeline', reason: 'needs CONFIG_SW_SYNC', unmet: ['CONFIG_SW_SYNC'] },
    { suite: 'sync-file', case: 'selftests', reason: 'needs CONFIG_DMABUF_SELFTESTS=m, CONFIG_SW_SYNC', unmet: ['CONFIG_DMABUF_SELFTESTS=m', 'CONFIG_SW_SYNC'] },
  ]);
});

t.test('a tree kernel from /proc/config.gz bytes: everything runs', async (t) => {
  t.same(configSkips(readKernelConfig(gzipSync(Buffer.from(TREE))), suites), []);
});

t.test('a suite-wide need skips every case; an unknown config skips nothing', async (t) => {
  const noUdmabuf = readKernelConfig(Buffer.from('# CONFIG_UDMABUF is not set\n'));
  t.same(
    configSkips(noUdmabuf, [suites[1]!]).map((s) => `${s.suite}/${s.case}: ${s.reason}`),
    ['udmabuf/create: needs CONFIG_UDMABUF'],
  );
  t.same(configSkips(null, suites), []);
});

t.test('a case the plan named is demanded: refused with the kernel named', async (t) => {
  const skips = configSkips(readKernelConfig(Buffer.from(DEBIAN)), suites);
  t.same(demandedButUnmet(skips, [{ suite: 'sync-file', case: 'sw-sync-timeline' }], 'debian:linux-image-6.12-amd64'), [
    'sync-file/sw-sync-timeline needs CONFIG_SW_SYNC, which debian:linux-image-6.12-amd64 lacks',
  ]);
  t.same(demandedButUnmet(skips, [{ suite: 'sync-file', case: 'info-pending' }], 'k'), []);
});

t.test('describe output: a broken line is named', async (t) => {
  t.throws(() => parseDescribe('{"name":"a","config":[]}\nnot json\n'), /line 2 is not JSON/);
  t.throws(() => parseDescribe('{"config":[]}\n'), /line 1 has no case name/);
});

t.test("a resolved kernel's config file, plain or gzipped; none without one", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'config'), DEBIAN);
  writeFileSync(join(dir, 'config.gz'), gzipSync(Buffer.from(TREE)));
  t.equal((await kernelConfig({ config: join(dir, 'config') }))!.get('SW_SYNC'), 'n');
  t.equal((await kernelConfig({ config: join(dir, 'config.gz') }))!.get('SW_SYNC'), 'y');
  t.equal(await kernelConfig({ config: null }), null);
});

t.test("the catalog's view of a suite: planned cases with their describe config", async (t) => {
  const faults = { name: 'faults', cases: ['pass', 'lkdtm-warn', 'lkdtm-hung-task'], caseInfo: { 'lkdtm-warn': { config: ['CONFIG_LKDTM'] }, 'lkdtm-hung-task': { config: ['CONFIG_LKDTM', 'CONFIG_DETECT_HUNG_TASK'] } } };
  const needs = suiteNeeds(faults, [], ['pass', 'lkdtm-hung-task']);
  t.same(needs, { suite: 'faults', kernelConfig: [], cases: [{ name: 'pass', config: [] }, { name: 'lkdtm-hung-task', config: ['CONFIG_LKDTM', 'CONFIG_DETECT_HUNG_TASK'] }] });
  t.same(
    configSkips(readKernelConfig(Buffer.from('# CONFIG_LKDTM is not set\nCONFIG_DETECT_HUNG_TASK=y\n')), [needs]).map((s) => `${s.case}: ${s.reason}`),
    ['lkdtm-hung-task: needs CONFIG_LKDTM'],
  );
});
