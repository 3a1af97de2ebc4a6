// SPDX-License-Identifier: MIT
/*
 * syncobj: DRM sync objects (drivers/gpu/drm/drm_syncobj.c) on every device
 * that advertises DRM_CAP_SYNCOBJ, and the timeline ioctls on those that also
 * advertise DRM_CAP_SYNCOBJ_TIMELINE: create, destroy, export and import as a
 * syncobj fd or as a sync_file, wait (all, any, for submit, timeouts), reset,
 * signal, timeline signal and wait, query, transfer, eventfd; misuse refused
 * with the errno DRM core defines.
 *
 * Each subtest works on its own open file of the node (sdev_begin), which the
 * case runner closes after the subtest: that drops every syncobj it made.
 * Pending fences come from vgem (FENCE_ATTACH, exported from the dma-buf as
 * a sync_file): the cases that use them skip when vgem is not loaded.
 *
 * Timing: a wait that must time out is judged against its absolute
 * deadline with a tolerance of FU_TOLERANCE_JIFFIES ticks of the running
 * kernel (fence-util.h); the waits whose point is that they waited use
 * FU_REAL_WAIT_MS, long against that tolerance. A wait that must be woken is
 * woken by a helper thread only once this thread sleeps in the ioctl.
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "fence-util.h"
#include "syncobj-uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"

#define NODES ((1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER))

#define S_CREATE	"DRM_IOCTL_SYNCOBJ_CREATE"
#define S_DESTROY	"DRM_IOCTL_SYNCOBJ_DESTROY"
#define S_TO_FD		"DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD"
#define S_TO_HANDLE	"DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE"
#define S_WAIT		"DRM_IOCTL_SYNCOBJ_WAIT"
#define S_RESET		"DRM_IOCTL_SYNCOBJ_RESET"
#define S_SIGNAL	"DRM_IOCTL_SYNCOBJ_SIGNAL"
#define S_TL_SIGNAL	"DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL"
#define S_TL_WAIT	"DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT"
#define S_QUERY		"DRM_IOCTL_SYNCOBJ_QUERY"
#define S_TRANSFER	"DRM_IOCTL_SYNCOBJ_TRANSFER"
#define S_EVENTFD	"DRM_IOCTL_SYNCOBJ_EVENTFD"

#define WAIT_ALL	DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL
#define FOR_SUBMIT	DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT
#define AVAILABLE	DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE

#define SHORT_MS	20	/* a wait that must time out, for its errno */
#define LONG_MS		FU_WAKE_TIMEOUT_MS	/* a wait that must not time out */

#define U64P(p) ((uint64_t)(uintptr_t)(p))

/* ---- the raw ioctls: 0 or -errno ---- */

static int so_create(int fd, uint32_t flags, uint32_t *h)
{
	struct drm_syncobj_create a = { .flags = flags };
	int ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &a));

	if (!ret)
		*h = a.handle;
	return ret;
}

static int so_destroy(int fd, uint32_t h, uint32_t pad)
{
	struct drm_syncobj_destroy a = { .handle = h, .pad = pad };

	return fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &a));
}

/* The case whose cleanup list takes the fds the kernel hands out (so_to_fd). */
static struct hilt_ctx *cur_ctx;

static int so_to_fd(int fd, uint32_t h, uint32_t flags, uint32_t pad, int *out)
{
	struct drm_syncobj_handle a = { .handle = h, .flags = flags, .fd = -1, .pad = pad };
	int ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a));

	if (!ret)
		*out = cur_ctx ? hilt_defer_close(cur_ctx, a.fd) : a.fd;
	return ret;
}

/* FD_TO_HANDLE: a syncobj fd gives a new handle; with IMPORT_SYNC_FILE, the
 * sync_file's fence replaces the fence of the existing handle *h. */
static int so_from_fd(int fd, int in, uint32_t flags, uint32_t pad, uint32_t *h)
{
	struct drm_syncobj_handle a = { .handle = *h, .flags = flags, .fd = in, .pad = pad };
	int ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &a));

	if (!ret)
		*h = a.handle;
	return ret;
}

static int so_array(int fd, unsigned long req, const uint32_t *h, uint32_t n, uint32_t pad)
{
	struct drm_syncobj_array a = { .handles = U64P(h), .count_handles = n, .pad = pad };

	return fu_err(hilt_ioctl(fd, req, &a));
}

static int so_tl_array(int fd, unsigned long req, const uint32_t *h, uint64_t *pts,
		       uint32_t n, uint32_t flags)
{
	struct drm_syncobj_timeline_array a = {
		.handles = U64P(h), .points = U64P(pts), .count_handles = n, .flags = flags,
	};

	return fu_err(hilt_ioctl(fd, req, &a));
}

static int so_transfer(int fd, uint32_t src, uint64_t src_point, uint32_t dst,
		       uint64_t dst_point, uint32_t flags, uint32_t pad)
{
	struct drm_syncobj_transfer a = {
		.src_handle = src, .dst_handle = dst, .src_point = src_point,
		.dst_point = dst_point, .flags = flags, .pad = pad,
	};

	return fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_TRANSFER, &a));
}

static int so_eventfd(int fd, uint32_t h, uint64_t point, uint32_t flags, int evfd, uint32_t pad)
{
	struct hilt_drm_syncobj_eventfd a = {
		.handle = h, .point = point, .flags = flags, .fd = evfd, .pad = pad,
	};

	return fu_err(hilt_ioctl(fd, HILT_DRM_IOCTL_SYNCOBJ_EVENTFD, &a));
}

/*
 * WAIT or TIMELINE_WAIT (pts != NULL), in the 6.5 layout with deadline_nsec.
 * timeout_ms < 0: 0, a poll; otherwise an absolute CLOCK_MONOTONIC deadline
 * that far ahead, returned in *deadline. hilt_ioctl() is not used: ETIME and
 * EINVAL are results here, not retries.
 */
static int so_wait_dl(int fd, const uint32_t *h, const uint64_t *pts, uint32_t n, uint32_t flags,
		      int timeout_ms, uint64_t deadline_nsec, int64_t *deadline, uint32_t *first)
{
	int64_t t = timeout_ms < 0 ? 0 : fu_now_ns() + (int64_t)timeout_ms * 1000000;
	int ret;

	*deadline = t;
	if (pts) {
		struct hilt_drm_syncobj_timeline_wait a = {
			.handles = U64P(h), .points = U64P(pts), .timeout_nsec = t,
			.count_handles = n, .flags = flags, .first_signaled = ~0u,
			.deadline_nsec = deadline_nsec,
		};

		do {
			ret = ioctl(fd, HILT_DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &a);
		} while (ret < 0 && errno == EINTR);
		*first = a.first_signaled;
	} else {
		struct hilt_drm_syncobj_wait a = {
			.handles = U64P(h), .timeout_nsec = t, .count_handles = n, .flags = flags,
			.first_signaled = ~0u, .deadline_nsec = deadline_nsec,
		};

		do {
			ret = ioctl(fd, HILT_DRM_IOCTL_SYNCOBJ_WAIT, &a);
		} while (ret < 0 && errno == EINTR);
		*first = a.first_signaled;
	}
	return fu_err(ret);
}

static int so_wait(int fd, const uint32_t *h, const uint64_t *pts, uint32_t n, uint32_t flags,
		   int timeout_ms, int64_t *deadline, uint32_t *first)
{
	return so_wait_dl(fd, h, pts, n, flags, timeout_ms, 0, deadline, first);
}

/* ---- per-device setup ---- */

struct sdev {
	struct hilt_dev *dev;
	int fd;			/* a private open of the node */
	bool timeline;
};

static bool cap(const struct hilt_dev *dev, uint64_t id)
{
	uint64_t v = 0;

	return !hilt_get_cap(dev, id, &v) && v;
}

/* Skips unless the node advertises the caps; opens a private file of it. */
static bool sdev_begin(struct hilt_ctx *ctx, struct hilt_dev *dev, bool need_timeline, struct sdev *s)
{
	s->dev = dev;
	s->fd = -1;
	cur_ctx = ctx;
	s->timeline = cap(dev, DRM_CAP_SYNCOBJ_TIMELINE);
	if (!cap(dev, DRM_CAP_SYNCOBJ)) {
		hilt_skip(ctx, "%s (%s) does not advertise DRM_CAP_SYNCOBJ", dev->node, dev->driver);
		return false;
	}
	if (need_timeline && !s->timeline) {
		hilt_skip(ctx, "%s (%s) does not advertise DRM_CAP_SYNCOBJ_TIMELINE", dev->node, dev->driver);
		return false;
	}
	s->fd = fu_open(ctx, dev);
	if (s->fd < 0) {
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(-s->fd));
		return false;
	}
	return true;
}

static int so_eventfd(int fd, uint32_t h, uint64_t point, uint32_t flags, int evfd, uint32_t pad);

/*
 * Whether the kernel has DRM_IOCTL_SYNCOBJ_EVENTFD (Linux 6.6), asked of
 * the kernel itself: for a handle that does not exist it answers ENOENT
 * (drm_syncobj_eventfd_ioctl() looks the handle up), a kernel without the
 * ioctl EINVAL (drm_ioctl(): a number past its table). Skips when absent.
 */
