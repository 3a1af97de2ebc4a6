// SPDX-License-Identifier: MIT
/*
 * sync-file: sync_file fds (drivers/dma-buf/sync_file.c) exported from
 * dma-bufs (DMA_BUF_IOCTL_EXPORT_SYNC_FILE on a vgem buffer with vgem fences)
 * and from syncobjs (DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE):
 * SYNC_IOC_FILE_INFO, SYNC_IOC_MERGE, SYNC_IOC_SET_DEADLINE, poll(2), the
 * import back into a dma-buf, many waiters on one sync_file, a fence that
 * signals with an error (sw_sync, where the kernel has it), and misuse
 * refused with the kernel's errno.
 *
 * Every vgem buffer lives on its own vgem fd (fu_pending_new), released by
 * the case runner: closing it signals whatever fence a failed case left
 * pending.
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "fence-util.h"
#include "sync-file-uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FILE_INFO	"SYNC_IOC_FILE_INFO"
#define MERGE		"SYNC_IOC_MERGE"
#define SET_DEADLINE	"SYNC_IOC_SET_DEADLINE"
#define EXPORT		"DMA_BUF_IOCTL_EXPORT_SYNC_FILE"
#define IMPORT		"DMA_BUF_IOCTL_IMPORT_SYNC_FILE"

#define MAX_FENCES	8
#define NO_FENCE	UINT32_MAX	/* fu_pending without a fence: see src_new() */

static struct hilt_dev *need_vgem(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = fu_vgem();

	if (!vgem)
		hilt_skip(ctx, "no vgem card node in /dev/dri (vgem module not loaded)");
	return vgem;
}

/*
 * A vgem buffer, exported, with a pending fence (fence_flags: 0 read,
 * VGEM_FENCE_WRITE write) or none (NO_FENCE). Fails the case if it cannot.
 */
static bool src_new(struct hilt_ctx *ctx, struct hilt_dev *vgem, uint32_t fence_flags, struct fu_pending *s)
{
	int ret;

	if (fence_flags == NO_FENCE) {
		s->fence = 0;
		s->sync_fd = -1;
		ret = fu_vbuf_new(ctx, vgem, true, &s->buf);
	} else {
		ret = fu_pending_new(ctx, vgem, fence_flags, 0, s);
	}
	if (ret)
		hilt_fail(ctx, "setting up a vgem buffer%s on %s failed: %s",
			  fence_flags != NO_FENCE ? " with a pending fence" : "", vgem->node, hilt_errname(-ret));
	return !ret;
}

static bool src_signal(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct fu_pending *s)
{
	int ret = fu_pending_signal(s);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL on %s failed: %s", vgem->node, hilt_errname(-ret));
	return !ret;
}

/*
 * EXPORT_SYNC_FILE, registered for cleanup. A kernel without the ioctl
 * (before 6.0: ENOTTY from dma_buf_ioctl()) is a skip; any other failure fails.
 */
static int export_sf(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct fu_pending *s, uint32_t flags)
{
	int fd = -1;
	int ret = fu_dmabuf_export_sync_file(s->buf.dmabuf, flags, &fd);

	if (ret == -ENOTTY) {
		hilt_skip(ctx, "this kernel has no " EXPORT " (dma_buf_ioctl() answers ENOTTY; Linux 6.0 added it)");
		return -1;
	}
	if (ret) {
		hilt_fail(ctx, "%s (flags %#x) on a dma-buf of %s failed: %s", EXPORT, flags, vgem->node,
			  hilt_errname(-ret));
		return -1;
	}
	return hilt_defer_close(ctx, fd);
}

/*
 * SYNC_IOC_FILE_INFO with its fence array, recorded as a syncfile.info
 * observation. stage: "pending" (a fence must be unsignalled: status 0),
 * "signalled" or "idle" (status 1), "error" (status negative).
 * want_fences > 0: that many fences. Fails the case when the file disagrees;
 * returns the file status or -100.
 */
