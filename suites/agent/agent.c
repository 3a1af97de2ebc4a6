// SPDX-License-Identifier: MIT
/*
 * hilt agent: /init of the test initramfs. It mounts the pseudo filesystems,
 * loads the kernel modules the plan names, runs the planned tests and reports
 * everything on the console as framed records (see frame.h), then powers the
 * machine off. The record kinds and their payloads are listed in
 * suites/agent/PROTOCOL.md.
 *
 * Kernel command line:
 *   hilt.mode=run|shell|probe   run the plan (default), give a shell, or only say hello
 *   hilt.start=N                skip the tests whose index is below N (resume after a crash)
 *   hilt.count=N                run at most N tests from there (a retry runs one)
 */
#define _GNU_SOURCE
#include "frame.h"

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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PLAN_PATH "/hilt/plan"
#define MAX_TESTS 4096
#define MAX_SUITES 64
#define MAX_MODULES 64
/*
 * A suite's output goes out in records of at most this many bytes, as many
 * whole lines as were read at once: one frame header per read, not per line,
 * keeps the console (the slowest part of a run under TCG) barely busier than
 * the suite's own output. Escaped, even binary output still fits a frame.
 */
#define OUT_CHUNK 2000
#define STUCK_NOTE_MS 10000
#define MARKER "hilt: begin "	/* the host matches this text in kernel lines */

struct suite {
	char name[64];
	char path[256];
	bool whole;		/* any KTAP binary: one test, no per-case control */
};

struct test {
	int index;
	struct suite *suite;
	char name[128];		/* case name, "-" for a whole binary */
	int timeout_ms;
};

static struct {
	struct suite suites[MAX_SUITES];
	int nsuites;
	struct test tests[MAX_TESTS];
	int ntests;
	char modules[MAX_MODULES][256];
	int nmodules;
	int heartbeat_ms;
	int kmsg_level;		/* relay kernel messages at or below this level during tests */
	int boot_kmsg_level;	/* ...and at or below this one from before the first test */
	int console_level;	/* console_loglevel while tests run; 0 leaves it alone */
} plan;	/* zero-initialised so that it stays out of the binary; defaults set in main() */

static unsigned long seq;
/* In shell mode a person reads the console: plain lines instead of frames. */
static bool plain;
static int kmsg_fd = -1;
static int marker_fd = -1;	/* /dev/kmsg for writing: the case markers */
static int cur_kmsg_level;

/* ---- output ---- */

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return;
		}
		buf += n;
		len -= (size_t)n;
	}
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
	n = frame_format(line, sizeof(line), seq++, kind, payload, len);

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	write_all(STDOUT_FILENO, line, n);
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
	tcdrain(STDOUT_FILENO);
}

static void power_off(void)
{
	drain_console();
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

static bool load_plan(void)
{
	static char text[1 << 20];
	int lineno = 0;
	char *save = NULL;

	read_file(PLAN_PATH, text, sizeof(text));
	if (!text[0]) {
		emit("note", "no plan at " PLAN_PATH);
		return false;
	}
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char a[256], b[256], c[256], d[256];
		int n, idx, t;

		lineno++;
		if (sscanf(line, "heartbeat-ms %d", &n) == 1)
			plan.heartbeat_ms = n;
		else if (sscanf(line, "kmsg-level %d", &n) == 1)
			plan.kmsg_level = n;
		else if (sscanf(line, "boot-kmsg-level %d", &n) == 1)
			plan.boot_kmsg_level = n;
		else if (sscanf(line, "console-level %d", &n) == 1)
			plan.console_level = n;
		else if (sscanf(line, "module %255s", a) == 1 && plan.nmodules < MAX_MODULES)
			snprintf(plan.modules[plan.nmodules++], sizeof(plan.modules[0]), "%s", a);
		else if (sscanf(line, "suite %255s %255s %255s", a, b, c) == 3 && plan.nsuites < MAX_SUITES) {
			struct suite *s = &plan.suites[plan.nsuites++];

			snprintf(s->name, sizeof(s->name), "%s", a);
			snprintf(s->path, sizeof(s->path), "%s", b);
			s->whole = !strcmp(c, "whole");
		} else if (sscanf(line, "test %d %255s %255s %d", &idx, a, d, &t) == 4 &&
			   plan.ntests < MAX_TESTS) {
			struct test *tc = &plan.tests[plan.ntests];

			tc->suite = find_suite(a);
			if (!tc->suite) {
				emit("note", "plan line %d: unknown suite %s", lineno, a);
				continue;
			}
			tc->index = idx;
			tc->timeout_ms = t;
			snprintf(tc->name, sizeof(tc->name), "%s", d);
			plan.ntests++;
		} else if (strncmp(line, "hilt-plan ", 10) && line[0] != '#') {
			emit("note", "plan line %d not understood: %s", lineno, line);
		}
	}
	return true;
}