static bool has_eventfd(struct hilt_ctx *ctx, struct sdev *s)
{
	int ev = hilt_defer_close(ctx, eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	int ret = so_eventfd(s->fd, 0x7fffffff, 0, 0, ev, 0);

	hilt_close(ctx, &ev);
	if (ret == -EINVAL) {
		hilt_skip(ctx, "this kernel has no DRM_IOCTL_SYNCOBJ_EVENTFD (drm_ioctl() answers EINVAL; Linux 6.6 added it)");
		return false;
	}
	return true;
}

/* ---- checks ---- */

static bool ok(struct hilt_ctx *ctx, struct sdev *s, const char *what, int ret)
{
	if (ret)
		hilt_fail(ctx, "%s on %s failed with %s; expected success", what, s->dev->node,
			  hilt_errname(-ret));
	return !ret;
}

static bool create(struct hilt_ctx *ctx, struct sdev *s, uint32_t flags, uint32_t *h)
{
	return ok(ctx, s, flags ? S_CREATE " (DRM_SYNCOBJ_CREATE_SIGNALED)" : S_CREATE,
		  so_create(s->fd, flags, h));
}

static bool signal1(struct hilt_ctx *ctx, struct sdev *s, uint32_t h)
{
	return ok(ctx, s, S_SIGNAL, so_array(s->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &h, 1, 0));
}

static bool tl_signal1(struct hilt_ctx *ctx, struct sdev *s, uint32_t h, uint64_t point)
{
	return ok(ctx, s, S_TL_SIGNAL,
		  so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &h, &point, 1, 0));
}

/* One negative call: call runs once, its -errno judged against err. */
#define EXPECT(ioctl, misuse, call, err)						\
	do {										\
		int expect_ret_ = (call);						\
		hilt_expect_errno(ctx, s->dev, ioctl, misuse, expect_ret_, -expect_ret_, err); \
	} while (0)

static const char *timeout_kind(int timeout_ms)
{
	return timeout_ms < 0 ? "poll" : timeout_ms <= SHORT_MS ? "short" :
	       timeout_ms <= FU_REAL_WAIT_MS ? "real" : "long";
}

/*
 * One wait, recorded as a syncobj.wait observation and judged: errno as
 * expected (0, EINVAL: a syncobj without a fence and no WAIT_FOR_SUBMIT, ETIME:
 * the deadline passed), first_signaled as expected (-1: not checked), and an
 * ETIME that lasted its timeout in the kernel's jiffies (fu_check_timed_out:
 * drm_timeout_abs_to_jiffies() rounds the timeout up, so the kernel sleeps
 * at least that many jiffies).
 */
static bool wait_check(struct hilt_ctx *ctx, struct sdev *s, const char *scenario,
		       const uint32_t *h, const uint64_t *pts, uint32_t n, uint32_t flags,
		       int timeout_ms, int expect, int expect_first)
{
	const char *ioctl_name = pts ? S_TL_WAIT : S_WAIT;
	long long j0 = timeout_ms > 0 ? hilt_jiffies() : -1, j1 = -1;
	int64_t t0 = fu_now_ns(), deadline, t1;
	uint32_t first = ~0u;
	int ret = so_wait(s->fd, h, pts, n, flags, timeout_ms, &deadline, &first);
	int err = -ret;
	struct hilt_json j;
	char what[256];

	t1 = fu_now_ns();
	if (timeout_ms > 0)
		j1 = hilt_jiffies();
	hj_begin(&j);
	hj_dev(&j, s->dev);
	hj_str(&j, "ioctl", ioctl_name);
	hj_str(&j, "scenario", scenario);
	hj_uint(&j, "count", n);
	hj_uint(&j, "flags", flags);
	hj_bool(&j, "wait_all", flags & WAIT_ALL);
	hj_str(&j, "timeout", timeout_kind(timeout_ms));
	if (timeout_ms >= 0)
		hj_int(&j, "timeout_ms", timeout_ms);
	hj_int(&j, "errno", err);
	hj_str(&j, "errname", hilt_errname(err));
	if (!err && !(flags & WAIT_ALL) && n)
		hj_uint(&j, "first_signaled", first);
	hj_int(&j, "elapsed_us", (t1 - t0) / 1000);
	if (j0 >= 0 && j1 >= 0)
		hj_int(&j, "elapsed_jiffies", j1 - j0);
	hilt_obs(ctx, "syncobj.wait", &j);

	if (err != expect) {
		hilt_fail(ctx, "%s on %s (%s, flags %#x, %s timeout) returned %s after %lld us; expected %s",
			  ioctl_name, s->dev->node, scenario, flags, timeout_kind(timeout_ms),
			  hilt_errname(err), (long long)(t1 - t0) / 1000, hilt_errname(expect));
		return false;
	}
	if (!err && expect_first >= 0 && first != (uint32_t)expect_first) {
		hilt_fail(ctx, "%s on %s (%s): first_signaled %u; expected %d", ioctl_name,
			  s->dev->node, scenario, first, expect_first);
		return false;
	}
	if (err == ETIME && timeout_ms > 0) {
		snprintf(what, sizeof(what), "%s on %s (%s)", ioctl_name, s->dev->node, scenario);
		return fu_check_timed_out(ctx, what, timeout_ms, j0, j1, t0, t1);
	}
	return true;
}

/* The binary syncobj h is signalled: a poll wait on it succeeds. */
static bool is_signalled(struct hilt_ctx *ctx, struct sdev *s, const char *scenario, uint32_t h)
{
	return wait_check(ctx, s, scenario, &h, NULL, 1, 0, -1, 0, 0);
}

/* ---- caps and no-cap ---- */

static void caps_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static const struct { uint64_t id; const char *name; } caps[] = {
		{ DRM_CAP_SYNCOBJ, "DRM_CAP_SYNCOBJ" },
		{ DRM_CAP_SYNCOBJ_TIMELINE, "DRM_CAP_SYNCOBJ_TIMELINE" },
	};
	uint64_t val[2] = { 0, 0 };

	for (size_t i = 0; i < HILT_ARRAY_SIZE(caps); i++) {
		int ret = hilt_get_cap(dev, caps[i].id, &val[i]);
		struct hilt_json j;

		hj_begin(&j);
		hj_dev(&j, dev);
		hj_str(&j, "cap", caps[i].name);
		hj_uint(&j, "id", caps[i].id);
		hj_int(&j, "errno", -ret);
		hj_str(&j, "errname", hilt_errname(-ret));
		if (ret) {
			hj_null(&j, "value");
			val[i] = 0;
		} else {
			hj_uint(&j, "value", val[i]);
		}
		hilt_obs(ctx, "drm.cap", &j);
	}
	if (val[1] && !val[0])
		hilt_fail(ctx, "%s advertises DRM_CAP_SYNCOBJ_TIMELINE but not DRM_CAP_SYNCOBJ", dev->node);
}

static void t_caps(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, caps_one);
}

/* drm_syncobj.c: every ioctl checks the driver feature first: -EOPNOTSUPP. */
static void no_cap_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd = { .dev = dev }, *s = &sd;
	bool syncobj = cap(dev, DRM_CAP_SYNCOBJ), timeline = cap(dev, DRM_CAP_SYNCOBJ_TIMELINE);
	uint32_t h = 1, first;
	uint64_t pt = 1;
	int64_t dl;

	if (syncobj && timeline) {
		hilt_skip(ctx, "%s (%s) advertises DRM_CAP_SYNCOBJ and DRM_CAP_SYNCOBJ_TIMELINE",
			  dev->node, dev->driver);
		return;
	}
	if (!syncobj) {
		EXPECT(S_CREATE, "a device without DRM_CAP_SYNCOBJ", so_create(dev->fd, 0, &h), EOPNOTSUPP);
		EXPECT(S_WAIT, "a device without DRM_CAP_SYNCOBJ",
		       so_wait(dev->fd, &h, NULL, 1, 0, -1, &dl, &first), EOPNOTSUPP);
		EXPECT(S_SIGNAL, "a device without DRM_CAP_SYNCOBJ",
		       so_array(dev->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &h, 1, 0), EOPNOTSUPP);
	}
	EXPECT(S_TL_SIGNAL, "a device without DRM_CAP_SYNCOBJ_TIMELINE",
	       so_tl_array(dev->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &h, &pt, 1, 0), EOPNOTSUPP);
	EXPECT(S_QUERY, "a device without DRM_CAP_SYNCOBJ_TIMELINE",
	       so_tl_array(dev->fd, DRM_IOCTL_SYNCOBJ_QUERY, &h, &pt, 1, 0), EOPNOTSUPP);
	/* A kernel without EVENTFD (before 6.6) answers EINVAL from drm_ioctl() instead. */
	{
		int ret = so_eventfd(dev->fd, h, 0, 0, 0, 0);

		if (ret != -EINVAL)
			EXPECT(S_EVENTFD, "a device without DRM_CAP_SYNCOBJ_TIMELINE", ret, EOPNOTSUPP);
	}
}

static void t_no_cap(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, no_cap_one);
}

/* ---- CREATE / DESTROY ---- */

static void obs_create(struct hilt_ctx *ctx, struct sdev *s, uint32_t flags, uint32_t h)
{
	struct hilt_json j;

	hj_begin(&j);
	hj_dev(&j, s->dev);
	hj_uint(&j, "flags", flags);
	hj_bool(&j, "signaled", flags & DRM_SYNCOBJ_CREATE_SIGNALED);
	hj_uint(&j, "handle", h);
	hilt_obs(ctx, "syncobj.create", &j);
}

static void create_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t hu = 0, hs = 0;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (!create(ctx, s, 0, &hu) || !create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs))
		return;
	obs_create(ctx, s, 0, hu);
	obs_create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, hs);
	if (!hu || !hs || hu == hs)
		hilt_fail(ctx, "%s on %s returned handles %u and %u; expected two distinct non-zero ones",
			  S_CREATE, dev->node, hu, hs);
	/* Without a fence a plain wait is -EINVAL; WAIT_FOR_SUBMIT times out. */
	wait_check(ctx, s, "created unsignalled, no fence", &hu, NULL, 1, 0, -1, EINVAL, -1);
	wait_check(ctx, s, "created unsignalled, wait for submit", &hu, NULL, 1, FOR_SUBMIT, -1, ETIME, -1);
	is_signalled(ctx, s, "created signalled", hs);
	if (ok(ctx, s, S_DESTROY, so_destroy(s->fd, hu, 0)) &&
	    ok(ctx, s, S_DESTROY, so_destroy(s->fd, hs, 0)))
		EXPECT(S_DESTROY, "a handle already destroyed", so_destroy(s->fd, hu, 0), EINVAL);
}