static int info_check(struct hilt_ctx *ctx, struct hilt_dev *dev, const char *source,
		      const char *stage, int fd, int want_fences, struct sync_file_info *out)
{
	struct sync_fence_info fences[MAX_FENCES];
	struct sync_file_info info;
	int ret = fu_sync_info(fd, &info, fences, MAX_FENCES);
	bool pending = !strcmp(stage, "pending"), error = !strcmp(stage, "error");
	struct hilt_json j;

	if (ret) {
		hilt_fail(ctx, "%s on a sync_file from %s (%s) failed: %s", FILE_INFO, source,
			  dev ? dev->node : "sw_sync", hilt_errname(-ret));
		return -100;
	}
	hj_begin(&j);
	if (dev)
		hj_dev(&j, dev);
	hj_str(&j, "source", source);
	hj_str(&j, "stage", stage);
	hj_strn(&j, "name", info.name, sizeof(info.name));
	hj_int(&j, "status", info.status);
	hj_uint(&j, "num_fences", info.num_fences);
	hj_arr(&j, "fences");
	for (uint32_t i = 0; i < info.num_fences; i++) {
		hj_obj(&j, NULL);
		hj_strn(&j, "obj_name", fences[i].obj_name, sizeof(fences[i].obj_name));
		hj_strn(&j, "driver_name", fences[i].driver_name, sizeof(fences[i].driver_name));
		hj_int(&j, "status", fences[i].status);
		hj_uint(&j, "timestamp_ns", fences[i].timestamp_ns);
		hj_close_obj(&j);
	}
	hj_close_arr(&j);
	hilt_obs(ctx, "syncfile.info", &j);
	if (out)
		*out = info;

	if (error ? info.status >= 0 : info.status != (pending ? 0 : 1))
		hilt_fail(ctx, "%s on a %s sync_file from %s: status %d; expected %s", FILE_INFO,
			  stage, source, info.status, error ? "a negative errno" : pending ? "0" : "1");
	else if (want_fences > 0 && info.num_fences != (uint32_t)want_fences)
		hilt_fail(ctx, "%s on a sync_file from %s: %u fences; expected %d", FILE_INFO,
			  source, info.num_fences, want_fences);
	for (uint32_t i = 0; i < info.num_fences; i++) {
		if (!fences[i].driver_name[0] || !fences[i].obj_name[0])
			hilt_fail(ctx, "%s on a sync_file from %s: fence %u has an empty driver or timeline name",
				  FILE_INFO, source, i);
		if ((fences[i].status == 0) != (fences[i].timestamp_ns == 0))
			hilt_fail(ctx, "%s on a sync_file from %s: fence %u has status %d and timestamp %llu",
				  FILE_INFO, source, i, fences[i].status,
				  (unsigned long long)fences[i].timestamp_ns);
	}
	return info.status;
}

/* poll(2) without waiting, recorded as syncfile.poll, POLLIN judged against stage. */
static void poll_check(struct hilt_ctx *ctx, struct hilt_dev *dev, const char *source,
		       const char *stage, int fd)
{
	int rev = fu_poll(fd, POLLIN, 0);
	bool want = strcmp(stage, "pending") != 0;
	struct hilt_json j;

	if (rev < 0) {
		hilt_fail(ctx, "poll(2) on a sync_file from %s (%s) failed: %s", source, dev->node,
			  hilt_errname(-rev));
		return;
	}
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "source", source);
	hj_str(&j, "stage", stage);
	hj_int(&j, "revents", rev);
	hj_bool(&j, "pollin", rev & POLLIN);
	hilt_obs(ctx, "syncfile.poll", &j);
	if (!!(rev & POLLIN) != want)
		hilt_fail(ctx, "poll(2) on a %s sync_file from %s (%s): revents %#x; expected POLLIN %s",
			  stage, source, dev->node, rev, want ? "set" : "clear");
}

/* SYNC_IOC_MERGE; the new fd is registered for cleanup. */
static int merge(struct hilt_ctx *ctx, int fd, int fd2, const char *name, uint32_t flags, uint32_t pad, int *out)
{
	struct sync_merge_data m = { .fd2 = fd2, .flags = flags, .pad = pad, .fence = -1 };
	int ret;

	snprintf(m.name, sizeof(m.name), "%s", name);
	ret = fu_err(ioctl(fd, SYNC_IOC_MERGE, &m));
	if (!ret)
		*out = hilt_defer_close(ctx, m.fence);
	return ret;
}

/* ---- FILE_INFO on sync files exported from dma-bufs ---- */

static void t_info_pending(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_pending s;
	int sf;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &s))
		return;
	/* DMA_BUF_SYNC_READ: what a reader waits for, the write fences. */
	sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ);
	if (sf < 0)
		return;
	info_check(ctx, vgem, "dma-buf", "pending", sf, 1, NULL);
	poll_check(ctx, vgem, "dma-buf", "pending", sf);
	if (src_signal(ctx, vgem, &s)) {
		info_check(ctx, vgem, "dma-buf", "signalled", sf, 1, NULL);
		poll_check(ctx, vgem, "dma-buf", "signalled", sf);
	}
}

static void t_info_idle(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_pending s;
	int sf;

	if (!vgem || !src_new(ctx, vgem, NO_FENCE, &s))
		return;
	/* No fence: the kernel hands out an already signalled stub. */
	sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_RW);
	if (sf >= 0)
		info_check(ctx, vgem, "dma-buf", "idle", sf, 0, NULL);
}

/* Read fences: a writer (DMA_BUF_SYNC_WRITE) waits for them, a reader does not. */
static void t_info_read_fences(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	uint32_t f2 = 0;
	struct fu_pending s;
	int sw, sr, ret;

	if (!vgem || !src_new(ctx, vgem, 0, &s))
		return;
	ret = fu_vgem_attach(s.buf.fd, s.buf.bo.handle, 0, &f2);
	if (ret) {
		hilt_fail(ctx, "a second read fence on %s failed: %s", vgem->node, hilt_errname(-ret));
		return;
	}
	if ((sw = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_WRITE)) < 0 ||
	    (sr = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ)) < 0)
		return;
	info_check(ctx, vgem, "dma-buf", "pending", sw, 2, NULL);
	info_check(ctx, vgem, "dma-buf", "idle", sr, 0, NULL);
	if (src_signal(ctx, vgem, &s) && !fu_vgem_signal(s.buf.fd, f2))
		info_check(ctx, vgem, "dma-buf", "signalled", sw, 2, NULL);
}

