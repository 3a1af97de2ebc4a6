// SPDX-License-Identifier: MIT
/*
 * hilt agent: /init of the test initramfs. It mounts the pseudo filesystems,
 * loads the kernel modules the plan names, runs the planned tests and reports
 * everything on the console as framed records (see frame.h), then powers the
 * machine off. The record kinds and their payloads are listed in
 * suites/agent/PROTOCOL.md.
 *
 * Kernel command line:
 *   hilt.mode=run|shell|probe|list|serve
 *                               run the plan (default), give a shell, only say hello, list
 *                               the subtests of every IGT program, or wait for the host to
 *                               hand out ranges of tests on the console ("run N C", "quit")
 *   hilt.start=N                skip the tests whose index is below N (resume after a crash)
 *   hilt.count=N                run at most N tests from there (a retry runs one)
 */
#define _GNU_SOURCE
#include "frame.h"
#include "limits.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <dirent.h>
#include <drm.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PLAN_PATH "/hilt/plan"
/*
 * A suite's output goes out in records of at most this many bytes, as many
 * whole lines as were read at once: one frame header per read, not per line,
 * keeps the console (the slowest part of a run under TCG) barely busier than
 * the suite's own output. Escaped, even binary output still fits a frame.
 */
#define OUT_CHUNK 2000
#define STUCK_NOTE_MS 10000
#define LIST_TIMEOUT_MS 60000	/* an IGT program listing its subtests */
#define MARKER "hilt: begin "	/* the host matches this text in kernel lines */

struct suite {
	char name[MAX_SUITE_NAME + 1];
	char path[MAX_PATH + 1];
	bool whole;		/* any KTAP binary: one test, no per-case control */
	bool igt;		/* an IGT program: one process per subtest (--run-subtest <case>) */
	char env[8][MAX_CASE_NAME + 1];	/* KEY=VALUE for its processes (IGT_FORCE_DRIVER...) */
	int nenv;
};

struct test {
	int index;
	struct suite *suite;
	char name[MAX_CASE_NAME + 1];	/* case name, "-" for a whole binary */
	int timeout_ms;
};

static struct {
	struct suite suites[MAX_SUITES];
	int nsuites;
	struct test tests[MAX_TESTS];
	int ntests;
	char modules[MAX_MODULES][MAX_PATH + 1];
	int nmodules;
	char paths[MAX_MODULES][MAX_PATH + 1];	/* files to report on: nodes the suites require */
	int npaths;
	int heartbeat_ms;
	int kmsg_level;		/* relay kernel messages at or below this level during tests */
	int boot_kmsg_level;	/* ...and at or below this one from before the first test */
	int console_level;	/* console_loglevel while tests run; 0 leaves it alone */
} plan;	/* zero-initialised so that it stays out of the binary; defaults set in main() */

static unsigned long seq;
/* In shell mode a person reads the console: plain lines instead of frames. */
static bool plain;
/*
 * Hosted: started as a program on a machine that is already up (an SSH host,
 * this workstation), not as /init of a test initramfs. It mounts nothing,
 * loads no module, changes no setting of the kernel, reads the plan and the
 * programs under a folder (--root), and exits instead of powering off.
 */
static bool hosted;
static const char *root = "";
static int kmsg_fd = -1;
static int marker_fd = -1;	/* /dev/kmsg for writing: the case markers */
static int cur_kmsg_level;

/* ---- output ---- */

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				poll(&p, 1, -1);
				continue;
			}
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
}

/*
 * Records wait in this queue and go to the console as fast as it takes them,
 * while the agent goes on reading the suite; past READ_BACKLOG the suite's
 * output waits in its pipe instead. The console is the slowest part of a run.
 */
#define QUEUE_SIZE (256 * 1024)
#define READ_BACKLOG (128 * 1024)	/* above this, suite output waits in its pipe */
static char queue[QUEUE_SIZE];
static size_t q_head, q_len;

static void queue_flush(bool wait)
{
	while (q_len) {
		size_t chunk = q_head + q_len <= QUEUE_SIZE ? q_len : QUEUE_SIZE - q_head;
		ssize_t n = write(STDOUT_FILENO, queue + q_head, chunk);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN && wait) {
				struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };

				poll(&p, 1, -1);
				continue;
			}
			if (errno != EAGAIN)
				q_len = 0;	/* the console is gone: nothing to keep */
			return;
		}
		q_head = (q_head + (size_t)n) % QUEUE_SIZE;
		q_len -= (size_t)n;
	}
	q_head = 0;
}

static void queue_put(const char *buf, size_t len)
{
	if (q_len + len > QUEUE_SIZE)
		queue_flush(true);
	for (size_t tail = (q_head + q_len) % QUEUE_SIZE, i = 0; i < len; i++, tail = (tail + 1) % QUEUE_SIZE)
		queue[tail] = buf[i];
	q_len += len;
	queue_flush(false);
}

static void emit_raw(const char *kind, const char *payload, size_t len)
{
	char line[FRAME_MAX + 64];
	size_t n;

	if (plain) {
		n = (size_t)snprintf(line, sizeof(line), "hilt: %s %.*s\n", kind, (int)len, payload);
		write_all(STDOUT_FILENO, line, n < sizeof(line) ? n : sizeof(line) - 1);
		return;
	}
	/*
	 * Every record starts on a line of its own, even after something that
	 * wrote to the console without ending its line (a process flooding it,
	 * a kernel message): the host ignores the empty lines this makes.
	 */
	line[0] = '\n';
	n = 1 + frame_format(line + 1, sizeof(line) - 1, seq++, kind, payload, len);

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	queue_put(line, n);
}