static void t_create(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, create_one);
}

static void create_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t h;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	EXPECT(S_CREATE, "flags 0x2 (only DRM_SYNCOBJ_CREATE_SIGNALED is defined)",
	       so_create(s->fd, 0x2, &h), EINVAL);
	EXPECT(S_CREATE, "flags 0xffffffff", so_create(s->fd, ~0u, &h), EINVAL);
}

static void t_create_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, create_invalid_one);
}

static void destroy_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t h;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	EXPECT(S_DESTROY, "handle 0", so_destroy(s->fd, 0, 0), EINVAL);
	EXPECT(S_DESTROY, "a handle never created", so_destroy(s->fd, 0x7fffffff, 0), EINVAL);
	if (create(ctx, s, 0, &h)) {
		EXPECT(S_DESTROY, "pad 1", so_destroy(s->fd, h, 1), EINVAL);
		ok(ctx, s, S_DESTROY " after a refused one", so_destroy(s->fd, h, 0));
	}
}

static void t_destroy_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, destroy_invalid_one);
}

/* ---- HANDLE_TO_FD / FD_TO_HANDLE ---- */

static void handle_to_fd_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd, other = { .dev = dev, .fd = -1 };
	uint32_t h = 0, h2 = 0, h3 = 0, ho = 0;
	int sfd = -1;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (!create(ctx, s, 0, &h) || !ok(ctx, s, S_TO_FD, so_to_fd(s->fd, h, 0, 0, &sfd)) ||
	    !ok(ctx, s, S_TO_HANDLE, so_from_fd(s->fd, sfd, 0, 0, &h2)))
		return;
	if (h2 == h || !h2)
		hilt_fail(ctx, "%s on %s of a syncobj fd returned handle %u; expected a new non-zero handle (the original is %u)",
			  S_TO_HANDLE, dev->node, h2, h);
	/* Same object: signalled through one handle, seen through the other. */
	if (signal1(ctx, s, h2))
		is_signalled(ctx, s, "signalled through the handle imported from its fd", h);
	/* The fd keeps the object alive after its handles are gone. */
	ok(ctx, s, S_DESTROY, so_destroy(s->fd, h, 0));
	ok(ctx, s, S_DESTROY, so_destroy(s->fd, h2, 0));
	if (ok(ctx, s, S_TO_HANDLE " after every handle was destroyed", so_from_fd(s->fd, sfd, 0, 0, &h3)))
		is_signalled(ctx, s, "imported again after its handles were destroyed", h3);
	/* Another open file of the device gets the same object. */
	other.fd = fu_open(ctx, dev);
	if (other.fd < 0) {
		hilt_fail(ctx, "open %s a third time: %s", dev->path, hilt_errname(-other.fd));
	} else if (ok(ctx, &other, S_TO_HANDLE " on another open file", so_from_fd(other.fd, sfd, 0, 0, &ho))) {
		is_signalled(ctx, &other, "imported into another open file", ho);
	}
}

static void t_handle_to_fd(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, handle_to_fd_one);
}

static void handle_to_fd_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t h = 0, hs = 0, out;
	int fd = -1, ev = -1, sync_fd = -1;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (!create(ctx, s, 0, &h) || !create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs))
		return;
	EXPECT(S_TO_FD, "a handle never created", so_to_fd(s->fd, 0x7fffffff, 0, 0, &fd), EINVAL);
	EXPECT(S_TO_FD, "flags 0x2", so_to_fd(s->fd, h, 0x2, 0, &fd), EINVAL);
	EXPECT(S_TO_FD, "pad 1", so_to_fd(s->fd, h, 0, 1, &fd), EINVAL);
	/* A sync_file needs a fence: drm_syncobj_find_fence() says -EINVAL without one. */
	EXPECT(S_TO_FD, "EXPORT_SYNC_FILE of a syncobj that has no fence",
	       so_to_fd(s->fd, h, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, 0, &fd), EINVAL);
	EXPECT(S_TO_FD, "EXPORT_SYNC_FILE of a handle never created",
	       so_to_fd(s->fd, 0x7fffffff, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, 0, &fd), ENOENT);

	out = 0;
	EXPECT(S_TO_HANDLE, "fd -1", so_from_fd(s->fd, -1, 0, 0, &out), EINVAL);
	ev = hilt_defer_close(ctx, eventfd(0, EFD_CLOEXEC));
	if (ev < 0) {
		hilt_fail(ctx, "eventfd(2) failed: %s", hilt_errname(errno));
		return;
	}
	out = 0;
	EXPECT(S_TO_HANDLE, "an eventfd, not a syncobj fd", so_from_fd(s->fd, ev, 0, 0, &out), EINVAL);
	if (ok(ctx, s, S_TO_FD " (EXPORT_SYNC_FILE)",
	       so_to_fd(s->fd, hs, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, 0, &sync_fd))) {
		out = 0;
		EXPECT(S_TO_HANDLE, "a sync_file fd without IMPORT_SYNC_FILE",
		       so_from_fd(s->fd, sync_fd, 0, 0, &out), EINVAL);
		out = 0x7fffffff;
		EXPECT(S_TO_HANDLE, "IMPORT_SYNC_FILE into a handle never created",
		       so_from_fd(s->fd, sync_fd, DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, 0, &out),
		       ENOENT);
	}
	out = h;
	EXPECT(S_TO_HANDLE, "IMPORT_SYNC_FILE of an eventfd, not a sync_file",
	       so_from_fd(s->fd, ev, DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, 0, &out), EINVAL);
	out = 0;
	EXPECT(S_TO_HANDLE, "flags 0x2", so_from_fd(s->fd, ev, 0x2, 0, &out), EINVAL);
	out = 0;
	EXPECT(S_TO_HANDLE, "pad 1", so_from_fd(s->fd, ev, 0, 1, &out), EINVAL);
}

static void t_handle_to_fd_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, handle_to_fd_invalid_one);
}

/* The fence status a sync_file reports (SYNC_IOC_FILE_INFO), or -errno as 2+errno. */
static int sync_status(int sync_fd, int *err)
{
	struct sync_file_info info;
	struct sync_fence_info fences[4];
	int ret = fu_sync_info(sync_fd, &info, fences, HILT_ARRAY_SIZE(fences));

	*err = -ret;
	return ret ? 0 : info.status;
}

static void export_sync_file_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t hs = 0, h = 0;
	int sync_fd = -1, err, st;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (!create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs) ||
	    !ok(ctx, s, S_TO_FD " (EXPORT_SYNC_FILE) of a signalled syncobj",
		so_to_fd(s->fd, hs, DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, 0, &sync_fd)))
		return;
	st = sync_status(sync_fd, &err);
	if (err)
		hilt_fail(ctx, "SYNC_IOC_FILE_INFO on the sync_file exported from %s failed with %s: not a sync_file",
			  dev->node, hilt_errname(err));
	else if (st != 1)
		hilt_fail(ctx, "the sync_file exported from a signalled syncobj on %s has status %d; expected 1",
			  dev->node, st);
	/* Round trip: the sync_file's fence imported into a fresh syncobj. */
	if (create(ctx, s, 0, &h) &&
	    ok(ctx, s, S_TO_HANDLE " (IMPORT_SYNC_FILE)",
	       so_from_fd(s->fd, sync_fd, DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, 0, &h)))
		is_signalled(ctx, s, "imported a signalled sync_file", h);
}

static void t_export_sync_file(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, export_sync_file_one);
}

/* ---- WAIT ---- */

static void wait_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t hs = 0, hs2 = 0, hu = 0, h[2];

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (!create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs) ||
	    !create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs2) || !create(ctx, s, 0, &hu))
		return;
	wait_check(ctx, s, "signalled", &hs, NULL, 1, 0, -1, 0, 0);
	wait_check(ctx, s, "no fence", &hu, NULL, 1, 0, -1, EINVAL, -1);
	wait_check(ctx, s, "no fence, wait for submit", &hu, NULL, 1, FOR_SUBMIT, -1, ETIME, -1);
	wait_check(ctx, s, "no fence, wait for submit", &hu, NULL, 1, FOR_SUBMIT, SHORT_MS, ETIME, -1);
	/* The point of this one is that it waits its timeout out. */
	wait_check(ctx, s, "no fence, wait for submit, waited out", &hu, NULL, 1, FOR_SUBMIT,
		   FU_REAL_WAIT_MS, ETIME, -1);
	h[0] = hs, h[1] = hs2;
	wait_check(ctx, s, "all of two signalled", h, NULL, 2, WAIT_ALL, -1, 0, -1);
	h[0] = hs, h[1] = hu;
	wait_check(ctx, s, "all of signalled and no fence", h, NULL, 2, WAIT_ALL | FOR_SUBMIT, SHORT_MS, ETIME, -1);
	h[0] = hu, h[1] = hs;
	wait_check(ctx, s, "any of no fence and signalled", h, NULL, 2, FOR_SUBMIT, SHORT_MS, 0, 1);
	/* Without WAIT_FOR_SUBMIT one syncobj without a fence makes the whole wait -EINVAL. */
	wait_check(ctx, s, "any of no fence and signalled, no wait for submit", h, NULL, 2, 0, -1, EINVAL, -1);
	wait_check(ctx, s, "no handles", h, NULL, 0, 0, -1, 0, -1);
}

static void t_wait(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, wait_one);
}

struct later_call {
	int fd;
	uint32_t h;
	uint64_t point;
};