/* ---- sync files exported from syncobjs ---- */

static bool syncobj_node(struct hilt_ctx *ctx, struct hilt_dev *dev, int *fd)
{
	uint64_t v = 0;

	*fd = -1;
	if (hilt_get_cap(dev, DRM_CAP_SYNCOBJ, &v) || !v) {
		hilt_skip(ctx, "%s (%s) does not advertise DRM_CAP_SYNCOBJ", dev->node, dev->driver);
		return false;
	}
	*fd = fu_open(ctx, dev);
	if (*fd < 0)
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(-*fd));
	return *fd >= 0;
}

static int syncobj_export(struct hilt_ctx *ctx, int fd, uint32_t h, int *sf)
{
	struct drm_syncobj_handle a = {
		.handle = h, .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, .fd = -1,
	};
	int ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a));

	if (!ret)
		*sf = hilt_defer_close(ctx, a.fd);
	return ret;
}

/* A syncobj on fd whose fence is the sync_file's (IMPORT_SYNC_FILE into a new syncobj). */
static int syncobj_import(int fd, int sf, uint32_t *h)
{
	struct drm_syncobj_create c = { 0 };
	struct drm_syncobj_handle imp;
	int ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c));

	if (ret)
		return ret;
	imp = (struct drm_syncobj_handle){
		.handle = c.handle, .flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, .fd = sf,
	};
	*h = c.handle;
	return fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &imp));
}

static void info_syncobj_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct drm_syncobj_create c = { .flags = DRM_SYNCOBJ_CREATE_SIGNALED };
	int fd, sf = -1, ret;

	if (!syncobj_node(ctx, dev, &fd))
		return;
	ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c));
	if (!ret)
		ret = syncobj_export(ctx, fd, c.handle, &sf);
	if (ret)
		hilt_fail(ctx, "a signalled syncobj exported as a sync_file on %s: %s", dev->node,
			  hilt_errname(-ret));
	else
		info_check(ctx, dev, "syncobj", "signalled", sf, 1, NULL);
}

static void t_info_syncobj(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER), info_syncobj_one);
}

/* A pending vgem fence through a syncobj and back out as a sync_file. */
static void info_syncobj_pending_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	int fd, sf = -1, in, ret;
	struct fu_pending s;
	uint32_t h = 0;

	if (!vgem || !syncobj_node(ctx, dev, &fd) || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &s) ||
	    (in = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ)) < 0)
		return;
	ret = syncobj_import(fd, in, &h);
	if (!ret)
		ret = syncobj_export(ctx, fd, h, &sf);
	if (ret) {
		hilt_fail(ctx, "a pending vgem fence through a syncobj on %s: %s", dev->node, hilt_errname(-ret));
		return;
	}
	info_check(ctx, dev, "syncobj", "pending", sf, 1, NULL);
	poll_check(ctx, dev, "syncobj", "pending", sf);
	if (src_signal(ctx, vgem, &s)) {
		info_check(ctx, dev, "syncobj", "signalled", sf, 1, NULL);
		poll_check(ctx, dev, "syncobj", "signalled", sf);
	}
}

static void t_info_syncobj_pending(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER),
			 info_syncobj_pending_one);
}

/* ---- MERGE ---- */

static void t_merge(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct sync_file_info info;
	struct fu_pending a, b;
	int sa, sb, sm = -1, ret;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &a) || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &b) ||
	    (sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ)) < 0 ||
	    (sb = export_sf(ctx, vgem, &b, DMA_BUF_SYNC_READ)) < 0)
		return;
	ret = merge(ctx, sa, sb, "hilt-merge", 0, 0, &sm);
	if (ret) {
		hilt_fail(ctx, "%s of two pending sync_files from %s failed: %s", MERGE, vgem->node,
			  hilt_errname(-ret));
		return;
	}
	if (info_check(ctx, vgem, "merge", "pending", sm, 2, &info) >= 0 &&
	    strncmp(info.name, "hilt-merge", sizeof(info.name)))
		hilt_fail(ctx, "%s: the merged sync_file is named '%.32s'; expected the name given, 'hilt-merge'",
			  MERGE, info.name);
	poll_check(ctx, vgem, "merge", "pending", sm);
	/* One of two signalled: the merged file is still pending. */
	if (!src_signal(ctx, vgem, &a))
		return;
	info_check(ctx, vgem, "dma-buf", "signalled", sa, 1, NULL);
	info_check(ctx, vgem, "merge", "pending", sm, 2, NULL);
	poll_check(ctx, vgem, "merge", "pending", sm);
	if (!src_signal(ctx, vgem, &b))
		return;
	info_check(ctx, vgem, "merge", "signalled", sm, 2, NULL);
	poll_check(ctx, vgem, "merge", "signalled", sm);
}

/* Fences of one context collapse into one: a file merged with itself has one fence. */
static void t_merge_same(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_pending a;
	int sa, sm = -1, ret;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &a) ||
	    (sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ)) < 0)
		return;
	ret = merge(ctx, sa, sa, "hilt-self", 0, 0, &sm);
	if (ret)
		hilt_fail(ctx, "%s of a sync_file with itself failed: %s", MERGE, hilt_errname(-ret));
	else
		info_check(ctx, vgem, "merge", "pending", sm, 1, NULL);
}

