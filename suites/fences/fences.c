// SPDX-License-Identifier: MIT
/*
 * fences: vgem's fence ioctls (DRM_IOCTL_VGEM_FENCE_ATTACH / FENCE_SIGNAL),
 * the only dma_fences user space can create and signal by hand on a kernel
 * without CONFIG_SW_SYNC, and the implicit fence they put in the buffer's
 * reservation object, seen through poll(2) on the exported dma-buf.
 *
 * Every case works on its own vgem fd (fu_vbuf_new, released by the case
 * runner): closing it makes vgem signal whatever is still pending, so a
 * failed case leaves nothing behind. vgem fences expire by themselves after
 * 10 s (VGEM_FENCE_TIMEOUT in drivers/gpu/drm/vgem/vgem_fence.c): the
 * lifetime suite waits that out; every case here takes milliseconds.
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "fence-util.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ATTACH "DRM_IOCTL_VGEM_FENCE_ATTACH"
#define SIGNAL "DRM_IOCTL_VGEM_FENCE_SIGNAL"

/* The vgem node, or a skip: vgem is a module and may not be loaded. */
static struct hilt_dev *need_vgem(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = fu_vgem();

	if (!vgem)
		hilt_skip(ctx, "no vgem card node in /dev/dri (vgem module not loaded)");
	return vgem;
}

/* Opens a private vgem buffer (exported when asked); fails the case if it cannot. */
static bool open_buf(struct hilt_ctx *ctx, struct hilt_dev *vgem, bool export, struct fu_vbuf *b)
{
	int ret = fu_vbuf_new(ctx, vgem, export, b);

	if (ret)
		hilt_fail(ctx, "setting up a vgem buffer%s on %s failed: %s",
			  export ? " exported as a dma-buf" : "", vgem->node, hilt_errname(-ret));
	return !ret;
}

static bool attach(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct fu_vbuf *b,
		   uint32_t flags, uint32_t *fence)
{
	int ret = fu_vgem_attach(b->fd, b->bo.handle, flags, fence);
	struct hilt_json j;

	if (ret) {
		hilt_fail(ctx, "%s on %s with flags %#x on an idle buffer failed with %s; expected success",
			  ATTACH, vgem->node, flags, hilt_errname(-ret));
		return false;
	}
	hj_begin(&j);
	hj_dev(&j, vgem);
	hj_uint(&j, "flags", flags);
	hj_str(&j, "usage", flags & VGEM_FENCE_WRITE ? "write" : "read");
	hj_uint(&j, "out_fence", *fence);
	hilt_obs(ctx, "fence.attach", &j);
	if (*fence == 0) {
		hilt_fail(ctx, "%s on %s returned fence id 0; vgem ids start at 1", ATTACH, vgem->node);
		return false;
	}
	return true;
}

static bool signal_ok(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct fu_vbuf *b, uint32_t fence)
{
	int ret = fu_vgem_signal(b->fd, fence);

	if (ret)
		hilt_fail(ctx, "%s on %s of pending fence %u failed with %s; expected success",
			  SIGNAL, vgem->node, fence, hilt_errname(-ret));
	return !ret;
}

/* ---- FENCE_ATTACH ---- */

static void t_attach_read(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f1 = 0, f2 = 0;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	if (attach(ctx, vgem, &b, 0, &f1) && attach(ctx, vgem, &b, 0, &f2)) {
		if (f1 == f2)
			hilt_fail(ctx, "%s on %s gave the same fence id %u to two read fences",
				  ATTACH, vgem->node, f1);
		signal_ok(ctx, vgem, &b, f1);
		signal_ok(ctx, vgem, &b, f2);
	}
}

static void t_attach_write(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f1 = 0, f2 = 0;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	/* Once the first write fence is signalled, the buffer takes a new one. */
	if (attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f1) && signal_ok(ctx, vgem, &b, f1) &&
	    attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f2)) {
		if (f1 == f2)
			hilt_fail(ctx, "%s on %s reused fence id %u", ATTACH, vgem->node, f1);
		signal_ok(ctx, vgem, &b, f2);
	}
}

/* vgem_fence_attach_ioctl: a conflicting unsignalled fence on the buffer is -EBUSY. */
static void t_attach_busy_write(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f = 0, g = 0;
	int ret;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	if (attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f)) {
		ret = fu_vgem_attach(b.fd, b.bo.handle, VGEM_FENCE_WRITE, &g);
		hilt_expect_errno(ctx, vgem, ATTACH,
				  "a second write fence on a buffer with an unsignalled write fence",
				  ret, -ret, EBUSY);
		ret = fu_vgem_attach(b.fd, b.bo.handle, 0, &g);
		hilt_expect_errno(ctx, vgem, ATTACH,
				  "a read fence on a buffer with an unsignalled write fence",
				  ret, -ret, EBUSY);
		/* After the signal the buffer is free again. */
		if (signal_ok(ctx, vgem, &b, f) && attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &g))
			signal_ok(ctx, vgem, &b, g);
	}
}