static int later_signal(void *p)
{
	struct later_call *c = p;

	return so_array(c->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &c->h, 1, 0);
}

static int later_tl_signal(void *p)
{
	struct later_call *c = p;

	return so_tl_array(c->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &c->h, &c->point, 1, 0);
}

static const long ioctl_syscall[] = { SYS_ioctl };

/*
 * Waits with WAIT_FOR_SUBMIT on a syncobj (point) without a fence while a
 * helper thread, once it sees this thread asleep in the ioctl, submits
 * (signals) 20 ms later: the wait must have blocked until then.
 */
static void wait_for_later(struct hilt_ctx *ctx, struct sdev *s, const char *scenario, uint32_t h,
			   const uint64_t *pt, int (*fn)(void *))
{
	struct later_call c = { .fd = s->fd, .h = h, .point = pt ? *pt : 0 };
	struct fu_blocker blocker;
	char what[192];
	int64_t t0, t1;
	int ret;

	t0 = fu_now_ns();
	/* Nothing submitted yet: a poll says ETIME. */
	if (!wait_check(ctx, s, scenario, &h, pt, 1, FOR_SUBMIT, -1, ETIME, -1))
		return;
	ret = fu_blocker_start(&blocker, ioctl_syscall, 1, 20, fn, &c);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		return;
	}
	wait_check(ctx, s, scenario, &h, pt, 1, FOR_SUBMIT, LONG_MS, 0, 0);
	t1 = fu_now_ns();
	fu_blocker_waited(&blocker);
	fu_blocker_join(&blocker);
	snprintf(what, sizeof(what), "%s on %s (%s)", pt ? S_TL_WAIT : S_WAIT, s->dev->node, scenario);
	if (fu_signal_failed(&blocker))
		hilt_fail(ctx, "%s on %s from a second thread failed with %s",
			  pt ? S_TL_SIGNAL : S_SIGNAL, s->dev->node, hilt_errname(-blocker.ret));
	else
		fu_blocker_check(ctx, &blocker, t0, t1, what);
}

static void wait_for_submit_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t h = 0;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (create(ctx, s, 0, &h))
		wait_for_later(ctx, s, "no fence, signalled by another thread", h, NULL, later_signal);
}

static void t_wait_for_submit(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, wait_for_submit_one);
}

static void wait_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t hs = 0, bad = 0x7fffffff, first;
	int64_t dl;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs)) {
		EXPECT(S_WAIT, "flags bit 31", so_wait(s->fd, &hs, NULL, 1, 1u << 31, -1, &dl, &first), EINVAL);
		EXPECT(S_WAIT, "WAIT_AVAILABLE (a timeline-only flag)",
		       so_wait(s->fd, &hs, NULL, 1, AVAILABLE, -1, &dl, &first), EINVAL);
	}
	EXPECT(S_WAIT, "a handle never created", so_wait(s->fd, &bad, NULL, 1, 0, -1, &dl, &first), ENOENT);
	EXPECT(S_WAIT, "a NULL handle array with count 1", so_wait(s->fd, NULL, NULL, 1, 0, -1, &dl, &first), EFAULT);
}

static void t_wait_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, wait_invalid_one);
}

/* ---- RESET / SIGNAL ---- */

static void reset_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t h = 0;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &h) &&
	    ok(ctx, s, S_RESET, so_array(s->fd, DRM_IOCTL_SYNCOBJ_RESET, &h, 1, 0))) {
		wait_check(ctx, s, "reset", &h, NULL, 1, 0, -1, EINVAL, -1);
		wait_check(ctx, s, "reset, wait for submit", &h, NULL, 1, FOR_SUBMIT, SHORT_MS, ETIME, -1);
		if (signal1(ctx, s, h))
			is_signalled(ctx, s, "reset then signalled", h);
	}
}

static void t_reset(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, reset_one);
}

static void signal_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t h[2] = { 0, 0 };

	if (!sdev_begin(ctx, dev, false, s))
		return;
	if (create(ctx, s, 0, &h[0]) && create(ctx, s, 0, &h[1]) &&
	    ok(ctx, s, S_SIGNAL " of two handles", so_array(s->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, h, 2, 0))) {
		wait_check(ctx, s, "both signalled", h, NULL, 2, WAIT_ALL, -1, 0, -1);
		/* Signalling a signalled syncobj again is fine. */
		if (signal1(ctx, s, h[0]))
			is_signalled(ctx, s, "signalled twice", h[0]);
	}
}

static void t_signal(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, signal_one);
}

/* RESET and SIGNAL share drm_syncobj_array and its checks. */
static void array_invalid(struct hilt_ctx *ctx, struct sdev *s, const char *name, unsigned long req)
{
	uint32_t h = 0, bad = 0x7fffffff;

	if (!create(ctx, s, 0, &h))
		return;
	EXPECT(name, "count_handles 0", so_array(s->fd, req, &h, 0, 0), EINVAL);
	EXPECT(name, "pad 1", so_array(s->fd, req, &h, 1, 1), EINVAL);
	EXPECT(name, "a handle never created", so_array(s->fd, req, &bad, 1, 0), ENOENT);
	EXPECT(name, "a NULL handle array with count 1", so_array(s->fd, req, NULL, 1, 0), EFAULT);
}

static void reset_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	array_invalid(ctx, s, S_RESET, DRM_IOCTL_SYNCOBJ_RESET);
}

static void t_reset_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, reset_invalid_one);
}

static void signal_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;

	if (!sdev_begin(ctx, dev, false, s))
		return;
	array_invalid(ctx, s, S_SIGNAL, DRM_IOCTL_SYNCOBJ_SIGNAL);
}

static void t_signal_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, signal_invalid_one);
}

/* ---- timelines: TIMELINE_SIGNAL, TIMELINE_WAIT, QUERY ---- */

/* QUERY one handle, recorded as syncobj.query; returns false on failure. */
static bool query(struct hilt_ctx *ctx, struct sdev *s, const char *scenario, const uint32_t *h,
		  uint32_t n, uint32_t flags, uint64_t *pts)
{
	int ret = so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_QUERY, h, pts, n, flags);
	struct hilt_json j;

	if (!ok(ctx, s, S_QUERY, ret))
		return false;
	hj_begin(&j);
	hj_dev(&j, s->dev);
	hj_str(&j, "scenario", scenario);
	hj_uint(&j, "flags", flags);
	hj_bool(&j, "last_submitted", flags & DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED);
	hj_uint(&j, "count", n);
	hj_arr(&j, "points");
	for (uint32_t i = 0; i < n; i++)
		hj_arr_uint(&j, pts[i]);
	hj_close_arr(&j);
	hilt_obs(ctx, "syncobj.query", &j);
	return true;
}

static bool query_is(struct hilt_ctx *ctx, struct sdev *s, const char *scenario, uint32_t h,
		     uint32_t flags, uint64_t want)
{
	uint64_t pt = ~0ull;

	if (!query(ctx, s, scenario, &h, 1, flags, &pt))
		return false;
	if (pt != want)
		hilt_fail(ctx, "%s%s on %s (%s) returned point %llu; expected %llu", S_QUERY,
			  flags ? " (LAST_SUBMITTED)" : "", s->dev->node, scenario,
			  (unsigned long long)pt, (unsigned long long)want);
	return pt == want;
}

static void timeline_signal_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t t = 0, h[2] = { 0, 0 };
	uint64_t pt, pts[2] = { 2, 4 };

	if (!sdev_begin(ctx, dev, true, s))
		return;
	if (!create(ctx, s, 0, &t) || !tl_signal1(ctx, s, t, 1) ||
	    !query_is(ctx, s, "signalled point 1", t, 0, 1) ||
	    !tl_signal1(ctx, s, t, 3) || !query_is(ctx, s, "signalled points 1 and 3", t, 0, 3))
		return;
	pt = 2;
	wait_check(ctx, s, "point 2 of a timeline signalled at 3", &t, &pt, 1, 0, -1, 0, 0);
	pt = 3;
	wait_check(ctx, s, "point 3 of a timeline signalled at 3", &t, &pt, 1, 0, -1, 0, 0);
	pt = 4;
	wait_check(ctx, s, "point 4 of a timeline signalled at 3", &t, &pt, 1, 0, -1, EINVAL, -1);
	wait_check(ctx, s, "point 4 of a timeline signalled at 3, wait for submit", &t, &pt, 1,
		   FOR_SUBMIT, SHORT_MS, ETIME, -1);
	/* Two timelines at once. */
	if (create(ctx, s, 0, &h[0]) && create(ctx, s, 0, &h[1]) &&
	    ok(ctx, s, S_TL_SIGNAL " of two handles",
	       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, h, pts, 2, 0))) {
		uint64_t got[2] = { ~0ull, ~0ull };

		if (query(ctx, s, "two timelines signalled at 2 and 4", h, 2, 0, got) &&
		    (got[0] != 2 || got[1] != 4))
			hilt_fail(ctx, "%s on %s of two timelines signalled at 2 and 4 returned %llu and %llu",
				  S_QUERY, dev->node, (unsigned long long)got[0], (unsigned long long)got[1]);
		wait_check(ctx, s, "all of two timelines at their points", h, pts, 2, WAIT_ALL, -1, 0, -1);
	}
}

static void t_timeline_signal(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, timeline_signal_one);
}

static void timeline_signal_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t t = 0, bad = 0x7fffffff;
	uint64_t pt = 1;

	if (!sdev_begin(ctx, dev, true, s))
		return;
	if (create(ctx, s, 0, &t)) {
		EXPECT(S_TL_SIGNAL, "flags 1 (no flag is defined)",
		       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &t, &pt, 1, 1), EINVAL);
		EXPECT(S_TL_SIGNAL, "count_handles 0",
		       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &t, &pt, 0, 0), EINVAL);
		EXPECT(S_TL_SIGNAL, "a points pointer to unmapped memory",
		       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &t, (uint64_t *)8, 1, 0), EFAULT);
	}
	EXPECT(S_TL_SIGNAL, "a handle never created",
	       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &bad, &pt, 1, 0), ENOENT);
}