/* ---- kernel log ---- */

static void kmsg_drain(void)
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
		if ((int)(prio & 7) > cur_kmsg_level || !strncmp(text, MARKER, strlen(MARKER)))
			continue;
		emit("kmsg", "%u %llu %s", prio, ts, text);
	}
}

/* ---- modules ---- */

static void load_modules(void)
{
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
	int ctrl;		/* agent end of the control socket, -1 for whole binaries */
	int open;		/* batch position of the case running now, -1 between cases */
	int next;		/* batch position after the last case that ended */
	long long case_t0, deadline, killed_at;
	bool stuck_noted;
	struct stream out, err;
};

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
				emit_raw(s->kind, s->buf, s->len);
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

			emit_raw(s->kind, s->buf, whole);
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
 * The 'begin' record waits in the tty's queue behind the previous case's
 * output; if the case panics the kernel, that queue never goes out. So the
 * agent also puts a marker in the kernel log, which costs nothing on the
 * console (it is below the console level) but which the kernel prints again,
 * with the whole log, when it panics (panic_print=0x20 on the command line):
 * the host then knows which case ran. Printing the marker at once instead, or
 * waiting for the queue to drain, would cost a millisecond or two per case.
 */
static void announce(int index)
{
	char line[48];
	int n = snprintf(line, sizeof(line), "<6>" MARKER "%d\n", index);

	if (marker_fd >= 0 && write(marker_fd, line, (size_t)n) < 0)
		emit("note", "case marker for test %d not written: %s", index, strerror(errno));
}

static void begin_case(struct child *c, int pos)
{
	struct test *t = &c->batch[pos];

	pump_all(c);
	/* The index says it all (the host has the plan); every byte on the console costs time. */
	emit("begin", "%d", t->index);
	announce(t->index);
	c->open = pos;
	c->case_t0 = now_ms();
	c->deadline = t->timeout_ms > 0 ? c->case_t0 + t->timeout_ms : 0;
}

static void end_case(struct child *c)
{
	struct test *t = &c->batch[c->open];

	pump_all(c);
	emit("end", "%d %lld", t->index, now_ms() - c->case_t0);
	c->next = c->open + 1;
	c->open = -1;
	arm_gap_deadline(c);
}

