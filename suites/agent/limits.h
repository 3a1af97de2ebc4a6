/* SPDX-License-Identifier: MIT */
/*
 * What the agent can hold. The host refuses a plan that does not fit before
 * anything boots: harness/src/agent-protocol/limits.ts has the same numbers,
 * and harness/test/agent-protocol/limits.test.ts keeps the two files equal.
 * Lengths are in bytes, without the terminating NUL.
 */
#ifndef HILT_AGENT_LIMITS_H
#define HILT_AGENT_LIMITS_H

#define MAX_TESTS 16384
#define MAX_SUITES 256
#define MAX_MODULES 256
#define MAX_SUITE_NAME 127
#define MAX_CASE_NAME 255
#define MAX_PATH 511
#define MAX_PLAN_BYTES (4 * 1024 * 1024)

#endif
