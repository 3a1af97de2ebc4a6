/**
 * A lab board's console: a TCP address hilt keeps trying until the board's
 * console exists, reconnects to when it drops, and gives up on (lost) when it
 * stays away; a command under a pseudo-terminal, typed into.
 */
import { createServer, type Server, type Socket } from 'node:net';
import t from 'tap';
import { openConsole } from '../../src/targets/console.js';
import { freePort } from './qemu-board.js';

const collect = (link: ReturnType<typeof openConsole>) => {
  const got: string[] = [];
  link.onData((c) => got.push(c.toString()));
  return got;
};
const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
};

t.test('TCP: connects once the board is up, reconnects after a drop, is lost when it stays away', async (t) => {
  const port = await freePort();
  const link = openConsole({ tcp: { host: '127.0.0.1', port }, command: null, kernel: 'ttyS0' }, { lostAfterMs: 1000 });
  t.teardown(() => link.close());
  const got = collect(link);
  let lost: string | null = null;
  void link.lost.then((why) => (lost = why));
  await new Promise((r) => setTimeout(r, 500)); // nobody listens yet: hilt keeps trying
  const sockets: Socket[] = [];
  let server: Server = createServer((s) => {
    sockets.push(s);
    s.write(`hello ${sockets.length}\n`);
    s.on('data', (d) => s.write(`typed ${d}`));
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  t.ok(await until(() => got.join('').includes('hello 1')), 'the first connection');
  link.write('x\n');
  t.ok(await until(() => got.join('').includes('typed x')), 'typing reaches the board');
  sockets[0]!.destroy(); // the console server dropped us
  t.ok(await until(() => got.join('').includes('hello 2')), 'reconnected');
  t.equal(lost, null);
  sockets[1]!.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  t.ok(await until(() => lost !== null, 4000), 'lost once it stays away');
  t.match(lost, new RegExp(`^the console tcp:127\\.0\\.0\\.1:${port} went away \\(ECONNREFUSED\\) and could not be reached again for 1 s$`));
  server = createServer();
});

t.test('a console command under a pseudo-terminal', async (t) => {
  const link = openConsole({ tcp: null, command: ['sh', '-c', 'echo "console of b1"; while read l; do echo "got $l"; done'], kernel: 'ttyS0' });
  t.teardown(() => link.close());
  const got = collect(link);
  t.ok(await until(() => got.join('').includes('console of b1')));
  link.write('abc\r');
  t.ok(await until(() => got.join('').includes('got abc')), 'typed into it');
});