static void t_timeline_signal_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, timeline_signal_invalid_one);
}

static void timeline_wait_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t t = 0, t2 = 0, h[2];
	uint64_t pt, pts[2];

	if (!sdev_begin(ctx, dev, true, s))
		return;
	if (!create(ctx, s, 0, &t) || !create(ctx, s, 0, &t2))
		return;
	pt = 5;
	wait_for_later(ctx, s, "point 5 signalled by another thread", t, &pt, later_tl_signal);
	/* WAIT_AVAILABLE: the point has a fence, signalled or not. */
	if (!tl_signal1(ctx, s, t2, 1))
		return;
	pt = 1;
	wait_check(ctx, s, "point 1 submitted, wait available", &t2, &pt, 1, AVAILABLE, -1, 0, 0);
	pt = 2;
	wait_check(ctx, s, "point 2 not submitted, wait available", &t2, &pt, 1, AVAILABLE | FOR_SUBMIT,
		   SHORT_MS, ETIME, -1);
	wait_check(ctx, s, "point 2 not submitted, waited out", &t2, &pt, 1, FOR_SUBMIT,
		   FU_REAL_WAIT_MS, ETIME, -1);
	h[0] = t, h[1] = t2;
	pts[0] = 5, pts[1] = 7;
	wait_check(ctx, s, "all of point 5 signalled and point 7 not submitted", h, pts, 2,
		   WAIT_ALL | FOR_SUBMIT, SHORT_MS, ETIME, -1);
	wait_check(ctx, s, "any of point 5 signalled and point 7 not submitted", h, pts, 2,
		   FOR_SUBMIT, SHORT_MS, 0, 0);
}

static void t_timeline_wait(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, timeline_wait_one);
}

static void timeline_wait_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t t = 0, bad = 0x7fffffff, first;
	uint64_t pt = 1;
	int64_t dl;

	if (!sdev_begin(ctx, dev, true, s))
		return;
	if (create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &t)) {
		EXPECT(S_TL_WAIT, "flags bit 31", so_wait(s->fd, &t, &pt, 1, 1u << 31, -1, &dl, &first), EINVAL);
		EXPECT(S_TL_WAIT, "a points pointer to unmapped memory",
		       so_wait(s->fd, &t, (uint64_t *)8, 1, 0, -1, &dl, &first), EFAULT);
	}
	EXPECT(S_TL_WAIT, "a handle never created", so_wait(s->fd, &bad, &pt, 1, 0, -1, &dl, &first), ENOENT);
}

static void t_timeline_wait_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, timeline_wait_invalid_one);
}

static void query_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t t = 0, b = 0;

	if (!sdev_begin(ctx, dev, true, s))
		return;
	if (!create(ctx, s, 0, &t) || !create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &b))
		return;
	query_is(ctx, s, "no fence", t, 0, 0);
	query_is(ctx, s, "binary syncobj, signalled", b, 0, 0);
	if (tl_signal1(ctx, s, t, 2) && tl_signal1(ctx, s, t, 6)) {
		query_is(ctx, s, "signalled points 2 and 6", t, 0, 6);
		query_is(ctx, s, "signalled points 2 and 6", t, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, 6);
	}
}

static void t_query(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, query_one);
}

static void query_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t t = 0, bad = 0x7fffffff;
	uint64_t pt;

	if (!sdev_begin(ctx, dev, true, s))
		return;
	if (create(ctx, s, 0, &t)) {
		EXPECT(S_QUERY, "flags 0x2 (only LAST_SUBMITTED is defined)",
		       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_QUERY, &t, &pt, 1, 0x2), EINVAL);
		EXPECT(S_QUERY, "count_handles 0",
		       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_QUERY, &t, &pt, 0, 0), EINVAL);
		EXPECT(S_QUERY, "a points pointer to unmapped memory",
		       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_QUERY, &t, (uint64_t *)8, 1, 0), EFAULT);
	}
	EXPECT(S_QUERY, "a handle never created",
	       so_tl_array(s->fd, DRM_IOCTL_SYNCOBJ_QUERY, &bad, &pt, 1, 0), ENOENT);
}

static void t_query_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, query_invalid_one);
}

/* ---- TRANSFER ---- */

static void transfer_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t bs = 0, t = 0, b = 0;

	if (!sdev_begin(ctx, dev, true, s))
		return;
	if (!create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &bs) || !create(ctx, s, 0, &t) ||
	    !create(ctx, s, 0, &b))
		return;
	/* binary -> timeline point 2 */
	if (ok(ctx, s, S_TRANSFER " of a signalled binary syncobj to point 2",
	       so_transfer(s->fd, bs, 0, t, 2, 0, 0)))
		query_is(ctx, s, "binary transferred to point 2", t, 0, 2);
	/* timeline point 2 -> binary */
	if (ok(ctx, s, S_TRANSFER " of point 2 to a binary syncobj", so_transfer(s->fd, t, 2, b, 0, 0, 0)))
		is_signalled(ctx, s, "point 2 transferred to a binary syncobj", b);
	/* A point not submitted yet has no fence: -EINVAL without WAIT_FOR_SUBMIT. */
	EXPECT(S_TRANSFER, "a source point not submitted yet, without WAIT_FOR_SUBMIT",
	       so_transfer(s->fd, t, 9, b, 0, 0, 0), EINVAL);
}

static void t_transfer(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, transfer_one);
}

static void transfer_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t bs = 0, t = 0;

	if (!sdev_begin(ctx, dev, true, s))
		return;
	if (create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &bs) && create(ctx, s, 0, &t)) {
		EXPECT(S_TRANSFER, "pad 1", so_transfer(s->fd, bs, 0, t, 1, 0, 1), EINVAL);
		EXPECT(S_TRANSFER, "flags WAIT_ALL (only WAIT_FOR_SUBMIT applies)",
		       so_transfer(s->fd, bs, 0, t, 1, WAIT_ALL, 0), EINVAL);
		EXPECT(S_TRANSFER, "a destination handle never created",
		       so_transfer(s->fd, bs, 0, 0x7fffffff, 1, 0, 0), ENOENT);
		EXPECT(S_TRANSFER, "a source handle never created",
		       so_transfer(s->fd, 0x7fffffff, 0, t, 1, 0, 0), ENOENT);
		EXPECT(S_TRANSFER, "a source handle never created, binary destination",
		       so_transfer(s->fd, 0x7fffffff, 0, t, 0, 0, 0), ENOENT);
	}
}

static void t_transfer_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, transfer_invalid_one);
}

/* ---- EVENTFD ---- */

/* The eventfd's counter (0 when nothing was signalled), or -errno. */
static long long ev_read(int ev)
{
	uint64_t v = 0;
	ssize_t n = read(ev, &v, sizeof(v));

	if (n == sizeof(v))
		return (long long)v;
	return errno == EAGAIN ? 0 : -errno;
}

static void ev_expect(struct hilt_ctx *ctx, struct sdev *s, int ev, const char *scenario, bool fired)
{
	long long v = fired ? -1 : 0;

	/* the kernel signals from a fence callback: give it a moment when it must fire */
	for (int i = 0; i < (fired ? 100 : 1); i++) {
		if (i)
			fu_sleep_ms(2);
		v = ev_read(ev);
		if (v != 0)
			break;
	}
	if (v < 0)
		hilt_fail(ctx, "read(2) of the eventfd (%s) failed: %s", scenario, hilt_errname((int)-v));
	else if (fired && v == 0)
		hilt_fail(ctx, "%s on %s: the eventfd was not signalled (%s)", S_EVENTFD, s->dev->node, scenario);
	else if (!fired && v)
		hilt_fail(ctx, "%s on %s: the eventfd was signalled too early (%s)", S_EVENTFD, s->dev->node, scenario);
}

static void eventfd_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t b = 0, bs = 0, t = 0;
	int ev = -1;

	if (!sdev_begin(ctx, dev, true, s) || !has_eventfd(ctx, s))
		return;
	ev = hilt_defer_close(ctx, eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (ev < 0) {
		hilt_fail(ctx, "eventfd(2) failed: %s", hilt_errname(errno));
		return;
	}
	if (!create(ctx, s, 0, &b) || !create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &bs) ||
	    !create(ctx, s, 0, &t))
		return;
	/* binary, signalled later */
	if (ok(ctx, s, S_EVENTFD " on a syncobj without a fence", so_eventfd(s->fd, b, 0, 0, ev, 0))) {
		ev_expect(ctx, s, ev, "binary syncobj not signalled yet", false);
		if (signal1(ctx, s, b))
			ev_expect(ctx, s, ev, "binary syncobj signalled", true);
	}
	/* already signalled: fires at once */
	if (ok(ctx, s, S_EVENTFD " on a signalled syncobj", so_eventfd(s->fd, bs, 0, 0, ev, 0)))
		ev_expect(ctx, s, ev, "registered on a signalled syncobj", true);
	/* timeline point, WAIT_AVAILABLE: fires on submission */
	if (ok(ctx, s, S_EVENTFD " on timeline point 2 with WAIT_AVAILABLE",
	       so_eventfd(s->fd, t, 2, AVAILABLE, ev, 0))) {
		ev_expect(ctx, s, ev, "point 2 not submitted yet", false);
		if (tl_signal1(ctx, s, t, 1))
			ev_expect(ctx, s, ev, "only point 1 submitted", false);
		if (tl_signal1(ctx, s, t, 2))
			ev_expect(ctx, s, ev, "point 2 submitted", true);
	}
}

static void t_eventfd(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, eventfd_one);
}

