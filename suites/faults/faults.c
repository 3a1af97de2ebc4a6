// SPDX-License-Identifier: MIT
/*
 * faults: each case breaks the machine or the rules on purpose, so that the
 * harness's watchdogs, crash attribution and resume can be tested against a
 * real kernel. Not a conformance suite: never run by default.
 */
#define _GNU_SOURCE
#include "hilt.h"

#include <errno.h>
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
	{ "taint", t_taint, "write(/proc/sys/kernel/tainted)", "the kernel becomes tainted W with no message logged (hilt: dmesg-warn naming the bit)", "" },
	{ "console-flood", t_console_flood, "write(/dev/console)", "256 KiB of NULs and invalid UTF-8 on the console (hilt: a cut line, a pass)", "" },
	{ "hang", t_hang, "pause(2)", "never returns (hilt: timeout, the agent kills it)", "" },
	{ "panic", t_panic, "/proc/sysrq-trigger", "the kernel panics (hilt: crash, reboot, resume)", "" },
	{ "silent", t_silent, "reboot(RB_HALT_SYSTEM)", "the machine halts and the console goes quiet (hilt: timeout by the silence watchdog)", "" },
	{ "exit-nonzero", t_exit_nonzero, "exit(3)", "passes, then the process exits 3 (hilt: not a pass)", "" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "faults", cases, HILT_ARRAY_SIZE(cases));
}
