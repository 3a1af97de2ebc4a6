/** The REST client's follow loop, pure parts: its wait between polls. */
import { getEventListeners } from 'node:events';
import t from 'tap';
import { sleep } from '../../src/lava/rest.js';

t.test('a wait between polls leaves no abort listener behind (a long job polls thousands of times)', async (t) => {
  const stop = new AbortController();
  for (let i = 0; i < 20; i++) await sleep(1, stop.signal);
  t.equal(getEventListeners(stop.signal, 'abort').length, 0);
});

t.test('aborting ends a wait at once, and a wait on an aborted signal does not wait', async (t) => {
  const stop = new AbortController();
  const began = Date.now();
  const waiting = sleep(60_000, stop.signal);
  stop.abort();
  await waiting;
  await sleep(60_000, stop.signal);
  t.ok(Date.now() - began < 1000);
  t.equal(getEventListeners(stop.signal, 'abort').length, 0);
});