/* ---- poll(2) ---- */

static const long poll_syscalls[] = { SYS_poll, SYS_ppoll };

/*
 * A poll(2) blocked on a sync_file sleeps until another thread signals its
 * fence (the helper signals 20 ms after it sees this thread asleep in poll).
 */
static void t_poll(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_blocker blocker;
	struct fu_pending s;
	int64_t t0, t1;
	int sf, rev, ret;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &s) ||
	    (sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ)) < 0)
		return;
	t0 = fu_now_ns();
	poll_check(ctx, vgem, "dma-buf", "pending", sf);
	ret = fu_blocker_start(&blocker, poll_syscalls, HILT_ARRAY_SIZE(poll_syscalls), 20,
			       fu_signal_pending, &s);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		return;
	}
	rev = fu_poll(sf, POLLIN, FU_WAKE_TIMEOUT_MS);
	t1 = fu_now_ns();
	fu_blocker_waited(&blocker);
	fu_blocker_join(&blocker);
	if (fu_signal_failed(&blocker))
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL from a second thread failed: %s",
			  hilt_errname(-blocker.ret));
	else if (rev < 0 || !(rev & POLLIN))
		hilt_fail(ctx, "poll(2) on a sync_file from %s did not report POLLIN within 15 s of its fence signalling (%d)",
			  vgem->node, rev);
	else
		fu_blocker_check(ctx, &blocker, t0, t1, "poll(POLLIN) on a sync_file of a pending vgem fence");
	poll_check(ctx, vgem, "dma-buf", "signalled", sf);
}

/* ---- many waiters on one sync_file ---- */

#define CONSUMERS 4

struct consumer {
	pthread_t thread;
	int fd;
	int rev;
	pid_t tid;
	volatile int ready;
	int64_t woke_ns;
};

static void *consumer_main(void *p)
{
	struct consumer *c = p;

	c->tid = fu_gettid();
	__atomic_store_n(&c->ready, 1, __ATOMIC_SEQ_CST);
	c->rev = fu_poll(c->fd, POLLIN, FU_WAKE_TIMEOUT_MS);
	__atomic_store_n(&c->woke_ns, fu_now_ns(), __ATOMIC_SEQ_CST);
	return NULL;
}

/*
 * One sync_file, many consumers: threads polling dups of it, a second
 * sync_file merged from it, a syncobj and another dma-buf it was imported
 * into. All of them wait while the vgem fence is pending and are released
 * by its one signal.
 */
static void t_many_consumers(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx), *so = NULL, *all;
	struct consumer c[CONSUMERS];
	struct fu_pending s, other;
	int sf, sm = -1, so_fd = -1, so_sf = -1, ret, started = 0;
	uint32_t h = 0;
	int64_t signal_ns;
	size_t n;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &s) || !src_new(ctx, vgem, NO_FENCE, &other) ||
	    (sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ)) < 0)
		return;
	/* Consumers that are not threads: a merge, another dma-buf, a syncobj where a node has them. */
	if (merge(ctx, sf, sf, "hilt-consumer", 0, 0, &sm))
		hilt_fail(ctx, "%s of the sync_file with itself failed", MERGE);
	ret = fu_dmabuf_import_sync_file(other.buf.dmabuf, sf, DMA_BUF_SYNC_WRITE);
	if (ret)
		hilt_fail(ctx, "%s(WRITE) of the sync_file into another dma-buf failed: %s", IMPORT,
			  hilt_errname(-ret));
	n = hilt_devices(&all);
	for (size_t i = 0; i < n && !so; i++) {
		uint64_t v = 0;

		if (all[i].fd >= 0 && !hilt_get_cap(&all[i], DRM_CAP_SYNCOBJ, &v) && v)
			so = &all[i];
	}
	if (so && (so_fd = fu_open(ctx, so)) >= 0) {
		ret = syncobj_import(so_fd, sf, &h);
		if (!ret)
			ret = syncobj_export(ctx, so_fd, h, &so_sf);
		if (ret)
			hilt_fail(ctx, "the sync_file through a syncobj on %s: %s", so->node, hilt_errname(-ret));
	}
	for (int i = 0; i < CONSUMERS; i++) {
		c[i] = (struct consumer){ .fd = hilt_defer_close(ctx, fcntl(sf, F_DUPFD_CLOEXEC, 0)), .rev = -1 };
		if (c[i].fd < 0 || pthread_create(&c[i].thread, NULL, consumer_main, &c[i])) {
			hilt_fail(ctx, "starting consumer thread %d failed", i);
			break;
		}
		started++;
	}
	/* Every consumer thread asleep in poll before the signal (10 s at most). */
	for (int i = 0; i < started; i++) {
		int64_t give_up = fu_now_ns() + 10000000000LL;

		while (!(__atomic_load_n(&c[i].ready, __ATOMIC_SEQ_CST) && fu_thread_asleep(c[i].tid)) &&
		       !__atomic_load_n(&c[i].woke_ns, __ATOMIC_SEQ_CST) && fu_now_ns() < give_up)
			fu_sleep_ms(1);
		if (!fu_thread_asleep(c[i].tid))
			hilt_fail(ctx, "consumer thread %d is not asleep in poll(2) on the pending sync_file", i);
	}
	if (sm >= 0)
		info_check(ctx, vgem, "merge", "pending", sm, 1, NULL);
	if (fu_poll(other.buf.dmabuf, POLLOUT, 0) != 0)
		hilt_fail(ctx, "another dma-buf given the pending fence by %s polls ready", IMPORT);
	if (so_sf >= 0)
		info_check(ctx, so, "syncobj", "pending", so_sf, 1, NULL);
	signal_ns = fu_now_ns();
	src_signal(ctx, vgem, &s);
	for (int i = 0; i < started; i++) {
		pthread_join(c[i].thread, NULL);
		if (c[i].rev < 0 || !(c[i].rev & POLLIN))
			hilt_fail(ctx, "consumer thread %d: poll(2) returned %d, not POLLIN, within 15 s of the signal",
				  i, c[i].rev);
		else if (c[i].woke_ns < signal_ns)
			hilt_fail(ctx, "consumer thread %d woke before the fence was signalled", i);
	}
	if (sm >= 0)
		info_check(ctx, vgem, "merge", "signalled", sm, 1, NULL);
	if (fu_poll(other.buf.dmabuf, POLLOUT, 1000) != POLLOUT)
		hilt_fail(ctx, "another dma-buf given the fence by %s is not ready after the signal", IMPORT);
	if (so_sf >= 0)
		info_check(ctx, so, "syncobj", "signalled", so_sf, 1, NULL);
	hilt_diag(ctx, "%d threads, a merge, a dma-buf%s waited on one sync_file and were released by one signal",
		  started, so_sf >= 0 ? " and a syncobj" : "");
}