static void eventfd_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	uint32_t b = 0;
	int ev = -1, p[2] = { -1, -1 };

	if (!sdev_begin(ctx, dev, true, s) || !has_eventfd(ctx, s))
		return;
	ev = hilt_defer_close(ctx, eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	if (ev < 0 || pipe2(p, O_CLOEXEC)) {
		hilt_fail(ctx, "eventfd(2) or pipe2(2) failed: %s", hilt_errname(errno));
		return;
	}
	hilt_defer_close(ctx, p[0]);
	hilt_defer_close(ctx, p[1]);
	if (create(ctx, s, 0, &b)) {
		EXPECT(S_EVENTFD, "flags WAIT_ALL (only WAIT_AVAILABLE is accepted)",
		       so_eventfd(s->fd, b, 0, WAIT_ALL, ev, 0), EINVAL);
		EXPECT(S_EVENTFD, "flags bit 31", so_eventfd(s->fd, b, 0, 1u << 31, ev, 0), EINVAL);
		EXPECT(S_EVENTFD, "pad 1", so_eventfd(s->fd, b, 0, 0, ev, 1), EINVAL);
		EXPECT(S_EVENTFD, "fd -1", so_eventfd(s->fd, b, 0, 0, -1, 0), EBADF);
		EXPECT(S_EVENTFD, "a pipe, not an eventfd", so_eventfd(s->fd, b, 0, 0, p[0], 0), EINVAL);
	}
	EXPECT(S_EVENTFD, "a handle never created", so_eventfd(s->fd, 0x7fffffff, 0, 0, ev, 0), ENOENT);
}

static void t_eventfd_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, eventfd_invalid_one);
}

/* ---- a real pending fence: vgem's, through a sync_file ---- */

static struct hilt_dev *need_vgem(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = fu_vgem();

	if (!vgem)
		hilt_skip(ctx, "no vgem card node (vgem module not loaded): no fence to leave pending");
	return vgem;
}

/* A pending vgem write fence as a sync_file (fu_pending_new); fails the case if it cannot. */
static bool pending_new(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct fu_pending *p)
{
	int ret = fu_pending_new(ctx, vgem, VGEM_FENCE_WRITE, DMA_BUF_SYNC_READ, p);

	if (ret)
		hilt_fail(ctx, "making a pending vgem fence on %s as a sync_file failed: %s",
			  vgem->node, hilt_errname(-ret));
	return !ret;
}

static bool pending_signal(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct fu_pending *p)
{
	int ret = fu_pending_signal(p);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL on %s failed: %s", vgem->node, hilt_errname(-ret));
	return !ret;
}

/* A new syncobj holding the pending fence (FD_TO_HANDLE with IMPORT_SYNC_FILE). */
static bool import_pending(struct hilt_ctx *ctx, struct sdev *s, struct fu_pending *p, uint32_t *h)
{
	return create(ctx, s, 0, h) &&
	       ok(ctx, s, S_TO_HANDLE " (IMPORT_SYNC_FILE) of a pending vgem fence",
		  so_from_fd(s->fd, p->sync_fd, DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, 0, h));
}

static void vgem_fence_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	struct fu_blocker blocker;
	struct hilt_dev *vgem;
	struct fu_pending p;
	uint32_t h = 0, hs = 0, pair[2];
	int64_t t0, t1;
	int ev = -1, ret;

	if (!(vgem = need_vgem(ctx)) || !sdev_begin(ctx, dev, false, s) || !pending_new(ctx, vgem, &p) ||
	    !import_pending(ctx, s, &p, &h) || !create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs))
		return;
	wait_check(ctx, s, "pending fence", &h, NULL, 1, 0, -1, ETIME, -1);
	/* The point of this one is that it waits its timeout out. */
	wait_check(ctx, s, "pending fence, waited out", &h, NULL, 1, 0, FU_REAL_WAIT_MS, ETIME, -1);
	pair[0] = h, pair[1] = hs;
	wait_check(ctx, s, "all of pending and signalled", pair, NULL, 2, WAIT_ALL, SHORT_MS, ETIME, -1);
	wait_check(ctx, s, "any of pending and signalled", pair, NULL, 2, 0, SHORT_MS, 0, 1);
	if (s->timeline) {
		ret = so_eventfd(s->fd, 0x7fffffff, 0, 0, -1, 0);
		ev = ret == -EINVAL ? -1 : hilt_defer_close(ctx, eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
		if (ev >= 0 && ok(ctx, s, S_EVENTFD " on a pending fence", so_eventfd(s->fd, h, 0, 0, ev, 0)) &&
		    fu_poll(p.buf.dmabuf, POLLIN, 0) == 0)	/* not expired by a 10 s stall */
			ev_expect(ctx, s, ev, "vgem fence pending", false);
		else
			ev = -1;
	}
	/* A blocking wait, woken by the signal from another thread. */
	t0 = fu_now_ns();
	ret = fu_blocker_start(&blocker, ioctl_syscall, 1, 20, fu_signal_pending, &p);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		return;
	}
	wait_check(ctx, s, "pending fence signalled by another thread", &h, NULL, 1, 0, LONG_MS, 0, 0);
	t1 = fu_now_ns();
	fu_blocker_waited(&blocker);
	fu_blocker_join(&blocker);
	if (fu_signal_failed(&blocker)) {
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL on %s from a second thread failed: %s",
			  vgem->node, hilt_errname(-blocker.ret));
		return;
	}
	fu_blocker_check(ctx, &blocker, t0, t1, S_WAIT " on a syncobj holding a pending vgem fence");
	is_signalled(ctx, s, "vgem fence signalled", h);
	wait_check(ctx, s, "all of two signalled", pair, NULL, 2, WAIT_ALL, SHORT_MS, 0, -1);
	if (ev >= 0)
		ev_expect(ctx, s, ev, "vgem fence signalled", true);
}

static void t_vgem_fence(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, vgem_fence_one);
}

/*
 * A pending fence transferred to a timeline point: QUERY and the waits see
 * it, and point 0 means the timeline's last fence, pending or not.
 */
static void vgem_timeline_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	struct hilt_dev *vgem;
	struct fu_pending p;
	uint32_t b = 0, t = 0;
	uint64_t pt;

	if (!(vgem = need_vgem(ctx)) || !sdev_begin(ctx, dev, true, s) || !pending_new(ctx, vgem, &p) ||
	    !import_pending(ctx, s, &p, &b) || !create(ctx, s, 0, &t) || !tl_signal1(ctx, s, t, 3))
		return;
	pt = 0;
	wait_check(ctx, s, "point 0 (the last fence) of a timeline signalled at 3", &t, &pt, 1, 0, -1, 0, 0);
	if (!ok(ctx, s, S_TRANSFER " of a pending fence to point 5", so_transfer(s->fd, b, 0, t, 5, 0, 0)))
		return;
	query_is(ctx, s, "point 3 signalled, point 5 pending", t, 0, 3);
	query_is(ctx, s, "point 3 signalled, point 5 pending", t, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, 5);
	pt = 3;
	wait_check(ctx, s, "point 3 signalled, point 5 pending", &t, &pt, 1, 0, -1, 0, 0);
	pt = 5;
	wait_check(ctx, s, "point 5 pending", &t, &pt, 1, 0, SHORT_MS, ETIME, -1);
	wait_check(ctx, s, "point 5 pending, wait available", &t, &pt, 1, AVAILABLE, -1, 0, 0);
	pt = 0;
	wait_check(ctx, s, "point 0 (the last fence) while point 5 is pending", &t, &pt, 1, 0, -1, ETIME, -1);
	if (pending_signal(ctx, vgem, &p)) {
		pt = 5;
		query_is(ctx, s, "point 5 signalled", t, 0, 5);
		wait_check(ctx, s, "point 5 signalled", &t, &pt, 1, 0, SHORT_MS, 0, 0);
		pt = 0;
		wait_check(ctx, s, "point 0 (the last fence) once point 5 signalled", &t, &pt, 1, 0, -1, 0, 0);
	}
}

static void t_vgem_timeline(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, vgem_timeline_one);
}

/* ---- many waiters ---- */

#define WAITERS 4

struct waiter {
	pthread_t thread;
	int fd;
	uint32_t h;
	uint64_t point;
	bool timeline;
	pid_t tid;
	volatile int ready;
	int ret;
	int64_t woke_ns;
};

