/**
 * The power guard's process (see power-guard.ts): reads its orders, then
 * "on" / "off" / "bye" lines from hilt; powers the board off when hilt goes
 * away while the board may be on.
 */
import { formatError } from '../errors.js';
import type { GuardOrders } from './power-guard.js';
import { powerControl } from './power.js';

const say = (text: string) => process.stdout.write(`${new Date().toISOString()} power guard ${process.pid}: ${text}\n`);

let orders: GuardOrders | null = null;
let on = false;
let bye = false;
let buffer = '';

async function finish(): Promise<void> {
  if (!orders) return;
  if (!on) {
    if (!bye) say(`hilt went away; ${orders.machine} was off`);
    return;
  }
  say(`hilt went away${bye ? ' (it said goodbye)' : ' without a word'} while ${orders.machine} may be on: powering it off`);
  try {
    await powerControl(orders.machine, orders.power, { onRetry: (_op, why) => say(`power off failed (${why}); trying again`) }).off();
    say(`${orders.machine} is off`);
  } catch (e) {
    say(formatError(e));
    process.exitCode = 1;
  }
}

process.on('SIGINT', () => {}); // only the pipe's closing counts
process.on('SIGHUP', () => {});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  buffer += text;
  let nl: number;
  while ((nl = buffer.indexOf('\n')) >= 0) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (!orders) {
      orders = JSON.parse(line) as GuardOrders;
      say(`watching ${orders.machine} for hilt ${process.ppid}`);
    } else if (line === 'on') on = true;
    else if (line === 'off') on = false;
    else if (line === 'bye') bye = true;
  }
});
process.stdin.on('end', () => void finish());
