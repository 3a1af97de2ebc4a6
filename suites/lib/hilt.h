/* SPDX-License-Identifier: MIT */
/*
 * hilt suite library: every suite binary is a table of cases handed to
 * hilt_main(). The library prints KTAP v1, emits observations as tagged JSON
 * diagnostics, and, when run under the hilt agent (HILT_AGENT=1), announces
 * each case before it starts so that a kernel crash can be pinned on it.
 *
 * Run without the agent, a suite binary is a plain KTAP program:
 *   suite            run every case
 *   suite --list     print case names, one per line
 *   suite --describe print one JSON object per case (name, ioctl, kfunc, checks,
 *                    config, last, timeoutSeconds, schemas)
 *   suite --run a,b  run only cases a and b, in the table's order
 *
 * What a case acquires (fds, mappings, GEM handles) it registers with the
 * hilt_defer_*() calls; the runner releases it after the case (or after the
 * subtest it was registered in), in reverse order, whatever path the case
 * took. A case never needs a cleanup ladder of its own.
 */
#ifndef HILT_H
#define HILT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hilt_status { HILT_PASS, HILT_FAIL, HILT_SKIP };

struct hilt_case;

/* One thing to release after the case (or its subtest): see hilt_defer_*(). */
struct hilt_cleanup {
	int kind;		/* HILT_CLEANUP_* (hilt.c) */
	int fd;
	uint32_t handle;
	void *ptr;
	size_t len;
	void (*fn)(void *arg);
	int depth;		/* 0: the case, 1: the subtest it was registered in */
};
#define HILT_MAX_CLEANUPS 96

/* State of the running case (and of its current subtest, when it has any). */
struct hilt_ctx {
	const struct hilt_case *tc;
	enum hilt_status status;	/* of the case, or of the open subtest */
	char reason[256];		/* skip reason or first failure */
	int depth;			/* 0 at top level, 1 inside a subtest block */
	int sub_planned, sub_count, sub_failed, sub_skipped;
	bool sub_open;
	enum hilt_status sub_status;
	char sub_reason[256];
	char sub_first_skip[256];
	struct hilt_cleanup cleanups[HILT_MAX_CLEANUPS];
	int ncleanups;
};

enum hilt_case_flags {
	/*
	 * The case may leave the machine unusable (a device unbound, a module
	 * unloaded, a kernel bug it provokes): run it last, or in a boot of its own.
	 */
	HILT_CASE_LAST = 1u << 0,
};

struct hilt_case {
	const char *name;	/* [a-z0-9_-]+, unique within the suite */
	void (*run)(struct hilt_ctx *ctx);
	const char *ioctl;	/* what it exercises, e.g. "DRM_IOCTL_VERSION" */
	const char *checks;	/* one sentence: what a pass means */
	const char *schemas;	/* comma separated observation types it emits */
	/* The fields below are optional (a positional table may stop here). */
	const char *kfunc;	/* kernel function(s) it exercises, e.g. "drm_gem_prime_fd_to_handle()" */
	/*
	 * Comma separated CONFIG_ options the case needs beyond its suite's,
	 * NULL if none. Where /proc/config.gz says one is not set, the case is
	 * skipped with "needs CONFIG_X" before it runs; otherwise the case
	 * probes the feature itself and skips the same way (hilt_skip_config).
	 */
	const char *config;
	unsigned flags;		/* HILT_CASE_* */
	unsigned timeout_s;	/* its own per-case timeout, 0: the suite's */
};

int hilt_main(int argc, char **argv, const char *suite,
	      const struct hilt_case *cases, size_t ncases);