static void *waiter_main(void *p)
{
	struct waiter *w = p;
	int64_t dl;
	uint32_t first;

	w->tid = fu_gettid();
	__atomic_store_n(&w->ready, 1, __ATOMIC_SEQ_CST);
	w->ret = so_wait(w->fd, &w->h, w->timeline ? &w->point : NULL, 1, FOR_SUBMIT, LONG_MS, &dl, &first);
	__atomic_store_n(&w->woke_ns, fu_now_ns(), __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * WAITERS threads block in WAIT (WAIT_FOR_SUBMIT) on one syncobj, half of
 * them through a second open file that imported it from its fd; one SIGNAL
 * (and, on timelines, one TIMELINE_SIGNAL of the point they wait for)
 * releases them all, and none wakes before it.
 */
static void wait_threads_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	struct waiter w[WAITERS];
	uint32_t h = 0, h2 = 0;
	int sfd = -1, fd2, started = 0;
	int64_t signal_ns;

	if (!sdev_begin(ctx, dev, false, s) || !create(ctx, s, 0, &h) ||
	    !ok(ctx, s, S_TO_FD, so_to_fd(s->fd, h, 0, 0, &sfd)))
		return;
	fd2 = fu_open(ctx, dev);
	if (fd2 < 0 || so_from_fd(fd2, sfd, 0, 0, &h2)) {
		hilt_fail(ctx, "importing the syncobj into a second open file of %s failed", dev->node);
		return;
	}
	for (int i = 0; i < WAITERS; i++) {
		w[i] = (struct waiter){ .fd = i % 2 ? fd2 : s->fd, .h = i % 2 ? h2 : h, .ret = -EINPROGRESS };
		if (pthread_create(&w[i].thread, NULL, waiter_main, &w[i])) {
			hilt_fail(ctx, "starting waiter thread %d failed", i);
			break;
		}
		started++;
	}
	for (int i = 0; i < started; i++) {
		int64_t give_up = fu_now_ns() + 10000000000LL;

		while (!(__atomic_load_n(&w[i].ready, __ATOMIC_SEQ_CST) && fu_thread_asleep(w[i].tid)) &&
		       !__atomic_load_n(&w[i].woke_ns, __ATOMIC_SEQ_CST) && fu_now_ns() < give_up)
			fu_sleep_ms(1);
		if (!fu_thread_asleep(w[i].tid))
			hilt_fail(ctx, "waiter thread %d is not asleep in %s on a syncobj without a fence",
				  i, S_WAIT);
	}
	signal_ns = fu_now_ns();
	signal1(ctx, s, h);
	for (int i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].ret)
			hilt_fail(ctx, "waiter thread %d: %s returned %s; expected 0 once signalled", i,
				  S_WAIT, hilt_errname(-w[i].ret));
		else if (w[i].woke_ns < signal_ns)
			hilt_fail(ctx, "waiter thread %d returned from %s before the signal", i, S_WAIT);
	}
	hilt_diag(ctx, "%d threads on two open files waited on one syncobj; one SIGNAL released them all", started);
}

static void t_wait_threads(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, wait_threads_one);
}

/* ---- WAIT_DEADLINE ---- */

/*
 * DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE (Linux 6.5) passes deadline_nsec to
 * the fences as a hint (dma_fence_set_deadline()): it changes no result. A
 * kernel without it refuses the flag with EINVAL, which is a skip; a flag
 * above it is EINVAL on every kernel (drm_syncobj_wait_ioctl()).
 */
static void wait_deadline_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct sdev sd, *s = &sd;
	struct hilt_dev *vgem = fu_vgem();
	struct fu_pending p;
	uint32_t hs = 0, h = 0, first;
	int64_t dl, t0, t1;
	uint64_t soon;
	int ret;

	if (!sdev_begin(ctx, dev, false, s) || !create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs))
		return;
	soon = (uint64_t)fu_now_ns() + 1000000;
	ret = so_wait_dl(s->fd, &hs, NULL, 1, HILT_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE, -1, soon, &dl, &first);
	if (ret == -EINVAL) {
		hilt_skip(ctx, "this kernel refuses DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE (EINVAL; Linux 6.5 added it)");
		return;
	}
	ok(ctx, s, S_WAIT " (WAIT_DEADLINE) of a signalled syncobj", ret);
	EXPECT(S_WAIT, "flags bit 4 (above WAIT_DEADLINE)",
	       so_wait_dl(s->fd, &hs, NULL, 1, 1u << 4, -1, soon, &dl, &first), EINVAL);
	if (s->timeline) {
		uint64_t pt = 0;

		ret = so_wait_dl(s->fd, &hs, &pt, 1, HILT_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE, -1, soon, &dl, &first);
		ok(ctx, s, S_TL_WAIT " (WAIT_DEADLINE) of a signalled syncobj", ret);
		EXPECT(S_TL_WAIT, "flags bit 4 (above WAIT_DEADLINE)",
		       so_wait_dl(s->fd, &hs, &pt, 1, 1u << 4, -1, soon, &dl, &first), EINVAL);
	}
	if (!vgem)
		return;
	/* A pending fence: the hint signals nothing, the wait still times out. */
	if (!pending_new(ctx, vgem, &p) || !import_pending(ctx, s, &p, &h))
		return;
	t0 = fu_now_ns();
	ret = so_wait_dl(s->fd, &h, NULL, 1, HILT_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE, SHORT_MS,
			 (uint64_t)fu_now_ns(), &dl, &first);
	t1 = fu_now_ns();
	if (ret != -ETIME)
		hilt_fail(ctx, "%s (WAIT_DEADLINE now) of a pending vgem fence on %s returned %s after %lld us; expected ETIME",
			  S_WAIT, dev->node, hilt_errname(-ret), (long long)(t1 - t0) / 1000);
	if (pending_signal(ctx, vgem, &p))
		is_signalled(ctx, s, "vgem fence signalled after a deadline wait", h);
}

static void t_wait_deadline(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, wait_deadline_one);
}

/* ---- timeline points: 0, out of order, 64 bits ---- */

/*
 * Point 0 of TIMELINE_WAIT is the syncobj's current fence, whatever its
 * point (drm_syncobj_fence_add_wait()); a point signalled below the last one
 * does not move the timeline back (dma_fence_chain_init() keeps the larger
 * seqno); points are full 64-bit numbers (dma_fence_chain_ops use 64-bit
 * seqnos).
 */
static void timeline_points_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	const uint64_t big = (1ull << 63) + 5;
	struct sdev sd, *s = &sd;
	uint32_t t = 0, t64 = 0, e = 0;
	uint64_t pt;

	if (!sdev_begin(ctx, dev, true, s) || !create(ctx, s, 0, &t) || !create(ctx, s, 0, &t64) ||
	    !create(ctx, s, 0, &e))
		return;
	pt = 0;
	wait_check(ctx, s, "point 0 of a syncobj without a fence", &e, &pt, 1, 0, -1, EINVAL, -1);
	wait_check(ctx, s, "point 0 of a syncobj without a fence, wait for submit", &e, &pt, 1, FOR_SUBMIT,
		   -1, ETIME, -1);
	/* Out of order: 5, then 3. */
	if (!tl_signal1(ctx, s, t, 5) || !tl_signal1(ctx, s, t, 3))
		return;
	query_is(ctx, s, "point 3 signalled after point 5", t, 0, 5);
	query_is(ctx, s, "point 3 signalled after point 5", t, DRM_SYNCOBJ_QUERY_FLAGS_LAST_SUBMITTED, 5);
	pt = 5;
	wait_check(ctx, s, "point 5 after an out-of-order 3", &t, &pt, 1, 0, -1, 0, 0);
	pt = 6;
	wait_check(ctx, s, "point 6 after 5 and an out-of-order 3", &t, &pt, 1, 0, -1, EINVAL, -1);
	pt = 0;
	wait_check(ctx, s, "point 0 of a signalled timeline", &t, &pt, 1, 0, -1, 0, 0);
	/* 64-bit points. */
	if (!tl_signal1(ctx, s, t64, big))
		return;
	query_is(ctx, s, "point 2^63+5 signalled", t64, 0, big);
	pt = 1ull << 63;
	wait_check(ctx, s, "point 2^63 of a timeline at 2^63+5", &t64, &pt, 1, 0, -1, 0, 0);
	pt = UINT64_MAX;
	wait_check(ctx, s, "point 2^64-1 of a timeline at 2^63+5, wait for submit", &t64, &pt, 1, FOR_SUBMIT,
		   -1, ETIME, -1);
	pt = big + 1;
	wait_check(ctx, s, "point 2^63+6 of a timeline at 2^63+5", &t64, &pt, 1, 0, -1, EINVAL, -1);
}

static void t_timeline_points(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, timeline_points_one);
}

/* ---- argument struct sizes ---- */

/*
 * drm_ioctl() copies in the caller's size (_IOC_SIZE of the request), zero-
 * fills up to the kernel's struct and copies the caller's size back, so a
 * caller built against older headers (libdrm 2.4.114: drm_syncobj_wait
 * without deadline_nsec, 32 bytes) or newer ones (a longer struct) is served
 * alike; bytes past the kernel's struct are ignored, not refused, and come
 * back as they were.
 */
static void wait_struct_sizes_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static const char rule[] = "drm_ioctl() zero-fills a shorter struct and ignores the bytes past its own";
	const size_t ksize = sizeof(struct hilt_drm_syncobj_wait);
	struct sdev sd, *s = &sd;
	uint32_t hs = 0;
	struct {
		struct hilt_drm_syncobj_wait w;
		uint64_t tail;
	} a;
	static const struct { size_t size; uint64_t tail; const char *trailing; } sizes[] = {
		{ 32, 0, "none" },	/* Linux < 6.5, libdrm 2.4.114 */
		{ 40, 0, "none" },	/* Linux 6.5+ */
		{ 48, 0, "zero" },
		{ 48, 0x5a5a5a5a5a5a5a5aull, "nonzero" },
	};

	if (!sdev_begin(ctx, dev, false, s) || !create(ctx, s, DRM_SYNCOBJ_CREATE_SIGNALED, &hs))
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(sizes); i++) {
		int ret;

		memset(&a, 0, sizeof(a));
		a.w = (struct hilt_drm_syncobj_wait){ .handles = U64P(&hs), .count_handles = 1, .first_signaled = ~0u };
		a.tail = sizes[i].tail;
		ret = ioctl(s->fd, hilt_ioc_resize(HILT_DRM_IOCTL_SYNCOBJ_WAIT, sizes[i].size), &a);
		hilt_check_struct_size(ctx, dev, S_WAIT, sizes[i].size, ksize, sizes[i].trailing, ret, errno, 0, rule);
		if (!ret && a.w.first_signaled != 0)
			hilt_fail(ctx, "%s with a %zu-byte argument returned first_signaled %u; expected 0",
				  S_WAIT, sizes[i].size, a.w.first_signaled);
		if (!ret && a.tail != sizes[i].tail)
			hilt_fail(ctx, "%s with a %zu-byte argument changed the bytes past the kernel's struct",
				  S_WAIT, sizes[i].size);
	}
}

static void t_wait_struct_sizes(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, NODES, wait_struct_sizes_one);
}