static void emit(const char *kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(const char *kind, const char *fmt, ...)
{
	char payload[FRAME_MAX / 2];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(payload, sizeof(payload), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(payload))
		n = sizeof(payload) - 1;
	emit_raw(kind, payload, (size_t)n);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- machine ---- */

/*
 * Waits until the console has sent what the agent wrote: the tty layer
 * buffers it, and a power-off would otherwise drop the tail.
 */
static void drain_console(void)
{
	queue_flush(true);
	tcdrain(STDOUT_FILENO);
}

static void power_off(void)
{
	drain_console();
	if (hosted)
		exit(0);
	sync();
	reboot(RB_POWER_OFF);
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static void mount_pseudo(void)
{
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	mkdir("/dev/pts", 0755);
	mount("devpts", "/dev/pts", "devpts", 0, NULL);
	mkdir("/dev/shm", 01777);
	mount("tmpfs", "/dev/shm", "tmpfs", 0, NULL);
}

static void read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	buf[n > 0 ? n : 0] = '\0';
	if (fd >= 0)
		close(fd);
}

/* Value of "key=" on the kernel command line, or def. */
static const char *cmdline_get(const char *cmdline, const char *key, char *out, size_t size,
			       const char *def)
{
	size_t klen = strlen(key);

	for (const char *p = cmdline; *p;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			size_t n = strcspn(p + klen + 1, " \n");

			if (n >= size)
				n = size - 1;
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return out;
		}
		p += strcspn(p, " \n");
	}
	snprintf(out, size, "%s", def);
	return out;
}

/* ---- plan ---- */

static struct suite *find_suite(const char *name)
{
	for (int i = 0; i < plan.nsuites; i++)
		if (!strcmp(plan.suites[i].name, name))
			return &plan.suites[i];
	return NULL;
}

/* Copies a word into a fixed buffer; false (and a note) when it does not fit: the host checks, this is the backstop. */
static bool take_word(char *dst, size_t size, const char *word, int lineno)
{
	if (strlen(word) >= size) {
		emit("note", "plan line %d: '%.40s...' is longer than the agent's %zu bytes; line ignored",
		     lineno, word, size - 1);
		return false;
	}
	memcpy(dst, word, strlen(word) + 1);
	return true;
}

/* A path of the plan, under --root when hosted. */
static bool take_path(char *dst, size_t size, const char *path, int lineno)
{
	char full[MAX_PATH * 2 + 2];

	snprintf(full, sizeof(full), "%s%s", path[0] == '/' ? root : "", path);
	return take_word(dst, size, full, lineno);
}

static bool load_plan(void)
{
	static char text[MAX_PLAN_BYTES + 1];
	int lineno = 0;
	char *save = NULL;

	char plan_path[MAX_PATH + 1];

	snprintf(plan_path, sizeof(plan_path), "%s%s", root, PLAN_PATH);
	read_file(plan_path, text, sizeof(text));
	if (!text[0]) {
		emit("note", "no plan at %s", plan_path);
		return false;
	}
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *w[6] = { 0 }, *wsave = NULL;
		int nw = 0;

		lineno++;
		if (line[0] == '#')
			continue;
		for (char *t = strtok_r(line, " ", &wsave); t && nw < 6; t = strtok_r(NULL, " ", &wsave))
			w[nw++] = t;
		if (!nw)
			continue;
		if (nw == 2 && !strcmp(w[0], "hilt-plan")) {
			continue;
		} else if (nw == 2 && !strcmp(w[0], "heartbeat-ms")) {
			plan.heartbeat_ms = atoi(w[1]);
		} else if (nw == 2 && !strcmp(w[0], "kmsg-level")) {
			plan.kmsg_level = atoi(w[1]);
		} else if (nw == 2 && !strcmp(w[0], "boot-kmsg-level")) {
			plan.boot_kmsg_level = atoi(w[1]);
		} else if (nw == 2 && !strcmp(w[0], "console-level")) {
			plan.console_level = atoi(w[1]);
		} else if (nw == 2 && !strcmp(w[0], "module")) {
			if (plan.nmodules == MAX_MODULES)
				emit("note", "plan line %d: more than %d modules; ignored", lineno, MAX_MODULES);
			else if (take_path(plan.modules[plan.nmodules], sizeof(plan.modules[0]), w[1], lineno))
				plan.nmodules++;
		} else if (nw == 2 && !strcmp(w[0], "path")) {
			/* The machine's own file, under --root or not: /dev/udmabuf is the host's. */
			if (plan.npaths == MAX_MODULES)
				emit("note", "plan line %d: more than %d paths; ignored", lineno, MAX_MODULES);
			else if (take_word(plan.paths[plan.npaths], sizeof(plan.paths[0]), w[1], lineno))
				plan.npaths++;
		} else if (nw == 4 && !strcmp(w[0], "suite")) {
			struct suite *s = &plan.suites[plan.nsuites];

			if (plan.nsuites == MAX_SUITES) {
				emit("note", "plan line %d: more than %d suites; ignored", lineno, MAX_SUITES);
				continue;
			}
			if (!take_word(s->name, sizeof(s->name), w[1], lineno) ||
			    !take_path(s->path, sizeof(s->path), w[2], lineno))
				continue;
			s->igt = !strcmp(w[3], "igt");
			s->whole = s->igt || !strcmp(w[3], "whole");
			plan.nsuites++;
		} else if (nw == 3 && !strcmp(w[0], "env")) {
			struct suite *s = find_suite(w[1]);

			if (!s || s->nenv == 8 || !strchr(w[2], '='))
				emit("note", "plan line %d: env for unknown suite, more than 8, or not KEY=VALUE; ignored", lineno);
			else if (take_word(s->env[s->nenv], sizeof(s->env[0]), w[2], lineno))
				s->nenv++;
		} else if (nw == 5 && !strcmp(w[0], "test")) {
			struct test *tc = &plan.tests[plan.ntests];

			if (plan.ntests == MAX_TESTS) {
				emit("note", "plan line %d: more than %d tests; ignored", lineno, MAX_TESTS);
				continue;
			}
			tc->suite = find_suite(w[2]);
			if (!tc->suite) {
				emit("note", "plan line %d: unknown suite %s", lineno, w[2]);
				continue;
			}
			if (!take_word(tc->name, sizeof(tc->name), w[3], lineno))
				continue;
			tc->index = atoi(w[1]);
			tc->timeout_ms = atoi(w[4]);
			plan.ntests++;
		} else {
			emit("note", "plan line %d not understood: %.200s", lineno, w[0]);
		}
	}
	if (plan.heartbeat_ms <= 0) {
		emit("note", "the plan sets no heartbeat-ms; beating every second");
		plan.heartbeat_ms = 1000;
	}
	return true;
}

