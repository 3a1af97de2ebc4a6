/** Option parsers and option groups several commands share, so that their flags mean one thing everywhere. */
import { type Command, InvalidArgumentError } from 'commander';

/** A repeatable option: each use adds one value. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

export const positiveNumber = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} takes a positive number`);
  return n;
};

export const wholeNumber = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} takes a whole number`);
  return n;
};

/** The driver profiles and watchdog settings of a plan: `hilt run` and `hilt lava job` build the same plan from them. */
export function planJudgingOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name|file>', 'apply a driver profile and demand its devices; repeatable', collect)
    .option(
      '--optional <name>',
      'let the machine lack something the suites require (a module, a node path, a CONFIG_ option, drm-devices, or all): its cases skip instead of the run ending with exit 2; repeatable',
      collect,
    )
    .option('--case-timeout <s>', 'per-case timeout for every suite, in seconds', positiveNumber('--case-timeout'))
    .option('--boot-timeout <s>', 'seconds from power-on to the agent (default 120)', positiveNumber('--boot-timeout'))
    .option('--silence-timeout <s>', 'seconds without console output before the machine counts as hung (default 30)', positiveNumber('--silence-timeout'))
    .option('--run-timeout <s>', 'seconds for the whole run', positiveNumber('--run-timeout'));
}