/* ---- SET_DEADLINE ---- */

static int set_deadline(int fd, uint64_t ns, uint64_t pad)
{
	struct hilt_sync_set_deadline d = { .deadline_ns = ns, .pad = pad };

	return fu_err(ioctl(fd, HILT_SYNC_IOC_SET_DEADLINE, &d));
}

/* A kernel without SET_DEADLINE (before 6.3) answers ENOTTY (sync_file_ioctl()): a skip. */
static bool deadline_supported(struct hilt_ctx *ctx, int sf)
{
	if (set_deadline(sf, (uint64_t)fu_now_ns() + 1000000000, 0) == -ENOTTY) {
		hilt_skip(ctx, "this kernel has no " SET_DEADLINE " (sync_file_ioctl() answers ENOTTY; Linux 6.3 added it)");
		return false;
	}
	return true;
}

static void t_set_deadline(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_pending a, b;
	int sa, sb, sm = -1, ret;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &a) || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &b) ||
	    (sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ)) < 0 ||
	    (sb = export_sf(ctx, vgem, &b, DMA_BUF_SYNC_READ)) < 0 || !deadline_supported(ctx, sa))
		return;
	if (merge(ctx, sa, sb, "hilt-deadline", 0, 0, &sm)) {
		hilt_fail(ctx, "%s of two pending sync_files on %s failed", MERGE, vgem->node);
		return;
	}
	/* A hint: accepted on pending, merged and signalled files alike, and in the past. */
	ret = set_deadline(sa, (uint64_t)fu_now_ns() + 1000000, 0);
	if (ret)
		hilt_fail(ctx, "%s 1 ms ahead on a pending sync_file failed: %s", SET_DEADLINE, hilt_errname(-ret));
	ret = set_deadline(sm, (uint64_t)fu_now_ns() + 1000000, 0);
	if (ret)
		hilt_fail(ctx, "%s on a merged sync_file failed: %s", SET_DEADLINE, hilt_errname(-ret));
	ret = set_deadline(sb, 1, 0);
	if (ret)
		hilt_fail(ctx, "%s with a deadline in the past failed: %s", SET_DEADLINE, hilt_errname(-ret));
	/* The hint must not signal anything. */
	info_check(ctx, vgem, "merge", "pending", sm, 2, NULL);
	if (src_signal(ctx, vgem, &a)) {
		ret = set_deadline(sa, (uint64_t)fu_now_ns() + 1000000, 0);
		if (ret)
			hilt_fail(ctx, "%s on a signalled sync_file failed: %s", SET_DEADLINE, hilt_errname(-ret));
	}
}

/* ---- a fence signalled with an error: sw_sync ---- */

/* drivers/dma-buf/sw_sync.c (CONFIG_SW_SYNC): a timeline in debugfs, fences on it by value. */
#define SW_SYNC_PATH "/sys/kernel/debug/sync/sw_sync"
struct hilt_sw_sync_create_fence_data {
	__u32 value;
	char name[32];
	__s32 fence;
};
#define HILT_SW_SYNC_IOC_CREATE_FENCE _IOWR('W', 0, struct hilt_sw_sync_create_fence_data)