static void t_attach_busy_read(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f = 0, g = 0;
	int ret;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	if (attach(ctx, vgem, &b, 0, &f)) {
		ret = fu_vgem_attach(b.fd, b.bo.handle, VGEM_FENCE_WRITE, &g);
		hilt_expect_errno(ctx, vgem, ATTACH,
				  "a write fence on a buffer with an unsignalled read fence",
				  ret, -ret, EBUSY);
		if (signal_ok(ctx, vgem, &b, f) && attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &g))
			signal_ok(ctx, vgem, &b, g);
	}
}

static void t_attach_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct drm_vgem_fence_attach arg;
	struct fu_vbuf b;
	int ret;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	/* Each refused call would have attached a fence: close(2) cleans up if one did. */
	arg = (struct drm_vgem_fence_attach){ .handle = b.bo.handle, .flags = 0x2 };
	ret = hilt_ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg);
	hilt_expect_errno(ctx, vgem, ATTACH, "flags 0x2 (only VGEM_FENCE_WRITE is defined)",
			  ret, errno, EINVAL);
	arg = (struct drm_vgem_fence_attach){ .handle = b.bo.handle, .flags = ~0u };
	ret = hilt_ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg);
	hilt_expect_errno(ctx, vgem, ATTACH, "flags 0xffffffff", ret, errno, EINVAL);
	arg = (struct drm_vgem_fence_attach){ .handle = b.bo.handle, .pad = 1 };
	ret = hilt_ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg);
	hilt_expect_errno(ctx, vgem, ATTACH, "pad 1", ret, errno, EINVAL);
	arg = (struct drm_vgem_fence_attach){ .handle = b.bo.handle + 1000 };
	ret = hilt_ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg);
	hilt_expect_errno(ctx, vgem, ATTACH, "a GEM handle that does not exist", ret, errno, ENOENT);
	arg = (struct drm_vgem_fence_attach){ .handle = 0 };
	ret = hilt_ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg);
	hilt_expect_errno(ctx, vgem, ATTACH, "GEM handle 0", ret, errno, ENOENT);
}

/* ---- FENCE_SIGNAL ---- */

/* A signalled write fence no longer conflicts: the next write attach succeeds. */
static void t_signal(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f = 0, g = 0;
	int ret;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	if (attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f) && signal_ok(ctx, vgem, &b, f)) {
		ret = fu_vgem_attach(b.fd, b.bo.handle, VGEM_FENCE_WRITE, &g);
		if (ret)
			hilt_fail(ctx, "%s on %s after %s of the only fence failed with %s: the fence did not signal",
				  ATTACH, vgem->node, SIGNAL, hilt_errname(-ret));
		else
			signal_ok(ctx, vgem, &b, g);
	}
}

static void t_signal_unknown(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f = 0;
	int ret;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	ret = fu_vgem_signal(b.fd, 0);
	hilt_expect_errno(ctx, vgem, SIGNAL, "fence id 0 (ids start at 1)", ret, -ret, ENOENT);
	ret = fu_vgem_signal(b.fd, 0x7fffffff);
	hilt_expect_errno(ctx, vgem, SIGNAL, "fence id 0x7fffffff, never allocated", ret, -ret, ENOENT);
	if (attach(ctx, vgem, &b, 0, &f)) {
		ret = fu_vgem_signal(b.fd, f + 1);
		hilt_expect_errno(ctx, vgem, SIGNAL, "the id after the last one allocated", ret, -ret, ENOENT);
		signal_ok(ctx, vgem, &b, f);
	}
}

/* Fences are per open file: another fd's id is unknown here. */
static void t_signal_other_file(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf a, b;
	uint32_t f = 0;
	int ret;

	if (!vgem || !open_buf(ctx, vgem, false, &a))
		return;
	if (open_buf(ctx, vgem, false, &b) && attach(ctx, vgem, &a, VGEM_FENCE_WRITE, &f)) {
		ret = fu_vgem_signal(b.fd, f);
		hilt_expect_errno(ctx, vgem, SIGNAL,
				  "a fence id attached through another open file of the device",
				  ret, -ret, ENOENT);
		signal_ok(ctx, vgem, &a, f);
	}
}

static void t_signal_twice(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f = 0;
	int ret;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	if (attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f) && signal_ok(ctx, vgem, &b, f)) {
		ret = fu_vgem_signal(b.fd, f);
		hilt_expect_errno(ctx, vgem, SIGNAL, "a fence id already signalled", ret, -ret, ENOENT);
	}
}

