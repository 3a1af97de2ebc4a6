/**
 * What the agent can hold (its fixed buffers, suites/agent/limits.h; a test
 * keeps the two files equal) and how often it speaks. The host checks a plan
 * against these before anything boots, so a long name is refused with a
 * message instead of being cut short in the guest and never run.
 */
export const AGENT_LIMITS = {
  /** Tests in one plan. */
  maxTests: 16384,
  maxSuites: 256,
  maxModules: 256,
  /** Bytes of a suite name, a case name, a guest path (without the terminating NUL). */
  maxSuiteName: 127,
  maxCaseName: 255,
  maxPath: 511,
  /** Bytes of the whole /hilt/plan file. */
  maxPlanBytes: 4 * 1024 * 1024,
} as const;

/** The agent sends a heartbeat this often while a test runs: silence means a wedged machine. The plan tells the agent. */
export const AGENT_HEARTBEAT_MS = 2_000;