/*
 * A sw_sync timeline closed with a fence still pending on it signals that
 * fence with -ENOENT (sw_sync_debugfs_release()). The error shows in
 * FILE_INFO (sync_fill_fence_info(): dma_fence_get_status()), in a merge made
 * while the fence was pending (the fence array takes the first error), and in
 * the sync_file a syncobj exports after importing it (the same fence).
 */
static void t_fence_error(struct hilt_ctx *ctx)
{
	struct hilt_sw_sync_create_fence_data cf = { .value = 1 };
	struct hilt_dev *vgem = need_vgem(ctx), *so = NULL, *all;
	int tl, sf, sm = -1, so_fd, so_sf = -1, va, ret;
	struct fu_pending s;
	uint32_t h;
	size_t n;

	if (!vgem)
		return;
	tl = open(SW_SYNC_PATH, O_RDWR | O_CLOEXEC);
	if (tl < 0) {
		hilt_skip_config(ctx, "CONFIG_SW_SYNC", "no " SW_SYNC_PATH);
		return;
	}
	hilt_defer_close(ctx, tl);
	snprintf(cf.name, sizeof(cf.name), "hilt-error");
	if (ioctl(tl, HILT_SW_SYNC_IOC_CREATE_FENCE, &cf)) {
		hilt_fail(ctx, "SW_SYNC_IOC_CREATE_FENCE at value 1 failed: %s", hilt_errname(errno));
		return;
	}
	sf = hilt_defer_close(ctx, cf.fence);
	if (!src_new(ctx, vgem, VGEM_FENCE_WRITE, &s) || (va = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ)) < 0)
		return;
	info_check(ctx, NULL, "sw_sync", "pending", sf, 1, NULL);
	if (merge(ctx, sf, va, "hilt-error-merge", 0, 0, &sm))
		hilt_fail(ctx, "%s of a pending sw_sync fence with a pending vgem fence failed", MERGE);
	n = hilt_devices(&all);
	for (size_t i = 0; i < n && !so; i++) {
		uint64_t v = 0;

		if (all[i].fd >= 0 && !hilt_get_cap(&all[i], DRM_CAP_SYNCOBJ, &v) && v)
			so = &all[i];
	}
	if (so && (so_fd = fu_open(ctx, so)) >= 0 && (ret = syncobj_import(so_fd, sf, &h)) == 0)
		syncobj_export(ctx, so_fd, h, &so_sf);
	/* Closing the timeline signals its pending fence with -ENOENT. */
	hilt_close(ctx, &tl);
	info_check(ctx, NULL, "sw_sync", "error", sf, 1, NULL);
	if (so_sf >= 0)
		info_check(ctx, so, "syncobj", "error", so_sf, 1, NULL);
	/*
	 * While the vgem fence is pending the merge's status depends on the order
	 * of its fences (sync_file_ioctl_fence_info() keeps the first status <= 0),
	 * so it is judged once both have signalled: the error wins.
	 */
	if (sm >= 0 && src_signal(ctx, vgem, &s))
		info_check(ctx, vgem, "merge", "error", sm, 2, NULL);
}

/* ---- misuse ---- */

static void t_set_deadline_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_pending s;
	int sf, ret;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &s) ||
	    (sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ)) < 0 || !deadline_supported(ctx, sf))
		return;
	/* sync_file_ioctl_set_deadline(): pad set is -EINVAL. */
	ret = set_deadline(sf, (uint64_t)fu_now_ns(), 1);
	hilt_expect_errno(ctx, vgem, SET_DEADLINE, "pad 1", ret, -ret, EINVAL);
}

static void t_file_info_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct sync_fence_info one[1];
	struct sync_file_info info;
	struct fu_pending a, b;
	int sa, sb, sm = -1, ret;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &a) || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &b) ||
	    (sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ)) < 0 ||
	    (sb = export_sf(ctx, vgem, &b, DMA_BUF_SYNC_READ)) < 0)
		return;
	if (merge(ctx, sa, sb, "hilt-two", 0, 0, &sm)) {
		hilt_fail(ctx, "%s of two pending sync_files on %s failed", MERGE, vgem->node);
		return;
	}
	/* sync_file_ioctl_fence_info(): flags or pad set, or num_fences below the count: -EINVAL. */
	info = (struct sync_file_info){ .flags = 1 };
	ret = fu_err(ioctl(sa, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "flags 1 (must be 0)", ret, -ret, EINVAL);
	info = (struct sync_file_info){ .pad = 1 };
	ret = fu_err(ioctl(sa, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "pad 1", ret, -ret, EINVAL);
	info = (struct sync_file_info){ .num_fences = 1, .sync_fence_info = (uint64_t)(uintptr_t)one };
	ret = fu_err(ioctl(sm, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "num_fences 1 for a sync_file of 2 fences", ret, -ret, EINVAL);
	/* copy_to_user() of the fence array faults: -EFAULT. */
	info = (struct sync_file_info){ .num_fences = 1, .sync_fence_info = 8 };
	ret = fu_err(ioctl(sa, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "a fence array pointer to unmapped memory", ret, -ret, EFAULT);
}

static void t_merge_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_pending s;
	int sf, out = -1, ev, ret;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &s) ||
	    (sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ)) < 0)
		return;
	/* sync_file_ioctl_merge(): fd2 that is not a sync_file (sync_file_fdget() fails) is -ENOENT. */
	ret = merge(ctx, sf, s.buf.dmabuf, "x", 0, 0, &out);
	hilt_expect_errno(ctx, vgem, MERGE, "fd2 a dma-buf, not a sync_file", ret, -ret, ENOENT);
	ret = merge(ctx, sf, -1, "x", 0, 0, &out);
	hilt_expect_errno(ctx, vgem, MERGE, "fd2 -1", ret, -ret, ENOENT);
	ev = hilt_defer_close(ctx, eventfd(0, EFD_CLOEXEC));
	if (ev >= 0) {
		ret = merge(ctx, sf, ev, "x", 0, 0, &out);
		hilt_expect_errno(ctx, vgem, MERGE, "fd2 an eventfd, not a sync_file", ret, -ret, ENOENT);
	}
	/* data.flags or data.pad set: -EINVAL. */
	ret = merge(ctx, sf, sf, "x", 1, 0, &out);
	hilt_expect_errno(ctx, vgem, MERGE, "flags 1 (must be 0)", ret, -ret, EINVAL);
	ret = merge(ctx, sf, sf, "x", 0, 1, &out);
	hilt_expect_errno(ctx, vgem, MERGE, "pad 1", ret, -ret, EINVAL);
}