/* ---- kernel log ---- */

/* The last case marker met in the kernel log ("suite/case"), and the suite process running. */
static const char ANY_MARKER[] = "";
static char marker_met[300];
static struct child *running;
static void marker_reached(void);

/*
 * Relays kernel messages, in the kernel log's own order. The case markers in
 * it (written by the suites as each case begins) are the true boundary
 * between one case's messages and the next: with until set, the drain stops
 * right after that marker (after any marker, with ANY_MARKER); a marker met before the agent has read its case's
 * announcement makes the agent read it first, so the 'begin' record always
 * comes before the messages of its case.
 */
static void kmsg_drain_until(const char *until)
{
	char rec[8192];

	if (kmsg_fd < 0)
		return;
	for (;;) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		unsigned prio;
		unsigned long long ts;
		char *text, *nl;

		if (n < 0) {
			if (errno == EPIPE) {
				emit("note", "kmsg: messages were overwritten before they could be read");
				continue;
			}
			if (errno == EINTR)
				continue;
			return;	/* EAGAIN: nothing more */
		}
		if (n == 0)
			return;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text || sscanf(rec, "%u,%*u,%llu", &prio, &ts) != 2)
			continue;
		text++;
		nl = strchr(text, '\n');	/* drop the KEY=VALUE continuation lines */
		if (nl)
			*nl = '\0';
		if (!strncmp(text, MARKER, strlen(MARKER))) {
			snprintf(marker_met, sizeof(marker_met), "%s", text + strlen(MARKER));
			if (until && (until == ANY_MARKER || !strcmp(until, marker_met)))
				return;
			if (!until)
				marker_reached();
			continue;
		}
		if ((int)(prio & 7) > cur_kmsg_level)
			continue;
		emit("kmsg", "%u %llu %s", prio, ts, text);
	}
}

static void kmsg_drain(void)
{
	kmsg_drain_until(NULL);
}

/* ---- modules ---- */

/*
 * Whether the running kernel has a module, loaded or built in: /sys/module
 * shows loaded ones and built-in ones with parameters, modules.builtin the
 * rest. name uses underscores.
 */
