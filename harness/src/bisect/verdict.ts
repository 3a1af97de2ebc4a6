/**
 * The pure half of `hilt bisect`: what one step's outcome tells `git bisect
 * run` (its exit code), what git's answer was, and the summary a person reads.
 *
 *   case pass                                  -> 0   good
 *   case fail, crash, timeout, dmesg-*, ...    -> 1   bad
 *   case skip; the commit does not build, or
 *   its config drops a requested option        -> 125 skip (the commit cannot be judged)
 *   anything else (no boot, no QEMU, a stop)   -> 128 git bisect run aborts
 */

export const GOOD = 0;
export const BAD = 1;
export const SKIP = 125;
/** git bisect run stops on any exit code above 127. */
export const ABORT = 128;

export type StepVerdict = 'good' | 'bad' | 'skip' | 'abort';

export interface StepRecord {
  step: number;
  commit: string;
  subject: string;
  verdict: StepVerdict;
  /** The case's status, or what kept it from running. */
  status: string;
  message: string;
  /** Whether this step built the kernel (false: the cache had this tree's build). */
  built: boolean;
  buildSeconds: number;
  runSeconds: number;
  totalSeconds: number;
}

export function exitCodeFor(verdict: StepVerdict): number {
  return verdict === 'good' ? GOOD : verdict === 'bad' ? BAD : verdict === 'skip' ? SKIP : ABORT;
}

/** What a case's status says about the commit. */
export function verdictForStatus(status: string): StepVerdict {
  if (status === 'pass') return 'good';
  if (status === 'skip') return 'skip';
  if (status === 'abort') return 'abort';
  return 'bad';
}

export type BisectOutcome =
  | { kind: 'found'; commit: string }
  | { kind: 'skipped-only'; candidates: string[] }
  | { kind: 'aborted'; reason: string };

/**
 * What `git bisect run` concluded, from its output: "<sha> is the first bad
 * commit", or "There are only 'skip'ped commits left to test." followed by
 * the candidates, or neither (it stopped).
 */
export function parseBisectRun(output: string): BisectOutcome {
  const found = /^([0-9a-f]{7,64}) is the first bad commit$/m.exec(output);
  if (found) return { kind: 'found', commit: found[1]! };
  const only = output.indexOf("There are only 'skip'ped commits left to test.");
  if (only >= 0) {
    const candidates = [...output.slice(only).matchAll(/^([0-9a-f]{40})$/gm)].map((m) => m[1]!);
    return { kind: 'skipped-only', candidates };
  }
  const stopped = /^(?:error: )?(bisect run failed:.*|bisect run cannot continue any more.*)$/m.exec(output);
  return { kind: 'aborted', reason: stopped?.[1] ?? 'git bisect run stopped without an answer' };
}

function duration(s: number): string {
  const r = Math.round(s);
  return `${Math.floor(r / 60)}:${String(r % 60).padStart(2, '0')}`;
}

/** One line per step: which commit, what hilt saw, what it told git, how long it took. */
export function stepsTable(steps: StepRecord[]): string {
  return steps
    .map(
      (s) =>
        `  ${String(s.step).padStart(2)}. ${s.commit.slice(0, 12)} ${s.verdict.padEnd(5)} ${s.status.padEnd(10)} ` +
        `build ${s.built ? duration(s.buildSeconds) : 'none'}, run ${duration(s.runSeconds)}, step ${duration(s.totalSeconds)}  ${s.subject}`,
    )
    .join('\n');
}
