/** Network boot: the iPXE script of a boot (written by hand here), staging, and the HTTP server hilt runs for a board. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ipxeScript, serveFolder, servedPath, stageBootFiles, stageBootScript } from '../../src/targets/network-boot.js';
import { tempDir } from '../helpers.js';

t.test('the iPXE script of a boot', async (t) => {
  t.equal(
    ipxeScript({ url: 'http://10.0.2.2:8080/', dir: 'b1' }, ['console=ttyS0,115200', 'panic=0', 'hilt.mode=run', 'hilt.start=4']),
    [
      '#!ipxe',
      '# written by hilt for one boot; the next boot overwrites it',
      'kernel http://10.0.2.2:8080/b1/vmlinuz initrd=initrd.cpio console=ttyS0,115200 panic=0 hilt.mode=run hilt.start=4',
      'initrd http://10.0.2.2:8080/b1/initrd.cpio',
      'boot',
      '',
    ].join('\n'),
  );
  t.match(ipxeScript({ url: 'tftp://192.168.0.1', dir: 'b2' }, []), /kernel tftp:\/\/192\.168\.0\.1\/b2\/vmlinuz initrd=initrd\.cpio \n/);
  t.throws(() => ipxeScript({ url: 'http://x/', dir: 'b' }, ['dyndbg=${x}']), { kind: 'usage', message: /cannot go into an iPXE script/ });
  t.throws(() => ipxeScript({ url: 'http://x/', dir: 'b' }, ['a b']), { kind: 'usage', message: /"a b"/ });
});

t.test('staging and serving: the board fetches what was staged, nothing outside the root', async (t) => {
  const dir = tempDir(t, 'hilt-netboot-');
  writeFileSync(join(dir, 'bzImage'), 'kernel bytes');
  writeFileSync(join(dir, 'initrd'), 'initramfs bytes');
  const root = join(dir, 'tftp');
  mkdirSync(root);
  writeFileSync(join(dir, 'secret'), 'not served');
  const boot = { method: 'ipxe' as const, root, dir: 'b1', url: 'http://127.0.0.1/', serve: null };
  await stageBootFiles(boot, join(dir, 'bzImage'), join(dir, 'initrd'));
  const script = await stageBootScript(boot, ['hilt.start=0']);
  t.equal(script, join(root, 'b1', 'boot.ipxe'));
  const server = await serveFolder(root, { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const get = async (path: string, method = 'GET') => {
    const r = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
    return { status: r.status, body: await r.text(), length: r.headers.get('content-length') };
  };
  t.same(await get('/b1/vmlinuz'), { status: 200, body: 'kernel bytes', length: '12' });
  t.same(await get('/b1/initrd.cpio'), { status: 200, body: 'initramfs bytes', length: '15' });
  t.match((await get('/b1/boot.ipxe')).body, /^#!ipxe\n/);
  t.equal((await get('/b1/vmlinuz', 'HEAD')).length, '12');
  t.equal((await get('/b1/nothing')).status, 404);
  t.equal((await get('/../secret')).status, 404);
  t.equal((await get('/%2e%2e/secret')).status, 404);
  t.equal((await get('/b1/vmlinuz', 'PUT')).status, 405);
  t.same(server.served.slice(0, 2), ['GET /b1/vmlinuz 200', 'GET /b1/initrd.cpio 200']);
  t.equal(servedPath('/srv/tftp', '/../etc/passwd'), null);
  t.equal(servedPath('/srv/tftp', '/b1/x?y=1'), '/srv/tftp/b1/x');
  t.equal(readFileSync(join(root, 'b1', 'vmlinuz'), 'utf8'), 'kernel bytes');
});
