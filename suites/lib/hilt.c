// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "hilt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>

#include "kernel.h"

static bool under_agent;	/* run by the hilt agent (HILT_AGENT=1), not by hand */
static int marker_fd = -1;	/* /dev/kmsg, for the case markers */
static const char *suite_name;
static bool any_failed;

static void indent(int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("    ", stdout);
}

/* Strips newlines so that a message never breaks the KTAP line structure. */
static void vformat(char *dst, size_t size, const char *fmt, va_list ap)
{
	vsnprintf(dst, size, fmt, ap);
	for (char *p = dst; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static int cur_depth(const struct hilt_ctx *ctx)
{
	return ctx->sub_open ? ctx->depth + 1 : ctx->depth;
}

void hilt_diag(struct hilt_ctx *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	indent(cur_depth(ctx));
	printf("# %s\n", msg);
}

void hilt_fail(struct hilt_ctx *ctx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	indent(cur_depth(ctx));
	printf("# fail: %s\n", msg);
	if (ctx->sub_open) {
		if (ctx->sub_status != HILT_FAIL) {
			ctx->sub_status = HILT_FAIL;
			snprintf(ctx->sub_reason, sizeof(ctx->sub_reason), "%s", msg);
		}
		return;
	}
	if (ctx->status != HILT_FAIL) {
		ctx->status = HILT_FAIL;
		snprintf(ctx->reason, sizeof(ctx->reason), "%s", msg);
	}
}

void hilt_skip(struct hilt_ctx *ctx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ctx->sub_open) {
		if (ctx->sub_status == HILT_PASS) {
			ctx->sub_status = HILT_SKIP;
			snprintf(ctx->sub_reason, sizeof(ctx->sub_reason), "%s", msg);
		}
		return;
	}
	if (ctx->status == HILT_PASS) {
		ctx->status = HILT_SKIP;
		snprintf(ctx->reason, sizeof(ctx->reason), "%s", msg);
	}
}

void hilt_record_only(struct hilt_ctx *ctx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	indent(cur_depth(ctx));
	printf("# record-only: %s\n", msg);
}

void hilt_skip_config(struct hilt_ctx *ctx, const char *option, const char *why)
{
	if (why && why[0])
		hilt_skip(ctx, "needs %s (%s)", option, why);
	else
		hilt_skip(ctx, "needs %s", option);
}

bool hilt_failed(const struct hilt_ctx *ctx)
{
	return ctx->sub_open ? ctx->sub_status == HILT_FAIL : ctx->status == HILT_FAIL;
}

/* ---- the cleanup list ---- */

enum { HILT_CLEANUP_FD = 1, HILT_CLEANUP_MAP, HILT_CLEANUP_GEM, HILT_CLEANUP_DUMB, HILT_CLEANUP_CALL };

static struct hilt_cleanup *cleanup_add(struct hilt_ctx *ctx, int kind)
{
	struct hilt_cleanup *c;

	if (ctx->ncleanups >= HILT_MAX_CLEANUPS) {
		/* Release what the case holds so far rather than leak: a bug in the suite, so a failure. */
		hilt_fail(ctx, "more than %d resources registered for cleanup in one case", HILT_MAX_CLEANUPS);
		return NULL;
	}
	c = &ctx->cleanups[ctx->ncleanups++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->fd = -1;
	c->depth = ctx->sub_open ? 1 : 0;
	return c;
}

static void cleanup_run(struct hilt_cleanup *c)
{
	switch (c->kind) {
	case HILT_CLEANUP_FD:
		close(c->fd);
		break;
	case HILT_CLEANUP_MAP:
		munmap(c->ptr, c->len);
		break;
	case HILT_CLEANUP_GEM: {
		struct drm_gem_close arg = { .handle = c->handle };

		hilt_ioctl(c->fd, DRM_IOCTL_GEM_CLOSE, &arg);
		break;
	}
	case HILT_CLEANUP_DUMB: {
		struct drm_mode_destroy_dumb arg = { .handle = c->handle };

		hilt_ioctl(c->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &arg);
		break;
	}
	case HILT_CLEANUP_CALL:
		c->fn(c->ptr);
		break;
	}
	c->kind = 0;
}

/* Releases, newest first, everything registered at this depth or deeper. */
static void cleanup_release(struct hilt_ctx *ctx, int depth)
{
	while (ctx->ncleanups > 0 && ctx->cleanups[ctx->ncleanups - 1].depth >= depth) {
		struct hilt_cleanup *c = &ctx->cleanups[--ctx->ncleanups];

		if (c->kind)
			cleanup_run(c);
	}
}

void hilt_release_all(struct hilt_ctx *ctx)
{
	cleanup_release(ctx, ctx->sub_open ? 1 : 0);
}

int hilt_defer_close(struct hilt_ctx *ctx, int fd)
{
	struct hilt_cleanup *c;

	if (fd < 0)
		return fd;
	c = cleanup_add(ctx, HILT_CLEANUP_FD);
	if (c)
		c->fd = fd;
	else
		close(fd), fd = -1;
	return fd;
}

void *hilt_defer_munmap(struct hilt_ctx *ctx, void *p, size_t len)
{
	struct hilt_cleanup *c;

	if (!p || p == MAP_FAILED)
		return p;
	c = cleanup_add(ctx, HILT_CLEANUP_MAP);
	if (c) {
		c->ptr = p;
		c->len = len;
	}
	return p;
}

void hilt_defer_gem_close(struct hilt_ctx *ctx, int fd, uint32_t handle)
{
	struct hilt_cleanup *c;

	if (!handle)
		return;
	c = cleanup_add(ctx, HILT_CLEANUP_GEM);
	if (c) {
		c->fd = fd;
		c->handle = handle;
	}
}

void hilt_defer_dumb_destroy(struct hilt_ctx *ctx, int fd, uint32_t handle)
{
	struct hilt_cleanup *c;

	if (!handle)
		return;
	c = cleanup_add(ctx, HILT_CLEANUP_DUMB);
	if (c) {
		c->fd = fd;
		c->handle = handle;
	}
}

void hilt_defer_call(struct hilt_ctx *ctx, void (*fn)(void *arg), void *arg)
{
	struct hilt_cleanup *c = cleanup_add(ctx, HILT_CLEANUP_CALL);

	if (c) {
		c->fn = fn;
		c->ptr = arg;
	} else {
		fn(arg);
	}
}

/* The newest registration of fd, NULL if none. */
static struct hilt_cleanup *find_fd(struct hilt_ctx *ctx, int fd)
{
	for (int i = ctx->ncleanups - 1; i >= 0; i--)
		if (ctx->cleanups[i].kind == HILT_CLEANUP_FD && ctx->cleanups[i].fd == fd)
			return &ctx->cleanups[i];
	return NULL;
}

void hilt_forget_fd(struct hilt_ctx *ctx, int fd)
{
	struct hilt_cleanup *c = fd >= 0 ? find_fd(ctx, fd) : NULL;

	if (c)
		c->kind = 0;
}

void hilt_release_handle(struct hilt_ctx *ctx, int fd, uint32_t handle)
{
	for (int i = ctx->ncleanups - 1; i >= 0; i--) {
		struct hilt_cleanup *c = &ctx->cleanups[i];

		if ((c->kind == HILT_CLEANUP_GEM || c->kind == HILT_CLEANUP_DUMB) && c->fd == fd &&
		    c->handle == handle) {
			cleanup_run(c);
			return;
		}
	}
}

void hilt_close(struct hilt_ctx *ctx, int *fd)
{
	if (*fd < 0)
		return;
	hilt_forget_fd(ctx, *fd);
	close(*fd);
	*fd = -1;
}

void hilt_sub_plan(struct hilt_ctx *ctx, int planned)
{
	if (ctx->sub_planned || ctx->sub_count)
		return;
	ctx->sub_planned = planned > 0 ? planned : -1;
	indent(ctx->depth + 1);
	printf("# Subtest: %s\n", ctx->tc->name);
	indent(ctx->depth + 1);
	printf("KTAP version 1\n");
	if (planned > 0) {
		indent(ctx->depth + 1);
		printf("1..%d\n", planned);
	}
}

void hilt_sub_begin(struct hilt_ctx *ctx)
{
	if (!ctx->sub_planned)
		hilt_sub_plan(ctx, 0);
	ctx->sub_open = true;
	ctx->sub_status = HILT_PASS;
	ctx->sub_reason[0] = '\0';
}

void hilt_sub_end(struct hilt_ctx *ctx, const char *fmt, ...)
{
	char name[128];
	va_list ap;

	va_start(ap, fmt);
	vformat(name, sizeof(name), fmt, ap);
	va_end(ap);
	for (char *p = name; *p; p++)
		if (*p == '#')
			*p = '_';
	cleanup_release(ctx, 1);
	ctx->sub_open = false;
	ctx->sub_count++;
	indent(ctx->depth + 1);
	switch (ctx->sub_status) {
	case HILT_PASS:
		printf("ok %d %s\n", ctx->sub_count, name);
		break;
	case HILT_SKIP:
		ctx->sub_skipped++;
		if (!ctx->sub_first_skip[0])
			snprintf(ctx->sub_first_skip, sizeof(ctx->sub_first_skip), "%s",
				 ctx->sub_reason);
		printf("ok %d %s # SKIP %s\n", ctx->sub_count, name, ctx->sub_reason);
		break;
	case HILT_FAIL:
		ctx->sub_failed++;
		printf("not ok %d %s\n", ctx->sub_count, name);
		if (ctx->status != HILT_FAIL) {
			ctx->status = HILT_FAIL;
			snprintf(ctx->reason, sizeof(ctx->reason), "%s: %s", name, ctx->sub_reason);
		}
		break;
	}
}

/*
 * Under the agent, each case is announced in band, on stdout, so the agent
 * sees the announcement exactly between the output of the case before and
 * the output of this one; the line starts with RS (0x1e), which KTAP never
 * does, and the agent takes it out. Before the case runs, a marker also goes
 * into the kernel log: a kernel that panics prints its log again
 * (panic_print=0x20), and the marker tells the host which case it died in,
 * whatever output was still on its way.
 */
/*
 * The kernel's taint and lockdep's debug_locks, read where the case starts
 * and ends: the agent reads the announcements later, so only the suite can
 * say which case a change came in. " taint=N[ locks=N]"
 */
static void health_words(char *buf, size_t size)
{
	char text[8192];
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	char *locks;
	int len;

	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = '\0';
	len = snprintf(buf, size, " taint=%ld", strtol(text, NULL, 10));
	fd = open("/proc/lockdep_stats", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	locks = strstr(text, "debug_locks:");
	if (locks && len > 0 && (size_t)len < size)
		snprintf(buf + len, size - (size_t)len, " locks=%d", atoi(locks + strlen("debug_locks:")));
}

static void announce(const char *verb, const char *name)
{
	char line[160], health[64];
	int n;

	if (!under_agent)
		return;
	health_words(health, sizeof(health));
	printf("\x1ehilt %s %s%s\n", verb, name, health);
	if (verb[0] != 'b')
		return;
	fflush(stdout);
	fflush(stderr);
	n = snprintf(line, sizeof(line), "<6>hilt: begin %s/%s\n", suite_name, name);
	if (marker_fd >= 0 && write(marker_fd, line, (size_t)n) < 0) {
		close(marker_fd);
		marker_fd = -1;
	}
}

/* The first option of tc->config that /proc/config.gz says is not set, NULL if none. */
static const char *missing_config(const struct hilt_case *tc, char *buf, size_t n)
{
	char list[256], *save = NULL;

	if (!tc->config)
		return NULL;
	snprintf(list, sizeof(list), "%s", tc->config);
	for (char *opt = strtok_r(list, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		while (*opt == ' ')
			opt++;
		if (hilt_kconfig(opt) == 'n') {
			snprintf(buf, n, "%s", opt);
			return buf;
		}
	}
	return NULL;
}

static void run_case(const struct hilt_case *tc, int number)
{
	static struct hilt_ctx ctx;	/* big (the cleanup list): not on the stack */
	char option[64];

	memset(&ctx, 0, sizeof(ctx));
	ctx.tc = tc;
	announce("begin", tc->name);
	if (missing_config(tc, option, sizeof(option)))
		hilt_skip_config(&ctx, option, "/proc/config.gz says it is not set");
	else
		tc->run(&ctx);
	if (ctx.sub_open)
		hilt_sub_end(&ctx, "unfinished");
	cleanup_release(&ctx, 0);
	if (ctx.sub_planned) {
		if (ctx.sub_planned < 0) {
			indent(ctx.depth + 1);
			printf("1..%d\n", ctx.sub_count);
		} else if (ctx.sub_count != ctx.sub_planned && ctx.status != HILT_FAIL) {
			ctx.status = HILT_FAIL;
			snprintf(ctx.reason, sizeof(ctx.reason), "planned %d subtests, ran %d",
				 ctx.sub_planned, ctx.sub_count);
		}
		if (ctx.status == HILT_PASS && ctx.sub_count > 0 && ctx.sub_skipped == ctx.sub_count) {
			ctx.status = HILT_SKIP;
			snprintf(ctx.reason, sizeof(ctx.reason), "%s", ctx.sub_first_skip);
		}
	}
	switch (ctx.status) {
	case HILT_PASS:
		printf("ok %d %s\n", number, tc->name);
		break;
	case HILT_SKIP:
		printf("ok %d %s # SKIP %s\n", number, tc->name, ctx.reason);
		break;
	case HILT_FAIL:
		any_failed = true;
		printf("not ok %d %s\n", number, tc->name);
		break;
	}
	announce("end", tc->name);
}

static void jstring(struct hilt_json *j, const char *s, size_t n);

static void print_json_string(const char *s)
{
	struct hilt_json j = { .len = 0 };

	jstring(&j, s, strlen(s));
	fwrite(j.buf, 1, j.len, stdout);
}

/* Prints a comma separated list as a JSON array of its trimmed, non-empty items. */
static void print_json_list(const char *list)
{
	char buf[512], *save = NULL;
	bool first = true;

	snprintf(buf, sizeof(buf), "%s", list ? list : "");
	putchar('[');
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *end;

		while (*item == ' ')
			item++;
		end = item + strlen(item);
		while (end > item && end[-1] == ' ')
			*--end = '\0';
		if (!*item)
			continue;
		if (!first)
			putchar(',');
		print_json_string(item);
		first = false;
	}
	putchar(']');
}

/* One line of --describe: what the harness and `hilt docs` know of a case. */
static void describe(const char *suite, const struct hilt_case *c)
{
	printf("{\"suite\":");
	print_json_string(suite);
	printf(",\"name\":");
	print_json_string(c->name);
	printf(",\"ioctl\":");
	print_json_string(c->ioctl ? c->ioctl : "");
	printf(",\"kfunc\":");
	print_json_string(c->kfunc ? c->kfunc : "");
	printf(",\"checks\":");
	print_json_string(c->checks ? c->checks : "");
	printf(",\"config\":");
	print_json_list(c->config);
	printf(",\"last\":%s", c->flags & HILT_CASE_LAST ? "true" : "false");
	if (c->timeout_s)
		printf(",\"timeoutSeconds\":%u", c->timeout_s);
	else
		printf(",\"timeoutSeconds\":null");
	printf(",\"schemas\":");
	print_json_list(c->schemas);
	printf("}\n");
}

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

/* Not async-signal-safe, but the process is dying anyway: its last lines are worth the risk. */
static void flush_on_crash(int sig)
{
	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int usage(const char *prog, const char *suite)
{
	fprintf(stderr,
		"usage: %s [--list | --describe | --run CASE[,CASE...]]\n"
		"Runs the hilt '%s' conformance suite and prints KTAP v1 on stdout.\n"
		"  --list      print the case names, one per line\n"
		"  --describe  print one JSON object per case\n"
		"  --run LIST  run only the named cases (comma separated)\n"
		"Exit status: 0 no case failed, 1 a case failed, 2 bad usage.\n",
		prog, suite);
	return 2;
}

int hilt_main(int argc, char **argv, const char *suite,
	      const struct hilt_case *cases, size_t ncases)
{
	bool selected[256] = { false };
	size_t nsel = 0;
	const char *env;

	if (ncases > HILT_ARRAY_SIZE(selected)) {
		fprintf(stderr, "%s: too many cases (%zu)\n", suite, ncases);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < ncases; i++)
			printf("%s\n", cases[i].name);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--describe")) {
		for (size_t i = 0; i < ncases; i++)
			describe(suite, &cases[i]);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--run")) {
		char *list = strdup(argv[2]), *save = NULL;

		for (char *name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
			size_t i;

			for (i = 0; i < ncases; i++)
				if (!strcmp(cases[i].name, name))
					break;
			if (i == ncases) {
				fprintf(stderr, "%s: no case named '%s'; '%s --list' shows them\n",
					suite, name, argv[0]);
				return 2;
			}
			if (!selected[i]) {
				selected[i] = true;
				nsel++;
			}
		}
		free(list);
	} else if (argc != 1) {
		return usage(argv[0], suite);
	} else {
		for (size_t i = 0; i < ncases; i++)
			selected[i] = true;
		nsel = ncases;
	}

	env = getenv("HILT_AGENT");
	suite_name = suite;
	if (env && !strcmp(env, "1")) {
		under_agent = true;
		marker_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		/*
		 * Under the agent, output goes out once per case (flushed at each
		 * announcement) instead of once per line: the console is the slowest
		 * part of a run and each write the agent reads costs a record header.
		 * A crash still gets its lines out through flush_on_crash().
		 */
		setvbuf(stdout, NULL, _IOFBF, 64 * 1024);
		for (size_t i = 0; i < HILT_ARRAY_SIZE(crash_signals); i++)
			signal(crash_signals[i], flush_on_crash);
	}

	printf("KTAP version 1\n");
	printf("# hilt suite %s\n", suite);
	printf("1..%zu\n", nsel);
	for (size_t i = 0, n = 0; i < ncases; i++)
		if (selected[i])
			run_case(&cases[i], (int)++n);
	fflush(stdout);
	return any_failed ? 1 : 0;
}

/* ---- JSON ---- */

static void jput(struct hilt_json *j, const char *s, size_t n)
{
	if (j->len + n + 2 >= sizeof(j->buf)) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void jputs(struct hilt_json *j, const char *s)
{
	jput(j, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not valid. */
static size_t utf8_seq(const unsigned char *s, size_t left)
{
	size_t n;
	unsigned c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

static void jstring(struct hilt_json *j, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];

	jput(j, "\"", 1);
	for (size_t i = 0; i < n && p[i];) {
		unsigned c = p[i];
		size_t len;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jput(j, esc, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jputs(j, esc);
			i++;
		} else if ((len = utf8_seq(p + i, n - i)) == 0) {
			jputs(j, "\\ufffd");	/* not UTF-8: keep the JSON valid */
			i++;
		} else {
			jput(j, (const char *)p + i, len);
			i += len;
		}
	}
	jput(j, "\"", 1);
}

static void jkey(struct hilt_json *j, const char *key)
{
	if (j->need_comma)
		jput(j, ",", 1);
	j->need_comma = true;
	if (key) {
		jstring(j, key, strlen(key));
		jput(j, ":", 1);
	}
}

void hj_begin(struct hilt_json *j)
{
	j->len = 0;
	j->overflow = false;
	j->need_comma = false;
	j->buf[0] = '\0';
	jput(j, "{", 1);
}

void hj_strn(struct hilt_json *j, const char *key, const char *val, size_t n)
{
	jkey(j, key);
	jstring(j, val, n);
}

void hj_str(struct hilt_json *j, const char *key, const char *val)
{
	hj_strn(j, key, val ? val : "", val ? strlen(val) : 0);
}

void hj_int(struct hilt_json *j, const char *key, long long val)
{
	char num[32];

	jkey(j, key);
	snprintf(num, sizeof(num), "%lld", val);
	jputs(j, num);
}

void hj_uint(struct hilt_json *j, const char *key, unsigned long long val)
{
	char num[32];

	jkey(j, key);
	snprintf(num, sizeof(num), "%llu", val);
	jputs(j, num);
}

void hj_bool(struct hilt_json *j, const char *key, bool val)
{
	jkey(j, key);
	jputs(j, val ? "true" : "false");
}

void hj_null(struct hilt_json *j, const char *key)
{
	jkey(j, key);
	jputs(j, "null");
}

void hj_obj(struct hilt_json *j, const char *key)
{
	jkey(j, key);
	jput(j, "{", 1);
	j->need_comma = false;
}

void hj_arr(struct hilt_json *j, const char *key)
{
	jkey(j, key);
	jput(j, "[", 1);
	j->need_comma = false;
}

void hj_arr_str(struct hilt_json *j, const char *val)
{
	jkey(j, NULL);
	jstring(j, val, strlen(val));
}

void hj_arr_int(struct hilt_json *j, long long val)
{
	char num[32];

	jkey(j, NULL);
	snprintf(num, sizeof(num), "%lld", val);
	jputs(j, num);
}

void hj_arr_uint(struct hilt_json *j, unsigned long long val)
{
	char num[32];

	jkey(j, NULL);
	snprintf(num, sizeof(num), "%llu", val);
	jputs(j, num);
}

void hj_close_obj(struct hilt_json *j)
{
	jput(j, "}", 1);
	j->need_comma = true;
}

void hj_close_arr(struct hilt_json *j)
{
	jput(j, "]", 1);
	j->need_comma = true;
}

void hilt_obs(struct hilt_ctx *ctx, const char *type, struct hilt_json *j)
{
	if (j->overflow) {
		hilt_fail(ctx, "observation %s exceeds %zu bytes and was not emitted",
			  type, sizeof(j->buf));
		return;
	}
	indent(cur_depth(ctx));
	printf("# obs %s %s}\n", type, j->buf);
}

/* ---- errno ---- */

const char *hilt_errname(int err)
{
	static const struct { int e; const char *n; } names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { ENOTDIR, "ENOTDIR" },
		{ EINVAL, "EINVAL" }, { ENFILE, "ENFILE" }, { EMFILE, "EMFILE" },
		{ ENOTTY, "ENOTTY" }, { EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" },
		{ ESPIPE, "ESPIPE" }, { EROFS, "EROFS" }, { EPIPE, "EPIPE" },
		{ ERANGE, "ERANGE" }, { ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" },
		{ ENODATA, "ENODATA" }, { ETIME, "ETIME" }, { EOVERFLOW, "EOVERFLOW" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EALREADY, "EALREADY" }, { EINPROGRESS, "EINPROGRESS" },
		{ ECANCELED, "ECANCELED" }, { ENOENT, "ENOENT" }, { EDEADLK, "EDEADLK" },
		{ ENOLINK, "ENOLINK" }, { EPROTO, "EPROTO" }, { EBADMSG, "EBADMSG" },
		{ EMSGSIZE, "EMSGSIZE" }, { ENOTSUP, "ENOTSUP" }, { ENOTCONN, "ENOTCONN" },
		{ ECHILD, "ECHILD" }, { EXDEV, "EXDEV" }, { ENOEXEC, "ENOEXEC" },
		{ EBADFD, "EBADFD" }, { EDOM, "EDOM" }, { ENOLCK, "ENOLCK" },
	};
	static char other[16];

	for (size_t i = 0; i < HILT_ARRAY_SIZE(names); i++)
		if (names[i].e == err)
			return names[i].n;
	snprintf(other, sizeof(other), "E%d", err);
	return other;
}

int hilt_ioctl(int fd, unsigned long req, void *arg)
{
	int ret, again = 0;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || (errno == EAGAIN && again++ < HILT_EAGAIN_RETRIES)));
	return ret;
}

bool hilt_expect_errno(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *ioctl,
		       const char *misuse, int ret, int err, int expected)
{
	struct hilt_json j;
	int got = ret < 0 ? err : 0;
	bool ok = ret < 0 && (expected == HILT_ANY_ERRNO || err == expected);

	hj_begin(&j);
	if (dev)
		hj_dev(&j, dev);
	hj_str(&j, "ioctl", ioctl);
	hj_str(&j, "misuse", misuse);
	hj_int(&j, "errno", got);
	hj_str(&j, "errname", hilt_errname(got));
	if (expected != HILT_ANY_ERRNO)
		hj_str(&j, "expected", hilt_errname(expected));
	hilt_obs(ctx, "ioctl.errno", &j);
	if (ok)
		return true;
	if (ret >= 0)
		hilt_fail(ctx, "%s%s%s with %s succeeded (returned %d); expected %s",
			  ioctl, dev ? " on " : "", dev ? dev->node : "", misuse, ret,
			  expected == HILT_ANY_ERRNO ? "an error" : hilt_errname(expected));
	else
		hilt_fail(ctx, "%s%s%s with %s failed with %s (%d); expected %s",
			  ioctl, dev ? " on " : "", dev ? dev->node : "", misuse,
			  hilt_errname(err), err, hilt_errname(expected));
	return false;
}

unsigned long hilt_ioc_resize(unsigned long req, size_t size)
{
	return _IOC(_IOC_DIR(req), _IOC_TYPE(req), _IOC_NR(req), size);
}

void hilt_check_struct_size(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *ioctl,
			    size_t size, size_t kernel_size, const char *trailing, int ret, int err,
			    int expected_errno, const char *rule)
{
	int got = ret < 0 ? err : 0;
	struct hilt_json j;

	hj_begin(&j);
	if (dev)
		hj_dev(&j, dev);
	hj_str(&j, "ioctl", ioctl);
	hj_uint(&j, "size", size);
	hj_uint(&j, "kernel_size", kernel_size);
	hj_str(&j, "trailing", trailing);
	hj_int(&j, "errno", got);
	hj_str(&j, "errname", hilt_errname(got));
	hj_str(&j, "expected", hilt_errname(expected_errno));
	hilt_obs(ctx, "ioctl.struct-size", &j);
	if (got != expected_errno)
		hilt_fail(ctx, "%s%s%s with a %zu-byte argument (the kernel's struct is %zu bytes, trailing "
			  "bytes %s) returned %s; expected %s: %s", ioctl, dev ? " on " : "",
			  dev ? dev->node : "", size, kernel_size, trailing, hilt_errname(got),
			  hilt_errname(expected_errno), rule);
}

bool hilt_expect_ok(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *what,
		    int ret, int err)
{
	if (ret >= 0)
		return true;
	hilt_fail(ctx, "%s%s%s failed with %s (%d): %s", what, dev ? " on " : "",
		  dev ? dev->node : "", hilt_errname(err), err, strerror(err));
	return false;
}

/* ---- devices ---- */

static struct hilt_dev devs[HILT_MAX_DEVS];
static size_t ndevs;
static bool scanned;

static int node_order(const void *a, const void *b)
{
	const struct hilt_dev *x = a, *y = b;
	size_t lx = strlen(x->path), ly = strlen(y->path);

	if (x->kind != y->kind)
		return x->kind - y->kind;
	/* card2 before card10 */
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void scan_dir(const char *dir, const char *prefix, int kind)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) && ndevs < HILT_MAX_DEVS) {
		struct hilt_dev *dev;

		/* card0, renderD128, accel0; not accel_controlD0 (habanalabs' control node, not DRM). */
		if (strncmp(e->d_name, prefix, strlen(prefix)) ||
		    strspn(e->d_name + strlen(prefix), "0123456789") != strlen(e->d_name + strlen(prefix)) ||
		    !e->d_name[strlen(prefix)])
			continue;
		dev = &devs[ndevs++];
		snprintf(dev->node, sizeof(dev->node), "%s", e->d_name);
		snprintf(dev->path, sizeof(dev->path), "%s/%s", dir, e->d_name);
		dev->kind = kind;
	}
	closedir(d);
}

size_t hilt_devices(struct hilt_dev **out)
{
	if (!scanned) {
		scanned = true;
		scan_dir("/dev/dri", "card", HILT_NODE_PRIMARY);
		scan_dir("/dev/dri", "renderD", HILT_NODE_RENDER);
		scan_dir("/dev/accel", "accel", HILT_NODE_ACCEL);
		qsort(devs, ndevs, sizeof(devs[0]), node_order);
		for (size_t i = 0; i < ndevs; i++) {
			struct hilt_dev *dev = &devs[i];
			struct drm_version v = { 0 };

			dev->fd = open(dev->path, O_RDWR | O_CLOEXEC);
			dev->open_errno = dev->fd < 0 ? errno : 0;
			if (dev->fd < 0)
				continue;
			v.name = dev->driver;
			v.name_len = sizeof(dev->driver) - 1;
			if (hilt_ioctl(dev->fd, DRM_IOCTL_VERSION, &v))
				dev->driver[0] = '\0';
			else
				dev->driver[v.name_len < sizeof(dev->driver) ? v.name_len : sizeof(dev->driver) - 1] = '\0';
		}
	}
	*out = devs;
	return ndevs;
}

struct hilt_dev *hilt_find_device(const char *driver, unsigned kinds_mask)
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);

	for (size_t i = 0; i < n; i++)
		if (all[i].fd >= 0 && !strcmp(all[i].driver, driver) &&
		    (kinds_mask & (1u << all[i].kind)))
			return &all[i];
	return NULL;
}

void hilt_each_device(struct hilt_ctx *ctx, unsigned kinds_mask,
		      void (*fn)(struct hilt_ctx *ctx, struct hilt_dev *dev))
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);
	int ran = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(kinds_mask & (1u << all[i].kind)))
			continue;
		hilt_sub_begin(ctx);
		if (all[i].fd < 0)
			hilt_fail(ctx, "open %s: %s", all[i].path, strerror(all[i].open_errno));
		else
			fn(ctx, &all[i]);
		hilt_sub_end(ctx, "%s", all[i].node);
		ran++;
	}
	if (!ran)
		hilt_skip(ctx, "no %s node in /dev/dri or /dev/accel",
			  kinds_mask == (1u << HILT_NODE_ACCEL) ? "accel" : "DRM");
}

void hj_dev(struct hilt_json *j, const struct hilt_dev *dev)
{
	hj_str(j, "device", dev->node);
	hj_str(j, "driver", dev->driver);
}
