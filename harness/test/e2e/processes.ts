/** Finding the processes a hilt run started, by a marker in their environment. */
import { readFileSync, readdirSync } from 'node:fs';

export function processesMarked(marker: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`HILT_TEST_MARK=${marker}`)) pids.push(Number(pid));
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

/** Zombies and processes on their way out still show for a moment: wait until they are gone. */
export async function settleProcesses(marker: string, ms = 3000): Promise<number[]> {
  const end = Date.now() + ms;
  let left = processesMarked(marker);
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    left = processesMarked(marker);
  }
  return left;
}
