// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* /proc/config.gz, uncompressed (by busybox or gzip's zcat, run without a shell), or NULL. */
static char *config_text;
static bool config_read;

static char *read_config(void)
{
	static char *const argv[] = { "zcat", "/proc/config.gz", NULL };
	posix_spawn_file_actions_t fa;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int pipefd[2], status;
	pid_t pid;
	ssize_t n;

	if (access("/proc/config.gz", R_OK) || pipe2(pipefd, O_CLOEXEC))
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	if (posix_spawnp(&pid, "zcat", &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		close(pipefd[0]);
		close(pipefd[1]);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *more = realloc(buf, cap = cap ? cap * 2 : 256 * 1024);

			if (!more)
				break;
			buf = more;
		}
		n = read(pipefd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (!buf || !WIFEXITED(status) || WEXITSTATUS(status) || !len) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static const char *config(void)
{
	if (!config_read) {
		config_read = true;
		config_text = read_config();
	}
	return config_text;
}

/* The value of "OPTION=value" in the config, copied to val; false when absent. */
static bool config_value(const char *option, char *val, size_t n)
{
	const char *text = config(), *p;
	size_t len = strlen(option);

	if (!text)
		return false;
	for (p = text; (p = strstr(p, option)); p += len) {
		if ((p == text || p[-1] == '\n') && p[len] == '=') {
			size_t vl = strcspn(p + len + 1, "\n");

			snprintf(val, n, "%.*s", (int)vl, p + len + 1);
			return true;
		}
	}
	return false;
}

int hilt_kconfig(const char *option)
{
	char v[32];

	if (!config())
		return 0;
	if (!config_value(option, v, sizeof(v)))
		return 'n';	/* "# CONFIG_X is not set", or not even offered by this kernel */
	return v[0] == 'y' || v[0] == 'm' ? v[0] : 'n';
}

long hilt_kconfig_num(const char *option)
{
	char v[32];

	return config_value(option, v, sizeof(v)) ? strtol(v, NULL, 0) : -1;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The kernel's jiffies counter as /proc prints it, -1 when it does not. */
static long long read_jiffies(void)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen("/proc/schedstat", "re");

	if (f) {
		/* "version N" then "timestamp <jiffies>" (kernel/sched/stats.c) */
		while (v < 0 && fgets(line, sizeof(line), f))
			if (sscanf(line, "timestamp %lld", &v) != 1)
				v = -1;
		fclose(f);
		if (v >= 0)
			return v;
	}
	f = fopen("/proc/timer_list", "re");
	if (f) {
		/* "jiffies: <n>" (kernel/time/timer_list.c) */
		while (v < 0 && fgets(line, sizeof(line), f))
			if (sscanf(line, "jiffies: %lld", &v) != 1)
				v = -1;
		fclose(f);
	}
	return v;
}

/* Jiffies per second over one window of ms milliseconds, 0 when /proc shows no jiffies. */
static double jiffies_rate(long ms)
{
	struct timespec nap = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	long long j0 = read_jiffies(), j1;
	int64_t t0 = now_ns(), t1;

	if (j0 < 0)
		return 0;
	nanosleep(&nap, NULL);
	j1 = read_jiffies();
	t1 = now_ns();
	return j1 > j0 && t1 > t0 ? (double)(j1 - j0) * 1e9 / (double)(t1 - t0) : 0;
}

/*
 * Jiffies counted against CLOCK_MONOTONIC in three windows of 70 ms, the
 * median taken: under an emulator the vCPU that keeps jiffies may stall and
 * catch up at once, which spoils one window, rarely two. The rate is put in
 * a band rather than matched: below 175 is 100, up to 400 is 250 (a HZ=300
 * kernel is taken for 250: its tolerances then come out a little looser,
 * never stricter), above that 1000.
 */
static int measure_hz(void)
{
	double r[3], t;

	for (int i = 0; i < 3; i++)
		if ((r[i] = jiffies_rate(70)) <= 0)
			return 0;
	if (r[0] > r[1])
		t = r[0], r[0] = r[1], r[1] = t;
	if (r[1] > r[2])
		t = r[1], r[1] = r[2], r[2] = t;
	if (r[0] > r[1])
		t = r[0], r[0] = r[1], r[1] = t;
	return r[1] < 175 ? 100 : r[1] < 400 ? 250 : 1000;
}

long long hilt_jiffies(void)
{
	return read_jiffies();
}

int hilt_kernel_hz(const char **how)
{
	static int hz;
	static const char *source;

	if (!hz) {
		long v = hilt_kconfig_num("CONFIG_HZ");

		if (v > 0) {
			hz = (int)v;
			source = "config";
		} else if ((hz = measure_hz()) > 0) {
			source = "measured";
		} else {
			hz = 100;
			source = "assumed";
		}
	}
	if (how)
		*how = source;
	return hz;
}

int64_t hilt_jiffies_ns(int n)
{
	return (int64_t)n * (1000000000LL / hilt_kernel_hz(NULL));
}