static bool module_present(const char *name)
{
	char path[MAX_PATH + 64], line[512];
	struct utsname u;
	FILE *f;
	bool found = false;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (access(path, F_OK) == 0)
		return true;
	if (uname(&u))
		return false;
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin", u.release);
	f = fopen(path, "re");
	while (f && !found && fgets(line, sizeof(line), f)) {
		char *base = strrchr(line, '/') ? strrchr(line, '/') + 1 : line;
		char *dot = strstr(base, ".ko");

		if (!dot)
			continue;
		*dot = '\0';
		for (char *c = base; *c; c++)
			if (*c == '-')
				*c = '_';
		found = !strcmp(base, name);
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * On a machine that is up, hilt loads nothing: each module of the plan (a
 * name) is reported present when this kernel has it, or as an error the
 * host judges (a required module that is not there ends the run).
 */
static void check_hosted_modules(void)
{
	for (int i = 0; i < plan.nmodules; i++) {
		const char *p = plan.modules[i];
		const char *given = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
		char name[128];
		size_t n = 0;

		for (; given[n] && n < sizeof(name) - 1 && strncmp(given + n, ".ko", 3); n++)
			name[n] = given[n] == '-' ? '_' : given[n];
		name[n] = '\0';
		if (module_present(name))
			emit("mod", "%s present 0", name);
		else
			emit("mod", "%s err %d not loaded in the running kernel, nor built in (hilt loads no module on a machine it did not boot: modprobe %s first)",
			     name, ENOENT, name);
	}
}

static void load_modules(void)
{
	if (hosted) {
		check_hosted_modules();
		return;
	}
	for (int i = 0; i < plan.nmodules; i++) {
		const char *path = plan.modules[i];
		const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		long long t0 = now_ms();
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		int ret = fd < 0 ? -1 : (int)syscall(SYS_finit_module, fd, "", 0);
		int err = errno;

		if (fd >= 0)
			close(fd);
		if (ret == 0)
			emit("mod", "%s ok %lld", base, now_ms() - t0);
		else if (err == EEXIST)
			emit("mod", "%s present 0", base);
		else
			emit("mod", "%s err %d %s", base, err, strerror(err));
		/* Messages a module prints while loading belong to boot, not to the first test. */
		kmsg_drain();
	}
}

/* ---- kernel health: taint, lockdep, stuck tasks ---- */

static long last_taint = -1;
static int last_debug_locks = -1;
static bool have_lockdep = true;	/* until /proc/lockdep_stats turns out to be absent */

static long read_taint(void)
{
	char buf[32];

	read_file("/proc/sys/kernel/tainted", buf, sizeof(buf));
	return buf[0] ? strtol(buf, NULL, 10) : -1;
}

/* debug_locks from /proc/lockdep_stats: 1 while lockdep checks, 0 once it found a bug; -1 without lockdep. */
static int read_debug_locks(void)
{
	static char buf[8192];
	char *p;

	if (!have_lockdep)
		return -1;
	read_file("/proc/lockdep_stats", buf, sizeof(buf));
	p = strstr(buf, "debug_locks:");
	if (!p) {
		have_lockdep = false;
		return -1;
	}
	return atoi(p + strlen("debug_locks:"));
}

/*
 * Says when the kernel's taint or lockdep's state changed, where it stands in
 * the record stream: the host charges a change to the test open there, or
 * the one that ended last (the first, after the modules load, is the boot's
 * baseline). A hilt suite reads both itself as each case starts and ends and
 * says so in its announcements (the agent reads those later, when the suite
 * may be cases ahead); otherwise the agent reads them where nothing runs
 * ahead of it: before a process starts, after it exited, at a whole
 * program's heartbeats.
 */
static void note_health(long taint, int locks)
{
	if (taint >= 0 && taint != last_taint) {
		emit("taint", "%ld", taint);
		last_taint = taint;
	}
	if (locks >= 0 && locks != last_debug_locks) {
		emit("lockdep", "%s", locks ? "on" : "off");
		last_debug_locks = locks;
	}
}

static void health_check(void)
{
	note_health(read_taint(), read_debug_locks());
}

/* " taint=N locks=N" at the end of a suite's announcement: the health it saw there. */
static void announced_health(const char *words)
{
	const char *t = strstr(words, " taint="), *l = strstr(words, " locks=");

	note_health(t ? strtol(t + 7, NULL, 10) : -1, l ? atoi(l + 7) : -1);
}

/* Field n (1-based) of /proc/PID/stat, after the "(comm)" that may hold spaces; comm into comm. */
static bool read_stat(const char *path, char *comm, size_t commsize, char *state, long *pgrp)
{
	char buf[1024], *open_paren, *close_paren;

	read_file(path, buf, sizeof(buf));
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return false;
	snprintf(comm, commsize, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
	return sscanf(close_paren + 1, " %c %*d %ld", state, pgrp) == 2;
}

/*
 * Before a case that overran is killed: what is it stuck on? The kernel logs
 * every blocked task (sysrq w, relayed with the kernel log), and each task of
 * the case's process group goes out as a 'stack' record: state, wchan and its
 * kernel stack. That is the evidence a kernel engineer asks for first.
 */
static void dump_stuck(pid_t pgid, const struct test *t)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	DIR *proc;
	struct dirent *d;
	int dumped = 0;

	if (fd >= 0) {
		if (write(fd, "w", 1) != 1)
			emit("note", "sysrq w failed: %s", strerror(errno));
		close(fd);
	}
	proc = opendir("/proc");
	while (proc && (d = readdir(proc)) && dumped < 32) {
		char path[300], comm[64], state, wchan[128], stack[3000], text[3600];
		long pgrp;
		DIR *tasks;
		struct dirent *td;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		if (!read_stat(path, comm, sizeof(comm), &state, &pgrp) || pgrp != pgid)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", d->d_name);
		tasks = opendir(path);
		while (tasks && (td = readdir(tasks)) && dumped < 32) {
			if (td->d_name[0] < '0' || td->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stat", d->d_name, td->d_name);
			if (!read_stat(path, comm, sizeof(comm), &state, &pgrp))
				continue;
			snprintf(path, sizeof(path), "/proc/%s/task/%s/wchan", d->d_name, td->d_name);
			read_file(path, wchan, sizeof(wchan));
			snprintf(path, sizeof(path), "/proc/%s/task/%s/stack", d->d_name, td->d_name);
			read_file(path, stack, sizeof(stack));
			int n = snprintf(text, sizeof(text), "%d task %s (%s) state %c wchan %s\n%s", t->index,
					 td->d_name, comm, state, wchan[0] ? wchan : "-",
					 stack[0] ? stack : "(no kernel stack: not in the kernel, or /proc/PID/stack unavailable)\n");

			if (n > 0 && text[n - 1] == '\n')
				text[--n] = '\0';
			emit_raw("stack", text, (size_t)(n < (int)sizeof(text) ? n : (int)sizeof(text) - 1));
			dumped++;
		}
		if (tasks)
			closedir(tasks);
	}
	if (proc)
		closedir(proc);
}

/* ---- inventory: the machine as the kernel sees it ---- */

static void read_trim(const char *path, char *buf, size_t size)
{
	read_file(path, buf, size);
	buf[strcspn(buf, "\n")] = '\0';
}

/* The name of the driver a sysfs device is bound to, "-" when none. */
static void bound_driver(const char *devdir, char *out, size_t size)
{
	char link[512], target[512];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/driver", devdir);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0) {
		snprintf(out, size, "-");
		return;
	}
	target[n] = '\0';
	snprintf(out, size, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
}

/*
 * Says what the machine is: every display controller, 3D controller and
 * processing accelerator on PCI with its ids, subsystem ids, bound driver and
 * the firmware versions sysfs shows; every DRM and accel node with the driver
 * and version DRM_IOCTL_VERSION gives; the kernel command line. A run records
 * it, and a machine profile that demands an accelerator is checked against it.
 */
static void inventory(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;
	char cmdline[2048];

	while (d && (e = readdir(d))) {
		char dir[300], path[400], cls[32], ven[16], dev[16], sven[16], sdev[16], drv[64], fw[800] = "";
		unsigned long klass;

		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", e->d_name);
		snprintf(path, sizeof(path), "%s/class", dir);
		read_trim(path, cls, sizeof(cls));
		klass = strtoul(cls, NULL, 16);
		/* 0x03: display; 0x12: processing accelerator; 0x0b40: co-processor */
		if ((klass >> 16) != 0x03 && (klass >> 16) != 0x12 && (klass >> 8) != 0x0b40)
			continue;
		snprintf(path, sizeof(path), "%s/vendor", dir);
		read_trim(path, ven, sizeof(ven));
		snprintf(path, sizeof(path), "%s/device", dir);
		read_trim(path, dev, sizeof(dev));
		snprintf(path, sizeof(path), "%s/subsystem_vendor", dir);
		read_trim(path, sven, sizeof(sven));
		snprintf(path, sizeof(path), "%s/subsystem_device", dir);
		read_trim(path, sdev, sizeof(sdev));
		bound_driver(dir, drv, sizeof(drv));
		static const char *const fw_files[] = { "vbios_version", "fw_version", "firmware_version" };
		for (size_t i = 0; i < sizeof(fw_files) / sizeof(fw_files[0]); i++) {
			char v[128];

			snprintf(path, sizeof(path), "%s/%s", dir, fw_files[i]);
			read_trim(path, v, sizeof(v));
			if (v[0])
				snprintf(fw + strlen(fw), sizeof(fw) - strlen(fw), " %s=%s", fw_files[i], v);
		}
		emit("inv", "pci %s %s:%s %s:%s %s %s%s", e->d_name, ven + (ven[1] == 'x' ? 2 : 0),
		     dev + (dev[1] == 'x' ? 2 : 0), sven + (sven[1] == 'x' ? 2 : 0), sdev + (sdev[1] == 'x' ? 2 : 0),
		     cls + (cls[1] == 'x' ? 2 : 0), drv, fw);
	}
	if (d)
		closedir(d);
	static const char *const node_dirs[] = { "/dev/dri", "/dev/accel" };
	for (size_t k = 0; k < sizeof(node_dirs) / sizeof(node_dirs[0]); k++) {
		d = opendir(node_dirs[k]);
		while (d && (e = readdir(d))) {
			char path[300], name[64] = "", desc[128] = "";
			struct drm_version v = { .name = name, .name_len = sizeof(name) - 1, .desc = desc, .desc_len = sizeof(desc) - 1 };
			int fd;

			if (strncmp(e->d_name, "card", 4) && strncmp(e->d_name, "renderD", 7) && strncmp(e->d_name, "accel", 5))
				continue;
			snprintf(path, sizeof(path), "%s/%s", node_dirs[k], e->d_name);
			fd = open(path, O_RDWR | O_CLOEXEC);
			if (fd < 0 || ioctl(fd, DRM_IOCTL_VERSION, &v)) {
				emit("inv", "node %s - %s", path, strerror(errno));
			} else {
				name[v.name_len < sizeof(name) ? v.name_len : sizeof(name) - 1] = '\0';
				emit("inv", "node %s %s %d.%d.%d", path, name, v.version_major, v.version_minor, v.version_patchlevel);
			}
			if (fd >= 0)
				close(fd);
		}
		if (d)
			closedir(d);
	}
	for (int i = 0; i < plan.npaths; i++) {
		struct stat st;

		if (stat(plan.paths[i], &st))
			emit("inv", "path %s - %s", plan.paths[i], strerror(errno));
		else
			emit("inv", "path %s ok %s", plan.paths[i], S_ISCHR(st.st_mode) ? "chr" : S_ISDIR(st.st_mode) ? "dir" : "file");
	}
	read_trim("/proc/cmdline", cmdline, sizeof(cmdline));
	emit("inv", "cmdline %s", cmdline);
}

/* ---- running suites ---- */

struct stream {
	int fd;
	const char *kind;	/* "out" or "err" */
	char buf[OUT_CHUNK];
	size_t len;
	bool discarding;	/* inside an over-long line, dropping until its newline */
};

struct child {
	pid_t pid;
	const struct suite *suite;
	struct test *batch;
	int nbatch;
	int open;		/* batch position of the case running now, -1 between cases */
	int next;		/* batch position after the last case that ended */
	long long case_t0, deadline, killed_at;
	bool stuck_noted;
	bool listing;		/* hilt.mode=list: an IGT program asked for its subtests, no test runs */
	struct stream out, err;
};

static void control_line(struct child *c, const char *line, size_t len);

/*
 * Emits whole lines (newline-separated, no trailing newline) as one record,
 * except the suite's in-band announcements (lines starting with RS, see
 * suites/lib/hilt.c), which are acted on where they stand in the output.
 */
static void stream_lines(struct child *c, struct stream *s, const char *buf, size_t len)
{
	size_t run = 0, line = 0;

	while (line <= len) {
		const char *nl = memchr(buf + line, '\n', len - line);
		size_t end = nl ? (size_t)(nl - buf) : len;

		if (s->fd == c->out.fd && end > line && buf[line] == '\x1e') {
			if (line > run)
				emit_raw(s->kind, buf + run, line - 1 - run);
			control_line(c, buf + line + 1, end - line - 1);
			run = end + 1;
		}
		line = end + 1;
	}
	if (run < len)
		emit_raw(s->kind, buf + run, len - run);
}

/* Reads what is available now (without blocking); returns false at EOF. */
static bool stream_pump(struct child *c, struct stream *s)
{
	for (;;) {
		ssize_t n;
		char *nl;

		if (s->fd < 0)
			return false;
		n = read(s->fd, s->buf + s->len, OUT_CHUNK - s->len);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		if (n == 0) {
			if (s->len && !s->discarding)
				stream_lines(c, s, s->buf, s->len);
			s->len = 0;
			close(s->fd);
			s->fd = -1;
			return false;
		}
		s->len += (size_t)n;
		if (s->discarding) {
			/* The rest of an over-long line: dropped up to its newline. */
			nl = memchr(s->buf, '\n', s->len);
			if (!nl) {
				s->len = 0;
				continue;
			}
			s->discarding = false;
			s->len -= (size_t)(nl + 1 - s->buf);
			memmove(s->buf, nl + 1, s->len);
		}
		nl = memrchr(s->buf, '\n', s->len);
		if (nl) {
			size_t whole = (size_t)(nl - s->buf);

			stream_lines(c, s, s->buf, whole);
			s->len -= whole + 1;
			memmove(s->buf, nl + 1, s->len);
		} else if (s->len == OUT_CHUNK) {
			emit_raw(s->kind, s->buf, s->len);
			emit("note", "%s: a line longer than %d bytes was cut", c->suite->name, OUT_CHUNK);
			s->discarding = true;
			s->len = 0;
		}
	}
}

static void pump_all(struct child *c)
{
	stream_pump(c, &c->out);
	stream_pump(c, &c->err);
	kmsg_drain();
}

/*
 * Between cases (and before the first) the suite runs no case, yet it can
 * still hang; the next case's timeout bounds that gap and the hang is then
 * charged to that case.
 */
static void arm_gap_deadline(struct child *c)
{
	c->deadline = 0;
	if (!c->suite->whole && c->next < c->nbatch && c->batch[c->next].timeout_ms > 0)
		c->deadline = now_ms() + c->batch[c->next].timeout_ms;
}

/*
 * The marker a hilt suite writes itself before each case (suites/lib/hilt.c),
 * for a program run whole: a kernel that panics prints its log again
 * (panic_print=0x20), and the marker names the test whose 'begin' record may
 * have died in the tty queue.
 */
static void announce(const struct test *t)
{
	char line[320];
	int n = snprintf(line, sizeof(line), "<6>" MARKER "%s/%s\n", t->suite->name, t->name);

	if (marker_fd >= 0 && write(marker_fd, line, (size_t)n) < 0)
		emit("note", "case marker for test %d not written: %s", t->index, strerror(errno));
}

static void begin_case(struct child *c, int pos)
{
	struct test *t = &c->batch[pos];

	/* The index says it all (the host has the plan); every byte on the console costs time. */
	emit("begin", "%d", t->index);
	c->open = pos;
	c->case_t0 = now_ms();
	c->deadline = t->timeout_ms > 0 ? c->case_t0 + t->timeout_ms : 0;
}

static void end_case(struct child *c)
{
	struct test *t = &c->batch[c->open];

	/* Its kernel messages go out before its end: up to the next case's marker, if that is there yet. */
	kmsg_drain_until(ANY_MARKER);
	emit("end", "%d %lld", t->index, now_ms() - c->case_t0);
	c->next = c->open + 1;
	c->open = -1;
	arm_gap_deadline(c);
}

/* An announcement from the suite, in band on its stdout: "begin <case>" or "end <case>". */
static void control_line(struct child *c, const char *line, size_t len)
{
	char msg[200];
	int pos;

	snprintf(msg, sizeof(msg), "%.*s", (int)len, line);
	/* "hilt begin|end <case>[ taint=N[ locks=N]]": the case name ends at the first space. */
	char *extra = strchr(msg + (strncmp(msg, "hilt begin ", 11) ? 9 : 11), ' ');
	const char *health = extra ? extra : "";

	if (extra) {
		char *copy = strdup(extra);

		*extra = '\0';
		health = copy;
	}
	if (!strncmp(msg, "hilt begin ", 11)) {
		for (pos = c->next; pos < c->nbatch; pos++)
			if (!strcmp(c->batch[pos].name, msg + 11))
				break;
		if (pos == c->nbatch) {
			emit("note", "%s announced case '%s' that the plan does not run here", c->suite->name, msg + 11);
			goto out;
		}
		if (c->open >= 0)
			end_case(c);
		/* Messages before the case's marker are the previous case's: out before its 'begin'. */
		char mark[300];

		snprintf(mark, sizeof(mark), "%s/%s", c->suite->name, c->batch[pos].name);
		if (strcmp(marker_met, mark))
			kmsg_drain_until(mark);
		announced_health(health);	/* a change before the case is the previous case's doing */
		begin_case(c, pos);
	} else if (!strncmp(msg, "hilt end ", 9)) {
		if (c->open >= 0 && !strcmp(c->batch[c->open].name, msg + 9)) {
			announced_health(health);
			end_case(c);
		}
	} else {
		emit("note", "%s: unknown announcement '%s'", c->suite->name, msg);
	}
out:
	if (extra)
		free((char *)health);
}

/* A case's marker came up in the kernel log: its announcement is in the suite's pipe already. */
static void marker_reached(void)
{
	if (running)
		stream_pump(running, &running->out);
}

static char *join_cases(const struct test *batch, int from, int n)
{
	size_t size = 1;
	char *list, *p;

	for (int i = from; i < n; i++)
		size += strlen(batch[i].name) + 1;
	list = calloc(1, size);
	p = list;
	for (int i = from; i < n; i++)
		p += sprintf(p, "%s%s", i > from ? "," : "", batch[i].name);
	return list;
}

static pid_t spawn(struct child *c, int from, sigset_t *oldmask)
{
	int out[2], err[2];
	char *list = NULL;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	if (!c->suite->whole)
		list = join_cases(c->batch, from, c->nbatch);
	pid = fork();
	if (pid == 0) {
		char *argv[4] = { (char *)c->suite->path, NULL, NULL, NULL };
		const char *subtest = c->batch[from].name;

		setpgid(0, 0);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		for (int i = 0; i < c->suite->nenv; i++)
			putenv((char *)c->suite->env[i]);
		if (list) {
			setenv("HILT_AGENT", "1", 1);
			argv[1] = "--run";
			argv[2] = list;
		} else if (c->listing) {
			argv[1] = "--list-subtests";
		} else if (c->suite->igt && strcmp(subtest, "-")) {
			argv[1] = "--run-subtest";
			argv[2] = (char *)subtest;
		}
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, STDIN_FILENO);
		chdir("/tmp");
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(list);
	close(out[1]);
	close(err[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	c->out = (struct stream){ .fd = out[0], .kind = "out" };
	c->err = (struct stream){ .fd = err[0], .kind = "err" };
	c->pid = pid;
	return pid;
}

/*
 * Runs the cases batch[from..n) of one suite in one process and supervises it
 * until it exits. Returns the batch position to restart from: past a case the
 * process died in or timed out in, or n when there is nothing left to try.
 */
static int run_process(struct child *c, int from, int sigfd, sigset_t *oldmask)
{
	long long t0 = now_ms(), next_hb;
	int status = 0;
	bool exited = false;

	c->open = -1;
	c->next = from;
	c->deadline = 0;
	c->killed_at = 0;
	c->stuck_noted = false;
	health_check();	/* nothing runs now: what changed since is this process's doing */
	if (spawn(c, from, oldmask) < 0) {
		emit("note", "%s: cannot start: %s", c->suite->name, strerror(errno));
		for (int i = from; i < c->nbatch; i++)
			emit("notrun", "%d could not start the suite binary", c->batch[i].index);
		return c->nbatch;
	}
	emit("spawn", "%s %d", c->suite->name, c->pid);
	running = c;
	if (c->listing) {
		c->deadline = now_ms() + LIST_TIMEOUT_MS;
	} else if (c->suite->whole) {
		begin_case(c, from);
		announce(&c->batch[from]);
	} else {
		arm_gap_deadline(c);
	}
	next_hb = t0 + plan.heartbeat_ms;

	while (!exited) {
		bool backlog = q_len > READ_BACKLOG;
		struct pollfd p[5] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = backlog ? -1 : c->out.fd, .events = POLLIN },
			{ .fd = backlog ? -1 : c->err.fd, .events = POLLIN },
			{ .fd = kmsg_fd, .events = POLLIN },
			{ .fd = q_len ? STDOUT_FILENO : -1, .events = POLLOUT },
		};
		long long now = now_ms(), wake = next_hb;
		int timeout;

		if (c->deadline && c->deadline < wake)
			wake = c->deadline;
		timeout = wake > now ? (int)(wake - now) : 0;
		if (poll(p, 5, timeout) < 0 && errno != EINTR)
			break;
		if (p[4].revents)
			queue_flush(false);
		if (p[1].revents)
			stream_pump(c, &c->out);
		if (p[2].revents)
			stream_pump(c, &c->err);
		if (p[3].revents)
			kmsg_drain();
		if (p[0].revents) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == sizeof(si))
				;
			for (;;) {
				pid_t w = waitpid(-1, &status, WNOHANG);

				if (w <= 0)
					break;
				if (w == c->pid)
					exited = true;
			}
		}
		now = now_ms();
		if (c->deadline && now >= c->deadline && !c->killed_at && c->listing) {
			emit("note", "%s: --list-subtests ran past %d s; killed", c->suite->name, LIST_TIMEOUT_MS / 1000);
			kill(-c->pid, SIGKILL);
			c->killed_at = now;
			c->deadline = 0;
		}
		if (c->deadline && now >= c->deadline && !c->killed_at) {
			struct test *t;

			if (c->open < 0)
				begin_case(c, c->next);
			t = &c->batch[c->open];
			pump_all(c);
			emit("timeout", "%d %d", t->index, t->timeout_ms);
			dump_stuck(c->pid, t);
			pump_all(c);
			kill(-c->pid, SIGKILL);
			kill(c->pid, SIGKILL);
			c->killed_at = now;
			c->deadline = 0;
		}
		if (c->killed_at && !c->stuck_noted && now - c->killed_at > STUCK_NOTE_MS) {
			emit("note", "%s: pid %d has not exited %d s after SIGKILL (stuck in the kernel?)",
			     c->suite->name, c->pid, STUCK_NOTE_MS / 1000);
			c->stuck_noted = true;
		}
		if (now >= next_hb) {
			struct timespec up;

			clock_gettime(CLOCK_BOOTTIME, &up);
			if (c->suite->whole)
				health_check();
			emit("hb", "%lld", (long long)up.tv_sec * 1000 + up.tv_nsec / 1000000);
			next_hb = now + plan.heartbeat_ms;
		}
	}
	/* The pipes may still hold output the process wrote before it died. */
	pump_all(c);
	health_check();
	running = NULL;
	if (c->out.fd >= 0)
		close(c->out.fd);
	if (c->err.fd >= 0)
		close(c->err.fd);
	kill(-c->pid, SIGKILL);	/* leftovers of the process group */
	if (WIFSIGNALED(status))
		emit("exit", "%s signal %d %lld", c->suite->name, WTERMSIG(status), now_ms() - t0);
	else
		emit("exit", "%s code %d %lld", c->suite->name, WEXITSTATUS(status), now_ms() - t0);

	if (c->suite->whole) {
		if (c->open >= 0)
			end_case(c);
		return c->nbatch;
	}
	if (c->open >= 0) {
		/* Died or was killed inside a case: go on after it. */
		int restart = c->open + 1;

		c->open = -1;
		return restart;
	}
	for (int i = c->next; i < c->nbatch; i++)
		emit("notrun", "%d the suite exited before this case began", c->batch[i].index);
	return c->nbatch;
}

static void run_tests(int start, int count, int sigfd, sigset_t *oldmask)
{
	int i = 0;
	int ran = 0;

	while (i < plan.ntests && plan.tests[i].index < start)
		i++;
	while (i < plan.ntests && plan.tests[i].index < start + count) {
		struct child c = { .suite = plan.tests[i].suite, .batch = &plan.tests[i] };
		int from = 0;

		/* A whole binary is one test; cases of one suite in a row share a process. */
		c.nbatch = 1;
		if (!c.suite->whole)
			while (i + c.nbatch < plan.ntests && plan.tests[i + c.nbatch].suite == c.suite &&
			       plan.tests[i + c.nbatch].index < start + count)
				c.nbatch++;
		while (from < c.nbatch)
			from = run_process(&c, from, sigfd, oldmask);
		ran += c.nbatch;
		i += c.nbatch;
	}
	emit("done", "%d", ran);
}

/* Lists the subtests of every IGT program (hilt.mode=list): its stdout goes out as 'out' records between its 'spawn' and 'exit'. */
static void run_lists(int sigfd, sigset_t *oldmask)
{
	static struct test none = { .index = -1, .name = "-" };
	int listed = 0;

	for (int i = 0; i < plan.nsuites; i++) {
		struct child c = { .suite = &plan.suites[i], .batch = &none, .nbatch = 1, .listing = true };

		if (!c.suite->igt)
			continue;
		run_process(&c, 0, sigfd, oldmask);
		listed++;
	}
	emit("done", "%d", listed);
}

/* hosted: SIGHUP or SIGTERM ends the running test's process group and the agent. */
static void on_hangup(int sig)
{
	if (running)
		kill(-running->pid, SIGKILL);
	_exit(128 + sig);
}

/*
 * hilt.mode=serve: the host hands out work on the console, a line at a time,
 * so that several machines of one run stay busy: "run <start> <count>" runs
 * those tests (a 'unit' record, then what running them says, then 'done'),
 * "quit" powers off. Nothing runs between units, so no heartbeat is owed.
 */
static void serve(int sigfd, sigset_t *oldmask)
{
	char line[128];
	size_t len = 0;
	struct termios t;

	if (!hosted && tcgetattr(STDIN_FILENO, &t) == 0) {
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);	/* what the host types is not console output */
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	emit("ready", "%d", plan.ntests);
	for (;;) {
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = q_len ? STDOUT_FILENO : -1, .events = POLLOUT } };
		ssize_t n;
		int start, count;

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return;
		if (p[1].revents)
			queue_flush(false);
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(STDIN_FILENO, line + len, sizeof(line) - 1 - len);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return;	/* the host is gone */
		if (n < 0)
			continue;
		len += (size_t)n;
		line[len] = '\0';
		for (char *nl; (nl = strpbrk(line, "\r\n"));) {
			*nl = '\0';
			if (sscanf(line, "run %d %d", &start, &count) == 2) {
				emit("unit", "%d %d", start, count);
				run_tests(start, count, sigfd, oldmask);
			} else if (!strcmp(line, "quit")) {
				return;
			} else if (line[0]) {
				emit("note", "serve: command not understood: %.80s", line);
			}
			len -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, len + 1);
		}
		if (len == sizeof(line) - 1)
			len = 0;	/* a line too long to be a command */
	}
}