#define K_CORE "drm_syncobj_"

static const struct hilt_case cases[] = {
	{ "caps", t_caps, "DRM_IOCTL_GET_CAP",
	  "each node answers DRM_CAP_SYNCOBJ and DRM_CAP_SYNCOBJ_TIMELINE; timeline implies syncobj",
	  "drm.cap", "drm_getcap()" },
	{ "no-cap", t_no_cap, S_CREATE,
	  "a node without DRM_CAP_SYNCOBJ(_TIMELINE) refuses the syncobj (timeline) ioctls with EOPNOTSUPP",
	  "ioctl.errno", "drm_syncobj_create_ioctl(), drm_core_check_feature()" },
	{ "create", t_create, S_CREATE,
	  "CREATE gives distinct handles, signalled or not as asked; DESTROY frees them",
	  "syncobj.create,syncobj.wait,ioctl.errno", "drm_syncobj_create_ioctl(), drm_syncobj_destroy_ioctl()" },
	{ "create-invalid", t_create_invalid, S_CREATE,
	  "undefined CREATE flags are refused with EINVAL", "ioctl.errno", "drm_syncobj_create_ioctl()" },
	{ "destroy-invalid", t_destroy_invalid, S_DESTROY,
	  "DESTROY of an unknown handle or with pad set is refused with EINVAL", "ioctl.errno",
	  "drm_syncobj_destroy_ioctl(), drm_syncobj_destroy()" },
	{ "handle-to-fd", t_handle_to_fd, S_TO_FD,
	  "a syncobj fd imports as a new handle to the same object, also after the handles are gone and in another file",
	  "syncobj.wait", "drm_syncobj_handle_to_fd_ioctl(), drm_syncobj_fd_to_handle()" },
	{ "handle-to-fd-invalid", t_handle_to_fd_invalid, S_TO_FD,
	  "HANDLE_TO_FD / FD_TO_HANDLE refuse unknown handles, bad fds, flags and pad with EINVAL or ENOENT",
	  "ioctl.errno", "drm_syncobj_handle_to_fd_ioctl(), drm_syncobj_fd_to_handle_ioctl()" },
	{ "export-sync-file", t_export_sync_file, S_TO_FD,
	  "EXPORT_SYNC_FILE of a signalled syncobj is a signalled sync_file; IMPORT_SYNC_FILE takes it back",
	  "syncobj.wait", "drm_syncobj_export_sync_file(), drm_syncobj_import_sync_file_fence()" },
	{ "wait", t_wait, S_WAIT,
	  "WAIT (all, any, poll, absolute timeouts, WAIT_FOR_SUBMIT) returns 0, ETIME or EINVAL as DRM core defines; a timed-out wait lasts its timeout less at most the jiffy tolerance",
	  "syncobj.wait", "drm_syncobj_wait_ioctl(), drm_syncobj_array_wait_timeout(), drm_timeout_abs_to_jiffies()" },
	{ "wait-for-submit", t_wait_for_submit, S_WAIT,
	  "a WAIT_FOR_SUBMIT wait on a syncobj without a fence sleeps in the kernel until another thread signals it",
	  "syncobj.wait", "drm_syncobj_array_wait_timeout(), syncobj_wait_syncobj_func()" },
	{ "wait-threads", t_wait_threads, S_WAIT,
	  "several threads on two open files sleep in WAIT_FOR_SUBMIT waits on one syncobj; one SIGNAL releases every one of them and none earlier",
	  "", "drm_syncobj_array_wait_timeout(), drm_syncobj_replace_fence()" },
	{ "wait-deadline", t_wait_deadline, S_WAIT,
	  "WAIT and TIMELINE_WAIT take DRM_SYNCOBJ_WAIT_FLAGS_WAIT_DEADLINE as a hint that signals nothing; a flag above it is EINVAL",
	  "ioctl.errno", "drm_syncobj_wait_ioctl(), dma_fence_set_deadline()" },
	{ "wait-struct-sizes", t_wait_struct_sizes, S_WAIT,
	  "WAIT takes the pre-6.5 32-byte struct, the 40-byte one and a longer one (zero or not past the kernel's struct, left as it was)",
	  "ioctl.struct-size", "drm_ioctl()" },
	{ "wait-invalid", t_wait_invalid, S_WAIT,
	  "WAIT refuses undefined flags and WAIT_AVAILABLE (EINVAL), unknown handles (ENOENT), bad pointers (EFAULT)",
	  "ioctl.errno", "drm_syncobj_wait_ioctl(), drm_syncobj_array_find()" },
	{ "reset", t_reset, S_RESET,
	  "RESET removes the fence: waits then see no fence until the next SIGNAL", "syncobj.wait",
	  "drm_syncobj_reset_ioctl(), drm_syncobj_replace_fence()" },
	{ "reset-invalid", t_reset_invalid, S_RESET,
	  "RESET refuses count 0 and pad (EINVAL), unknown handles (ENOENT), bad pointers (EFAULT)",
	  "ioctl.errno", "drm_syncobj_reset_ioctl(), drm_syncobj_array_find()" },
	{ "signal", t_signal, S_SIGNAL,
	  "SIGNAL of two handles signals both; signalling again is fine", "syncobj.wait",
	  "drm_syncobj_signal_ioctl(), drm_syncobj_assign_null_handle()" },
	{ "signal-invalid", t_signal_invalid, S_SIGNAL,
	  "SIGNAL refuses count 0 and pad (EINVAL), unknown handles (ENOENT), bad pointers (EFAULT)",
	  "ioctl.errno", "drm_syncobj_signal_ioctl(), drm_syncobj_array_find()" },
	{ "timeline-signal", t_timeline_signal, S_TL_SIGNAL,
	  "TIMELINE_SIGNAL advances the timeline: QUERY and TIMELINE_WAIT see the points", "syncobj.query,syncobj.wait",
	  "drm_syncobj_timeline_signal_ioctl(), drm_syncobj_add_point()" },
	{ "timeline-points", t_timeline_points, S_TL_WAIT,
	  "point 0 waits for the last fence; a point signalled below the last leaves QUERY at the last; points above 2^63 signal, query and wait",
	  "syncobj.query,syncobj.wait", "drm_syncobj_add_point(), dma_fence_chain_init(), dma_fence_chain_find_seqno()" },
	{ "timeline-signal-invalid", t_timeline_signal_invalid, S_TL_SIGNAL,
	  "TIMELINE_SIGNAL refuses flags and count 0 (EINVAL), unknown handles (ENOENT), bad pointers (EFAULT)",
	  "ioctl.errno", "drm_syncobj_timeline_signal_ioctl()" },
	{ "timeline-wait", t_timeline_wait, S_TL_WAIT,
	  "TIMELINE_WAIT with WAIT_FOR_SUBMIT, WAIT_AVAILABLE, all and any returns as DRM core defines; a blocked wait returns once another thread signals its point",
	  "syncobj.wait", "drm_syncobj_timeline_wait_ioctl(), drm_syncobj_array_wait_timeout()" },
	{ "timeline-wait-invalid", t_timeline_wait_invalid, S_TL_WAIT,
	  "TIMELINE_WAIT refuses undefined flags (EINVAL), unknown handles (ENOENT), bad pointers (EFAULT)",
	  "ioctl.errno", "drm_syncobj_timeline_wait_ioctl()" },
	{ "query", t_query, S_QUERY,
	  "QUERY returns 0 without a timeline and the last signalled (or submitted) point",
	  "syncobj.query", "drm_syncobj_query_ioctl()" },
	{ "query-invalid", t_query_invalid, S_QUERY,
	  "QUERY refuses undefined flags and count 0 (EINVAL), unknown handles (ENOENT), bad pointers (EFAULT)",
	  "ioctl.errno", "drm_syncobj_query_ioctl()" },
	{ "transfer", t_transfer, S_TRANSFER,
	  "TRANSFER moves a fence binary to timeline point and back; an unsubmitted point is EINVAL",
	  "syncobj.query,syncobj.wait,ioctl.errno", "drm_syncobj_transfer_ioctl(), drm_syncobj_transfer_to_timeline(), drm_syncobj_transfer_to_binary()" },
	{ "transfer-invalid", t_transfer_invalid, S_TRANSFER,
	  "TRANSFER refuses pad and flags other than WAIT_FOR_SUBMIT (EINVAL), unknown handles (ENOENT)",
	  "ioctl.errno", "drm_syncobj_transfer_ioctl()" },
	{ "eventfd", t_eventfd, S_EVENTFD,
	  "an eventfd registered on a syncobj or timeline point fires when it signals (or with WAIT_AVAILABLE, is submitted)",
	  "", "drm_syncobj_eventfd_ioctl(), syncobj_eventfd_entry_func()" },
	{ "eventfd-invalid", t_eventfd_invalid, S_EVENTFD,
	  "EVENTFD refuses bad flags, pad and non-eventfd fds (EINVAL), fd -1 (EBADF), unknown handles (ENOENT)",
	  "ioctl.errno", "drm_syncobj_eventfd_ioctl(), eventfd_ctx_fdget()" },
	{ "vgem-fence", t_vgem_fence, S_WAIT,
	  "a pending vgem fence imported as a sync_file makes waits time out (ETIME, lasting their timeout) and a blocking wait sleep until another thread signals it",
	  "syncobj.wait", "drm_syncobj_import_sync_file_fence(), drm_syncobj_array_wait_timeout()" },
	{ "vgem-timeline", t_vgem_timeline, S_QUERY,
	  "a pending vgem fence transferred to timeline point 5: QUERY says 3 (5 submitted) and point 0 waits for it until it signals",
	  "syncobj.query,syncobj.wait", "drm_syncobj_transfer_to_timeline(), drm_syncobj_query_ioctl()" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "syncobj", cases, HILT_ARRAY_SIZE(cases));
}