/* Verdicts for the running case (or the open subtest). The first failure wins. */
void hilt_fail(struct hilt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hilt_skip(struct hilt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hilt_diag(struct hilt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Subtests: one nested KTAP block per case, typically one subtest per device.
 * Pass 0 as planned when the count is not known up front (the plan is then
 * printed at the end, which KTAP allows).
 */
void hilt_sub_plan(struct hilt_ctx *ctx, int planned);
void hilt_sub_begin(struct hilt_ctx *ctx);
void hilt_sub_end(struct hilt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A case (or the open subtest) that records what it sees without judging it:
 * prints "# record-only: <why>" so that the report says so instead of
 * showing a silent pass.
 */
void hilt_record_only(struct hilt_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Skips with the reason "needs CONFIG_X" (and why, when given: what the probe saw). */
void hilt_skip_config(struct hilt_ctx *ctx, const char *option, const char *why);

/* Whether the case (or the open subtest) has failed so far. */
bool hilt_failed(const struct hilt_ctx *ctx);

/*
 * The cleanup list: each call registers something the runner releases after
 * the case, or after the subtest when one is open, in reverse order. Each
 * returns its argument, so a call can wrap the acquisition:
 *   int fd = hilt_defer_close(ctx, open(path, O_RDWR));   (-1 is not registered)
 * hilt_close() closes a registered fd now and forgets it, so that a number
 * reused later is never closed twice; hilt_forget_fd() forgets it without
 * closing (the fd was handed on, or closed by the kernel's own rules).
 */
int hilt_defer_close(struct hilt_ctx *ctx, int fd);
void *hilt_defer_munmap(struct hilt_ctx *ctx, void *p, size_t len);
void hilt_defer_gem_close(struct hilt_ctx *ctx, int fd, uint32_t handle);
void hilt_defer_dumb_destroy(struct hilt_ctx *ctx, int fd, uint32_t handle);
void hilt_defer_call(struct hilt_ctx *ctx, void (*fn)(void *arg), void *arg);
void hilt_close(struct hilt_ctx *ctx, int *fd);
void hilt_forget_fd(struct hilt_ctx *ctx, int fd);
/* Closes (GEM_CLOSE or DESTROY_DUMB, as registered) a registered handle now and forgets it. */
void hilt_release_handle(struct hilt_ctx *ctx, int fd, uint32_t handle);
/* Releases now what was registered in the open subtest (or the case). */
void hilt_release_all(struct hilt_ctx *ctx);

/* A small JSON writer for observations: correct escaping, bounded size. */
struct hilt_json {
	char buf[4096];
	size_t len;
	bool need_comma;
	bool overflow;
};
void hj_begin(struct hilt_json *j);
void hj_str(struct hilt_json *j, const char *key, const char *val);
void hj_strn(struct hilt_json *j, const char *key, const char *val, size_t n);
void hj_int(struct hilt_json *j, const char *key, long long val);
void hj_uint(struct hilt_json *j, const char *key, unsigned long long val);
void hj_bool(struct hilt_json *j, const char *key, bool val);
void hj_null(struct hilt_json *j, const char *key);
void hj_obj(struct hilt_json *j, const char *key);	/* opens a nested object */
void hj_arr(struct hilt_json *j, const char *key);	/* opens a nested array */
void hj_arr_str(struct hilt_json *j, const char *val);	/* element of an open array */
void hj_arr_int(struct hilt_json *j, long long val);
void hj_arr_uint(struct hilt_json *j, unsigned long long val);
void hj_close_obj(struct hilt_json *j);
void hj_close_arr(struct hilt_json *j);
/* Prints "# obs TYPE {...}" at the current indentation. */
void hilt_obs(struct hilt_ctx *ctx, const char *type, struct hilt_json *j);

/* errno names as the kernel spells them ("EINVAL"), "0" for success. */
const char *hilt_errname(int err);

/*
 * Negative-case check in one line: runs nothing itself, it judges a result
 * already obtained. ret/err are the ioctl's return value and errno; expected
 * is the errno the kernel must return (HILT_ANY_ERRNO: refused with any errno).
 * Records an "ioctl.errno" observation and fails the case on mismatch with a
 * message naming the ioctl, the misuse, what was expected and what came back.
 */
#define HILT_ANY_ERRNO (-1)
struct hilt_dev;
bool hilt_expect_errno(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *ioctl,
		       const char *misuse, int ret, int err, int expected);
/* Same for a call that must succeed; records nothing on success. */
bool hilt_expect_ok(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *what,
		    int ret, int err);

/*
 * The same ioctl request with another argument size in its number (the
 * _IOC_SIZE bits): how an older (shorter) or newer (longer) struct of the
 * same command reaches the kernel.
 */
unsigned long hilt_ioc_resize(unsigned long req, size_t size);

/*
 * An "ioctl.struct-size" observation: the ioctl called with an argument of
 * size bytes where the running kernel's struct has kernel_size; trailing
 * says what the bytes past kernel_size held ("none", "zero", "nonzero").
 * Fails the case when ret/err differ from expected_errno (0: accepted),
 * naming rule, the kernel's promise.
 */
void hilt_check_struct_size(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *ioctl,
			    size_t size, size_t kernel_size, const char *trailing, int ret, int err,
			    int expected_errno, const char *rule);

/*
 * ioctl that retries on EINTR like libdrm's drmIoctl(), and on EAGAIN at most
 * HILT_EAGAIN_RETRIES times (a kernel bug that keeps answering EAGAIN is then
 * a failure, not a hang); returns -1 with errno set.
 */
#define HILT_EAGAIN_RETRIES 3
int hilt_ioctl(int fd, unsigned long req, void *arg);

/*
 * DRM device table: every /dev/dri/card*, /dev/dri/renderD* and
 * /dev/accel/accel* node, opened, with the driver name VERSION returned.
 */
struct hilt_dev {
	char path[64];
	char node[24];		/* "card0", "renderD128", "accel0" */
	char driver[64];	/* from DRM_IOCTL_VERSION, "" if it failed */
	int kind;		/* HILT_NODE_* */
	int fd;			/* -1 if open failed */
	int open_errno;
};
enum { HILT_NODE_PRIMARY, HILT_NODE_RENDER, HILT_NODE_ACCEL };
#define HILT_MAX_DEVS 32
/* Scans once per process; the devices stay open until exit. */
size_t hilt_devices(struct hilt_dev **out);
/* First device whose driver matches and whose kind is in kinds_mask (1 << HILT_NODE_*). */
struct hilt_dev *hilt_find_device(const char *driver, unsigned kinds_mask);
/*
 * Runs fn once per opened device whose kind is in kinds_mask, each as a KTAP
 * subtest named after the node; skips the case with a reason when there is none.
 */
#define HILT_ALL_NODES ((1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER) | (1u << HILT_NODE_ACCEL))
void hilt_each_device(struct hilt_ctx *ctx, unsigned kinds_mask,
		      void (*fn)(struct hilt_ctx *ctx, struct hilt_dev *dev));
/* Adds "device" and "driver" keys identifying dev to an observation. */
void hj_dev(struct hilt_json *j, const struct hilt_dev *dev);

#define HILT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