static void ctrl_message(struct child *c)
{
	char msg[256];
	ssize_t n = recv(c->ctrl, msg, sizeof(msg) - 1, MSG_DONTWAIT);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			close(c->ctrl);
			c->ctrl = -1;
		}
		return;
	}
	msg[n] = '\0';
	if (!strncmp(msg, "begin ", 6)) {
		int pos;

		for (pos = c->next; pos < c->nbatch; pos++)
			if (!strcmp(c->batch[pos].name, msg + 6))
				break;
		if (pos == c->nbatch) {
			emit("note", "%s announced case '%s' that the plan does not run here",
			     c->suite->name, msg + 6);
		} else {
			if (c->open >= 0)
				end_case(c);
			begin_case(c, pos);
		}
		send(c->ctrl, "k", 1, MSG_NOSIGNAL);
	} else if (!strncmp(msg, "end ", 4)) {
		if (c->open >= 0 && !strcmp(c->batch[c->open].name, msg + 4))
			end_case(c);
	}
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
	int out[2], err[2], ctl[2] = { -1, -1 };
	char *list = NULL;
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	if (!c->suite->whole) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl))
			return -1;
		list = join_cases(c->batch, from, c->nbatch);
	}
	pid = fork();
	if (pid == 0) {
		char *argv[4] = { (char *)c->suite->path, NULL, NULL, NULL };

		setpgid(0, 0);
		sigprocmask(SIG_SETMASK, oldmask, NULL);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		if (ctl[1] >= 0) {
			dup2(ctl[1], 3);
			setenv("HILT_CTRL_FD", "3", 1);
			argv[1] = "--run";
			argv[2] = list;
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
	if (ctl[1] >= 0)
		close(ctl[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	c->out = (struct stream){ .fd = out[0], .kind = "out" };
	c->err = (struct stream){ .fd = err[0], .kind = "err" };
	c->ctrl = ctl[0];
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
	if (spawn(c, from, oldmask) < 0) {
		emit("note", "%s: cannot start: %s", c->suite->name, strerror(errno));
		for (int i = from; i < c->nbatch; i++)
			emit("notrun", "%d could not start the suite binary", c->batch[i].index);
		return c->nbatch;
	}
	emit("spawn", "%s %d", c->suite->name, c->pid);
	if (c->suite->whole)
		begin_case(c, from);
	else
		arm_gap_deadline(c);
	next_hb = t0 + plan.heartbeat_ms;

	while (!exited) {
		struct pollfd p[5] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = c->out.fd, .events = POLLIN },
			{ .fd = c->err.fd, .events = POLLIN },
			{ .fd = c->ctrl, .events = POLLIN },
			{ .fd = kmsg_fd, .events = POLLIN },
		};
		long long now = now_ms(), wake = next_hb;
		int timeout;

		if (c->deadline && c->deadline < wake)
			wake = c->deadline;
		timeout = wake > now ? (int)(wake - now) : 0;
		if (poll(p, 5, timeout) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			stream_pump(c, &c->out);
		if (p[2].revents)
			stream_pump(c, &c->err);
		if (p[3].revents)
			ctrl_message(c);
		if (p[4].revents)
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
		if (c->deadline && now >= c->deadline && !c->killed_at) {
			struct test *t;

			if (c->open < 0)
				begin_case(c, c->next);
			t = &c->batch[c->open];
			pump_all(c);
			emit("timeout", "%d %d", t->index, t->timeout_ms);
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
			emit("hb", "%lld", (long long)up.tv_sec * 1000 + up.tv_nsec / 1000000);
			next_hb = now + plan.heartbeat_ms;
		}
	}
	/* The pipes may still hold output the process wrote before it died. */
	pump_all(c);
	if (c->out.fd >= 0)
		close(c->out.fd);
	if (c->err.fd >= 0)
		close(c->err.fd);
	if (c->ctrl >= 0)
		close(c->ctrl);
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

int main(void)
{
	char cmdline[4096], mode[16], start_s[16], count_s[16];
	struct utsname u;
	sigset_t mask, oldmask;
	int sigfd;

	if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
		int fd = open("/dev/console", O_RDWR);

		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
	}
	plan.heartbeat_ms = 2000;
	plan.kmsg_level = 7;
	plan.boot_kmsg_level = 4;
	plan.console_level = 1;
	mount_pseudo();
	setenv("PATH", "/hilt/suites:/bin:/sbin:/usr/bin:/usr/sbin", 1);
	read_file("/proc/cmdline", cmdline, sizeof(cmdline));
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
	emit("hello", "v=1 mode=%s release=%s start=%s tests=%d", mode, u.release, start_s,
	     plan.ntests);

	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (!plain) {
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

	if (!strcmp(mode, "shell")) {
		run_shell();
		power_off();
	}

	cur_kmsg_level = plan.kmsg_level;
	if (plan.console_level > 0)
		klogctl(8 /* SYSLOG_ACTION_CONSOLE_LEVEL */, NULL, plan.console_level);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	run_tests(atoi(start_s), atoi(count_s), sigfd, &oldmask);
	power_off();
	return 0;
}