static void t_unknown_ioctl(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct sync_file_info info = { 0 };
	struct fu_pending s;
	int sf, ret;

	if (!vgem || !src_new(ctx, vgem, NO_FENCE, &s) || (sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_RW)) < 0)
		return;
	/* sync_file_ioctl(): any other command is -ENOTTY. */
	ret = fu_err(ioctl(sf, _IO(SYNC_IOC_MAGIC, 0x7f), NULL));
	hilt_expect_errno(ctx, vgem, "_IO(SYNC_IOC_MAGIC, 0x7f)", "an ioctl sync_file does not define",
			  ret, -ret, ENOTTY);
	/* dma_buf_ioctl(): SYNC_IOC_FILE_INFO is not a dma-buf command: -ENOTTY. */
	ret = fu_err(ioctl(s.buf.dmabuf, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "a dma-buf fd, not a sync_file", ret, -ret, ENOTTY);
}

static void t_export_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_pending s;
	int fd = -1, ret;

	if (!vgem || !src_new(ctx, vgem, NO_FENCE, &s))
		return;
	/* dma_buf_export_sync_file(): no direction, or a bit outside DMA_BUF_SYNC_RW: -EINVAL. */
	ret = fu_dmabuf_export_sync_file(s.buf.dmabuf, 0, &fd);
	if (!ret)
		hilt_defer_close(ctx, fd);
	hilt_expect_errno(ctx, vgem, EXPORT, "flags 0 (neither DMA_BUF_SYNC_READ nor _WRITE)", ret, -ret, EINVAL);
	ret = fu_dmabuf_export_sync_file(s.buf.dmabuf, DMA_BUF_SYNC_RW | 0x4, &fd);
	if (!ret)
		hilt_defer_close(ctx, fd);
	hilt_expect_errno(ctx, vgem, EXPORT, "flags 0x7 (bit 2 undefined)", ret, -ret, EINVAL);
}

/* ---- back into a dma-buf: DMA_BUF_IOCTL_IMPORT_SYNC_FILE ---- */

static void t_import_dmabuf(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_pending a, b;
	int sa, ev, rev, ret;

	if (!vgem || !src_new(ctx, vgem, VGEM_FENCE_WRITE, &a) || !src_new(ctx, vgem, NO_FENCE, &b) ||
	    (sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ)) < 0)
		return;
	/* A's pending write fence becomes a write fence of B. */
	ret = fu_dmabuf_import_sync_file(b.buf.dmabuf, sa, DMA_BUF_SYNC_WRITE);
	if (ret) {
		hilt_fail(ctx, "%s of a pending sync_file into a dma-buf of %s failed: %s", IMPORT,
			  vgem->node, hilt_errname(-ret));
		return;
	}
	rev = fu_poll(b.buf.dmabuf, POLLIN | POLLOUT, 0);
	if (rev != 0)
		hilt_fail(ctx, "poll(2) on a dma-buf given a pending write fence by %s: revents %#x; expected none",
			  IMPORT, rev);
	if (src_signal(ctx, vgem, &a)) {
		rev = fu_poll(b.buf.dmabuf, POLLIN | POLLOUT, 0);
		if ((rev & (POLLIN | POLLOUT)) != (POLLIN | POLLOUT))
			hilt_fail(ctx, "poll(2) on a dma-buf whose imported fence signalled: revents %#x; expected POLLIN|POLLOUT",
				  rev);
	}
	/* dma_buf_import_sync_file(): sync_file_get_fence() finds no sync_file: -EINVAL. */
	ev = hilt_defer_close(ctx, eventfd(0, EFD_CLOEXEC));
	if (ev >= 0) {
		ret = fu_dmabuf_import_sync_file(b.buf.dmabuf, ev, DMA_BUF_SYNC_WRITE);
		hilt_expect_errno(ctx, vgem, IMPORT, "an eventfd, not a sync_file", ret, -ret, EINVAL);
	}
	/* No direction: -EINVAL before the fd is looked at. */
	ret = fu_dmabuf_import_sync_file(b.buf.dmabuf, sa, 0);
	hilt_expect_errno(ctx, vgem, IMPORT, "flags 0 (neither DMA_BUF_SYNC_READ nor _WRITE)", ret, -ret, EINVAL);
}