/* ---- shell ---- */

static void run_shell(void)
{
	char active[256], tty[300], *last;
	pid_t pid;

	read_file("/sys/class/tty/console/active", active, sizeof(active));
	active[strcspn(active, "\n")] = '\0';
	last = strrchr(active, ' ') ? strrchr(active, ' ') + 1 : active;
	snprintf(tty, sizeof(tty), "/dev/%s", last[0] ? last : "console");
	emit("note", "shell on %s; the suites are in /hilt/suites; exit the shell to power off", tty);
	pid = fork();
	if (pid == 0) {
		int fd;
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		fd = open(tty, O_RDWR);
		if (fd >= 0) {
			ioctl(fd, TIOCSCTTY, 1);
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("PATH", "/hilt/suites:/bin:/sbin:/usr/bin:/usr/sbin", 1);
		setenv("PS1", "hilt:\\w# ", 1);
		setenv("HOME", "/", 1);
		setenv("TERM", "linux", 1);
		chdir("/");
		execl("/bin/sh", "sh", NULL);
		_exit(127);
	}
	while (pid > 0) {
		int status;
		pid_t w = wait(&status);

		if (w == pid || (w < 0 && errno == ECHILD))
			break;
	}
}

/* hosted: agent --hosted --root DIR [--mode run|list] [--start N] [--count N] */
static void hosted_args(int argc, char **argv, char *cmdline, size_t size)
{
	size_t n = 0;

	hosted = true;
	cmdline[0] = '\0';
	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--root"))
			root = argv[i + 1];
		else if (!strncmp(argv[i], "--", 2))
			n += (size_t)snprintf(cmdline + n, n < size ? size - n : 0, "hilt.%s=%s ", argv[i] + 2, argv[i + 1]);
	}
}