static void t_signal_invalid_flags(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct drm_vgem_fence_signal arg;
	struct fu_vbuf b;
	uint32_t f = 0;
	int ret;

	if (!vgem || !open_buf(ctx, vgem, false, &b))
		return;
	if (attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f)) {
		arg = (struct drm_vgem_fence_signal){ .fence = f, .flags = 1 };
		ret = hilt_ioctl(b.fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &arg);
		hilt_expect_errno(ctx, vgem, SIGNAL, "flags 1 (no flag is defined)", ret, errno, EINVAL);
		/* The refused call left the fence pending and signalable. */
		signal_ok(ctx, vgem, &b, f);
	}
}

/* ---- the implicit fence through the dma-buf's poll(2) ---- */

/*
 * dma_buf_poll(): POLLIN waits for the write fences, POLLOUT for all of them.
 * Records what poll said; fails if it differs from what dma-buf promises.
 */
static void check_poll(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct fu_vbuf *b,
		       const char *usage, const char *stage, bool want_in, bool want_out)
{
	int rev = fu_poll(b->dmabuf, POLLIN | POLLOUT, 0);
	struct hilt_json j;

	if (rev < 0) {
		hilt_fail(ctx, "poll(2) on a dma-buf exported from %s failed: %s", vgem->node,
			  hilt_errname(-rev));
		return;
	}
	hj_begin(&j);
	hj_dev(&j, vgem);
	hj_str(&j, "usage", usage);
	hj_str(&j, "stage", stage);
	hj_int(&j, "revents", rev);
	hj_bool(&j, "pollin", rev & POLLIN);
	hj_bool(&j, "pollout", rev & POLLOUT);
	hilt_obs(ctx, "fence.poll", &j);
	if (!!(rev & POLLIN) != want_in || !!(rev & POLLOUT) != want_out)
		hilt_fail(ctx, "poll(2) on the dma-buf of %s with a %s %s fence: revents %#x; expected POLLIN %s, POLLOUT %s",
			  vgem->node, stage, usage, rev, want_in ? "set" : "clear", want_out ? "set" : "clear");
}

static void t_dmabuf_poll_write(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f = 0;

	if (!vgem || !open_buf(ctx, vgem, true, &b))
		return;
	check_poll(ctx, vgem, &b, "none", "idle", true, true);
	if (attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f)) {
		check_poll(ctx, vgem, &b, "write", "pending", false, false);
		if (signal_ok(ctx, vgem, &b, f))
			check_poll(ctx, vgem, &b, "write", "signalled", true, true);
	}
}

static void t_dmabuf_poll_read(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f = 0;

	if (!vgem || !open_buf(ctx, vgem, true, &b))
		return;
	if (attach(ctx, vgem, &b, 0, &f)) {
		check_poll(ctx, vgem, &b, "read", "pending", true, false);
		if (signal_ok(ctx, vgem, &b, f))
			check_poll(ctx, vgem, &b, "read", "signalled", true, true);
	}
}

struct signal_arg {
	int fd;
	uint32_t fence;
};

static int signal_later(void *p)
{
	struct signal_arg *a = p;

	return fu_vgem_signal(a->fd, a->fence);
}

/*
 * A poll(2) blocked on the dma-buf wakes up when the fence signals: the
 * helper signals only once this thread is seen asleep in poll, 20 ms later.
 */
static void t_dmabuf_poll_wakeup(struct hilt_ctx *ctx)
{
	static const long polls[] = { SYS_poll, SYS_ppoll };
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_blocker blocker;
	struct signal_arg s;
	struct fu_vbuf b;
	int64_t t0, t1;
	uint32_t f = 0;
	int rev, ret;

	if (!vgem || !open_buf(ctx, vgem, true, &b) || !attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f))
		return;
	s = (struct signal_arg){ .fd = b.fd, .fence = f };
	t0 = fu_now_ns();
	/* The fence is unsignalled as the wait begins: nobody else can signal it. */
	check_poll(ctx, vgem, &b, "write", "pending", false, false);
	ret = fu_blocker_start(&blocker, polls, HILT_ARRAY_SIZE(polls), 20, signal_later, &s);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		return;
	}
	rev = fu_poll(b.dmabuf, POLLIN, FU_WAKE_TIMEOUT_MS);
	t1 = fu_now_ns();
	fu_blocker_waited(&blocker);
	fu_blocker_join(&blocker);
	if (fu_signal_failed(&blocker))
		hilt_fail(ctx, "%s on %s from a second thread failed with %s", SIGNAL, vgem->node,
			  hilt_errname(-blocker.ret));
	else if (rev < 0)
		hilt_fail(ctx, "poll(2) on the dma-buf of %s failed: %s", vgem->node, hilt_errname(-rev));
	else if (!(rev & POLLIN))
		hilt_fail(ctx, "poll(2) on the dma-buf of %s did not wake within 15 s of the write fence being signalled (revents %#x)",
			  vgem->node, rev);
	else
		fu_blocker_check(ctx, &blocker, t0, t1, "poll(POLLIN) on a dma-buf with a pending vgem write fence");
}

