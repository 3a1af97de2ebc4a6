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
 *   suite --describe print one JSON object per case (name, ioctl, checks, schemas)
 *   suite --run a,b  run only cases a and b, in the table's order
 */
#ifndef HILT_H
#define HILT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hilt_status { HILT_PASS, HILT_FAIL, HILT_SKIP };

struct hilt_case;

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
};

struct hilt_case {
	const char *name;	/* [a-z0-9_-]+, unique within the suite */
	void (*run)(struct hilt_ctx *ctx);
	const char *ioctl;	/* what it exercises, e.g. "DRM_IOCTL_VERSION" */
	const char *checks;	/* one sentence: what a pass means */
	const char *schemas;	/* comma separated observation types it emits */
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

/* ioctl that retries on EINTR/EAGAIN like libdrm's drmIoctl(); returns -1 with errno set. */
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