#define K_INFO "sync_file_ioctl_fence_info()"

static const struct hilt_case cases[] = {
	{ "info-pending", t_info_pending, FILE_INFO,
	  "a sync_file of a pending vgem write fence reports status 0 and one unsignalled fence, then 1 once signalled",
	  "syncfile.info,syncfile.poll", K_INFO ", dma_buf_export_sync_file()" },
	{ "info-idle", t_info_idle, FILE_INFO,
	  "a sync_file exported from a dma-buf without fences is already signalled", "syncfile.info",
	  K_INFO ", dma_fence_get_stub()" },
	{ "info-read-fences", t_info_read_fences, FILE_INFO,
	  "EXPORT_SYNC_FILE for writing holds both read fences; for reading, none (signalled)",
	  "syncfile.info", K_INFO ", dma_resv_get_singleton()" },
	{ "info-syncobj", t_info_syncobj, FILE_INFO,
	  "a sync_file exported from a signalled syncobj reports status 1", "syncfile.info",
	  K_INFO ", drm_syncobj_export_sync_file()" },
	{ "info-syncobj-pending", t_info_syncobj_pending, FILE_INFO,
	  "a pending vgem fence imported into a syncobj exports again as a pending sync_file that signals with it",
	  "syncfile.info,syncfile.poll", "drm_syncobj_import_sync_file_fence(), drm_syncobj_export_sync_file()" },
	{ "merge", t_merge, MERGE,
	  "two pending sync_files merge into one named as asked, with both fences, signalled only when both are",
	  "syncfile.info,syncfile.poll", "sync_file_ioctl_merge(), dma_fence_unwrap_merge()" },
	{ "merge-same", t_merge_same, MERGE,
	  "a sync_file merged with itself holds its one fence once", "syncfile.info",
	  "sync_file_ioctl_merge(), dma_fence_unwrap_merge()" },
	{ "poll", t_poll, "poll(2)",
	  "a poll(2) on a sync_file of a pending fence sleeps in the kernel until another thread signals it, then returns POLLIN",
	  "syncfile.poll", "sync_file_poll(), fence_check_cb_func()" },
	{ "many-consumers", t_many_consumers, "poll(2)",
	  "threads polling one sync_file, a merge of it, a dma-buf and a syncobj it was imported into all wait while its fence is pending and are all released by its one signal",
	  "syncfile.info", "sync_file_poll(), dma_buf_import_sync_file(), drm_syncobj_import_sync_file_fence()" },
	{ "set-deadline", t_set_deadline, SET_DEADLINE,
	  "SET_DEADLINE is accepted on pending, merged and signalled sync_files and signals nothing",
	  "syncfile.info", "sync_file_ioctl_set_deadline(), dma_fence_set_deadline()" },
	{ "fence-error", t_fence_error, FILE_INFO,
	  "a sw_sync fence signalled with an error (its timeline closed) reports a negative status in FILE_INFO, in a merge made while it was pending and through a syncobj",
	  "syncfile.info", "sw_sync_debugfs_release(), sync_fill_fence_info(), dma_fence_array_signaled()",
	  "CONFIG_SW_SYNC" },
	{ "set-deadline-invalid", t_set_deadline_invalid, SET_DEADLINE,
	  "SET_DEADLINE with pad set is refused with EINVAL", "ioctl.errno", "sync_file_ioctl_set_deadline()" },
	{ "file-info-invalid", t_file_info_invalid, FILE_INFO,
	  "FILE_INFO refuses flags, pad and a too small num_fences (EINVAL) and a bad array pointer (EFAULT)",
	  "ioctl.errno", K_INFO },
	{ "merge-invalid", t_merge_invalid, MERGE,
	  "MERGE refuses an fd2 that is not a sync_file (ENOENT) and flags or pad set (EINVAL)",
	  "ioctl.errno", "sync_file_ioctl_merge(), sync_file_fdget()" },
	{ "unknown-ioctl", t_unknown_ioctl, FILE_INFO,
	  "an undefined sync_file ioctl and FILE_INFO on a dma-buf are refused with ENOTTY", "ioctl.errno",
	  "sync_file_ioctl(), dma_buf_ioctl()" },
	{ "export-invalid", t_export_invalid, EXPORT,
	  "EXPORT_SYNC_FILE without READ/WRITE or with undefined flags is refused with EINVAL", "ioctl.errno",
	  "dma_buf_export_sync_file()" },
	{ "import-dmabuf", t_import_dmabuf, IMPORT,
	  "a pending sync_file imported into another dma-buf blocks its poll(2) until it signals; misuse is EINVAL",
	  "ioctl.errno", "dma_buf_import_sync_file(), sync_file_get_fence()" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "sync-file", cases, HILT_ARRAY_SIZE(cases));
}
