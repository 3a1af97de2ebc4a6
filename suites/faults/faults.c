// SPDX-License-Identifier: MIT
/*
 * faults: each case breaks the machine or the rules on purpose, so that the
 * harness's watchdogs, crash attribution and resume can be tested against a
 * real kernel. Not a conformance suite: never run by default.
 *
 * The lkdtm-* cases make the kernel itself fail, through LKDTM
 * (drivers/misc/lkdtm, /sys/kernel/debug/provoke-crash/DIRECT): a WARN, a
 * CPU spinning with preemption off (soft lockup), a task asleep in D state
 * for good (hung task). The detectors are made quick (thresholds of 1 s) and
 * told to panic, so that a stuck CPU or task ends the boot and the run goes
 * on in a fresh one. A kernel without them (Debian's has no LKDTM) skips.
 */
#define _GNU_SOURCE
#include "hilt.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

static void write_file(struct hilt_ctx *ctx, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		hilt_fail(ctx, "write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

#define LKDTM_DIRECT "/sys/kernel/debug/provoke-crash/DIRECT"

/* Whether the kernel has what a case needs; skips with the option's name if not. */
static bool have(struct hilt_ctx *ctx, const char *path, const char *option)
{
	if (access(path, W_OK) == 0)
		return true;
	char why[160];

	snprintf(why, sizeof(why), "no %s: %s", path, strerror(errno));
	hilt_skip_config(ctx, option, why);
	return false;
}

static void t_pass(struct hilt_ctx *ctx)
{
	hilt_diag(ctx, "nothing wrong here");
}

/* The kernel panics: sysrq 'c' dereferences NULL in kernel mode. */
static void t_panic(struct hilt_ctx *ctx)
{
	write_file(ctx, "/proc/sys/kernel/sysrq", "1");
	write_file(ctx, "/proc/sysrq-trigger", "c");
	hilt_fail(ctx, "the kernel survived sysrq-c");
}

/* User space hangs; the kernel and the agent stay alive. */
static void t_hang(struct hilt_ctx *ctx)
{
	for (;;)
		pause();
}

/* The whole machine goes quiet: the kernel halts the CPUs and prints nothing more. */
static void t_silent(struct hilt_ctx *ctx)
{
	sync();
	reboot(RB_HALT_SYSTEM);
	hilt_fail(ctx, "reboot(RB_HALT_SYSTEM): %s", strerror(errno));
}

/* A warning in the kernel log, at warning level, from user space. */
static void t_kmsg_warn(struct hilt_ctx *ctx)
{
	write_file(ctx, "/dev/kmsg", "<4>hilt-fault: a warning written to the kernel log on purpose\n");
}

/* A real kernel WARN: WARN_ON() in lkdtm_WARNING(); the kernel carries on. */
static void t_lkdtm_warn(struct hilt_ctx *ctx)
{
	if (!have(ctx, LKDTM_DIRECT, "CONFIG_LKDTM"))
		return;
	write_file(ctx, LKDTM_DIRECT, "WARNING");
}

/*
 * A real soft lockup: lkdtm_SOFTLOCKUP() spins with preemption disabled, so
 * the CPU's watchdog thread never runs. With watchdog_thresh=1 the detector
 * reports after 2 s, and softlockup_panic turns the report into a panic.
 */
static void t_lkdtm_soft_lockup(struct hilt_ctx *ctx)
{
	if (!have(ctx, LKDTM_DIRECT, "CONFIG_LKDTM") ||
	    !have(ctx, "/proc/sys/kernel/softlockup_panic", "CONFIG_SOFTLOCKUP_DETECTOR"))
		return;
	write_file(ctx, "/proc/sys/kernel/watchdog_thresh", "1");
	write_file(ctx, "/proc/sys/kernel/softlockup_panic", "1");
	write_file(ctx, LKDTM_DIRECT, "SOFTLOCKUP");
	hilt_fail(ctx, "the kernel came back from LKDTM SOFTLOCKUP");
}

/*
 * A real hung task: lkdtm_HUNG_TASK() sleeps in TASK_UNINTERRUPTIBLE for
 * good, which no signal ends. khungtaskd reports it after 1 s
 * (hung_task_timeout_secs) and hung_task_panic turns the report into a panic.
 */
static void t_lkdtm_hung_task(struct hilt_ctx *ctx)
{
	if (!have(ctx, LKDTM_DIRECT, "CONFIG_LKDTM") ||
	    !have(ctx, "/proc/sys/kernel/hung_task_panic", "CONFIG_DETECT_HUNG_TASK"))
		return;
	write_file(ctx, "/proc/sys/kernel/hung_task_panic", "1");
	write_file(ctx, "/proc/sys/kernel/hung_task_timeout_secs", "1");
	write_file(ctx, LKDTM_DIRECT, "HUNG_TASK");
	hilt_fail(ctx, "the kernel came back from LKDTM HUNG_TASK");
}

/*
 * The kernel becomes tainted W without logging a warning: what the agent
 * sees in /proc/sys/kernel/tainted is the only evidence (root may add bits).
 */
static void t_taint(struct hilt_ctx *ctx)
{
	write_file(ctx, "/proc/sys/kernel/tainted", "512");
}

/*
 * Garbage straight onto the console, past the agent's framing: 256 KiB of
 * NUL bytes without a newline, then bytes that are not UTF-8 and terminal
 * escapes. The host must cap the line and carry on.
 */
static void t_console_flood(struct hilt_ctx *ctx)
{
	static char flood[64 * 1024];
	static const char junk[] = "\xff\xfe\xc3(\x1b[31mred\x1b[0m\x07\r\n";
	int fd = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		hilt_skip(ctx, "no /dev/console: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < 4; i++)
		if (write(fd, flood, sizeof(flood)) < 0)
			hilt_fail(ctx, "write /dev/console: %s", strerror(errno));
	if (write(fd, junk, sizeof(junk) - 1) < 0)
		hilt_fail(ctx, "write /dev/console: %s", strerror(errno));
	close(fd);
}

static void exit_three(void)
{
	fflush(stdout);
	_exit(3);
}

/* Passes, and makes the process exit with status 3 once every case has reported. */
static void t_exit_nonzero(struct hilt_ctx *ctx)
{
	atexit(exit_three);
}

static const struct hilt_case cases[] = {
	{ "pass", t_pass, "-", "nothing: a case that passes, to see its neighbours' faults stay theirs", "" },
	{ "kmsg-warn", t_kmsg_warn, "write(/dev/kmsg)", "a warning-level kernel message during the case (hilt: dmesg-warn)", "" },
	{ "lkdtm-warn", t_lkdtm_warn, "LKDTM WARNING", "a real kernel WARN_ON() splat (hilt: dmesg-warn)", "",
	  "lkdtm_WARNING()", "CONFIG_LKDTM" },
	{ "taint", t_taint, "write(/proc/sys/kernel/tainted)", "the kernel becomes tainted W with no message logged (hilt: dmesg-warn naming the bit)", "" },
	{ "console-flood", t_console_flood, "write(/dev/console)", "256 KiB of NULs and invalid UTF-8 on the console (hilt: a cut line, a pass)", "" },
	{ "hang", t_hang, "pause(2)", "never returns (hilt: timeout, the agent kills it)", "" },
	{ "panic", t_panic, "/proc/sysrq-trigger", "the kernel panics (hilt: crash, reboot, resume)", "" },
	/* Their own timeouts: the detectors report after 2-3 s, which the suite's 4 s would cut close. */
	{ "lkdtm-soft-lockup", t_lkdtm_soft_lockup, "LKDTM SOFTLOCKUP", "a CPU spins with preemption off; the soft lockup detector reports it and panics (hilt: crash)", "",
	  "lkdtm_SOFTLOCKUP(), watchdog_timer_fn()", "CONFIG_LKDTM,CONFIG_SOFTLOCKUP_DETECTOR", 0, 15 },
	{ "lkdtm-hung-task", t_lkdtm_hung_task, "LKDTM HUNG_TASK", "a task sleeps uninterruptibly for good; the hung task detector reports it and panics (hilt: crash)", "",
	  "lkdtm_HUNG_TASK(), check_hung_uninterruptible_tasks()", "CONFIG_LKDTM,CONFIG_DETECT_HUNG_TASK", 0, 15 },
	{ "silent", t_silent, "reboot(RB_HALT_SYSTEM)", "the machine halts and the console goes quiet (hilt: timeout by the silence watchdog)", "" },
	{ "exit-nonzero", t_exit_nonzero, "exit(3)", "passes, then the process exits 3 (hilt: not a pass)", "" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "faults", cases, HILT_ARRAY_SIZE(cases));
}