int main(int argc, char **argv)
{
	char cmdline[4096], mode[16], start_s[16], count_s[16], path_env[MAX_PATH + 64];
	struct utsname u;
	sigset_t mask, oldmask;
	int sigfd;

	if (argc > 1 && !strcmp(argv[1], "--hosted"))
		hosted_args(argc, argv, cmdline, sizeof(cmdline));
	if (!hosted && fcntl(STDOUT_FILENO, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	plan.kmsg_level = 7;
	plan.boot_kmsg_level = 4;
	plan.console_level = 1;
	if (!hosted) {
		mount_pseudo();
		read_file("/proc/cmdline", cmdline, sizeof(cmdline));
	}
	snprintf(path_env, sizeof(path_env), "%s/hilt/suites:/bin:/sbin:/usr/bin:/usr/sbin", root);
	setenv("PATH", path_env, 1);
	cmdline_get(cmdline, "hilt.mode", mode, sizeof(mode), "run");
	cmdline_get(cmdline, "hilt.start", start_s, sizeof(start_s), "0");
	cmdline_get(cmdline, "hilt.count", count_s, sizeof(count_s), "1000000");
	uname(&u);

	plain = !strcmp(mode, "shell");
	if (!strcmp(mode, "probe")) {
		emit("hello", "v=1 mode=probe release=%s", u.release);
		power_off();
	}
	load_plan();
	emit("hello", "v=1 mode=%s release=%s start=%s tests=%d%s", mode, u.release, start_s,
	     plan.ntests, hosted ? " hosted=1" : "");

	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (hosted && kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);	/* this machine's log before the run is not the run's */
	else if (hosted)
		emit("note", "hosted: /dev/kmsg cannot be read (%s): no kernel messages will be relayed", strerror(errno));
	if (hosted) {
		marker_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	} else if (!plain) {
		/* One marker per case would trip /dev/kmsg's default rate limit (10 per 5 s). */
		int fd = open("/proc/sys/kernel/printk_devkmsg", O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "on\n", 3) != 3)
			emit("note", "printk_devkmsg not set: case markers may be rate limited");
		if (fd >= 0)
			close(fd);
		marker_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	}
	/* A person at the shell sees the kernel's own console output; no need to relay it. */
	cur_kmsg_level = plain ? -1 : plan.boot_kmsg_level;
	kmsg_drain();
	load_modules();
	health_check();	/* the baseline: what booting and loading the modules tainted is no case's doing */
	if (!plain)
		inventory();

	if (!strcmp(mode, "shell")) {
		run_shell();
		power_off();
	}

	cur_kmsg_level = plan.kmsg_level;
	fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);
	if (plan.console_level > 0 && !hosted)
		klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, plan.console_level);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	if (hosted) {
		/* The connection dropped or hilt stopped us: take the running test down too. */
		signal(SIGHUP, on_hangup);
		signal(SIGTERM, on_hangup);
		signal(SIGPIPE, SIG_IGN);
	}
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (!strcmp(mode, "list"))
		run_lists(sigfd, &oldmask);
	else if (!strcmp(mode, "serve"))
		serve(sigfd, &oldmask);
	else
		run_tests(atoi(start_s), atoi(count_s), sigfd, &oldmask);
	power_off();
	return 0;
}