/* vgem_fence_close(): closing the vgem file signals the fences it still holds. */
static void t_close_signals(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_vbuf b;
	uint32_t f = 0;

	if (!vgem || !open_buf(ctx, vgem, true, &b))
		return;
	if (attach(ctx, vgem, &b, VGEM_FENCE_WRITE, &f)) {
		check_poll(ctx, vgem, &b, "write", "pending", false, false);
		hilt_close(ctx, &b.fd);	/* the dma-buf keeps the buffer alive */
		check_poll(ctx, vgem, &b, "write", "signalled", true, true);
	}
}

#define K_ATTACH "vgem_fence_attach_ioctl()"
#define K_SIGNAL "vgem_fence_signal_ioctl()"

static const struct hilt_case cases[] = {
	{ "attach-read", t_attach_read, ATTACH,
	  "two read fences (flags 0) attach to one buffer with distinct non-zero ids and signal",
	  "fence.attach", K_ATTACH ", " K_SIGNAL },
	{ "attach-write", t_attach_write, ATTACH,
	  "a write fence (VGEM_FENCE_WRITE) attaches, signals, and a new one attaches after it",
	  "fence.attach", K_ATTACH ", " K_SIGNAL },
	{ "attach-busy-write", t_attach_busy_write, ATTACH,
	  "a write or read fence on a buffer with an unsignalled write fence is refused with EBUSY",
	  "fence.attach,ioctl.errno", K_ATTACH ", dma_resv_test_signaled()" },
	{ "attach-busy-read", t_attach_busy_read, ATTACH,
	  "a write fence on a buffer with an unsignalled read fence is refused with EBUSY",
	  "fence.attach,ioctl.errno", K_ATTACH ", dma_resv_test_signaled()" },
	{ "attach-invalid", t_attach_invalid, ATTACH,
	  "undefined flags and non-zero pad are refused with EINVAL, unknown GEM handles with ENOENT",
	  "ioctl.errno", K_ATTACH ", drm_gem_object_lookup()" },
	{ "signal", t_signal, SIGNAL,
	  "FENCE_SIGNAL signals a write fence: the buffer accepts a new write fence",
	  "fence.attach", K_SIGNAL },
	{ "signal-unknown", t_signal_unknown, SIGNAL,
	  "fence ids never allocated (0, past the last, 0x7fffffff) are refused with ENOENT",
	  "fence.attach,ioctl.errno", K_SIGNAL },
	{ "signal-other-file", t_signal_other_file, SIGNAL,
	  "a fence id from another open file of the device is refused with ENOENT",
	  "fence.attach,ioctl.errno", K_SIGNAL },
	{ "signal-twice", t_signal_twice, SIGNAL,
	  "signalling an already signalled fence id is refused with ENOENT",
	  "fence.attach,ioctl.errno", K_SIGNAL },
	{ "signal-invalid-flags", t_signal_invalid_flags, SIGNAL,
	  "non-zero flags are refused with EINVAL and leave the fence pending",
	  "fence.attach,ioctl.errno", K_SIGNAL },
	{ "dmabuf-poll-write", t_dmabuf_poll_write, "poll(2)",
	  "the exported dma-buf polls neither POLLIN nor POLLOUT while a write fence is pending, both after it signals",
	  "fence.attach,fence.poll", "dma_buf_poll()" },
	{ "dmabuf-poll-read", t_dmabuf_poll_read, "poll(2)",
	  "the exported dma-buf polls POLLIN but not POLLOUT while a read fence is pending, both after it signals",
	  "fence.attach,fence.poll", "dma_buf_poll()" },
	{ "dmabuf-poll-wakeup", t_dmabuf_poll_wakeup, "poll(2)",
	  "a poll(2) on the dma-buf of a buffer with a pending write fence sleeps in the kernel until another thread signals the fence, then returns POLLIN",
	  "fence.attach,fence.poll", "dma_buf_poll(), dma_buf_poll_cb()" },
	{ "close-signals", t_close_signals, "close(2)",
	  "closing the vgem file signals its pending fences: the dma-buf then polls ready",
	  "fence.attach,fence.poll", "vgem_postclose(), vgem_fence_close()" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "fences", cases, HILT_ARRAY_SIZE(cases));
}
