// SPDX-License-Identifier: MIT
/*
 * sync-file: sync_file fds (drivers/dma-buf/sync_file.c) exported from
 * dma-bufs (DMA_BUF_IOCTL_EXPORT_SYNC_FILE on a vgem buffer with vgem fences)
 * and from syncobjs (DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE):
 * SYNC_IOC_FILE_INFO, SYNC_IOC_MERGE, SYNC_IOC_SET_DEADLINE, poll(2), the
 * import back into a dma-buf, and misuse refused with the kernel's errno.
 *
 * Every vgem buffer lives on its own vgem fd (fu_vbuf_open): closing it
 * signals whatever fence a failed case left pending.
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "fence-util.h"
#include "sync-file-uapi.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define FILE_INFO	"SYNC_IOC_FILE_INFO"
#define MERGE		"SYNC_IOC_MERGE"
#define SET_DEADLINE	"SYNC_IOC_SET_DEADLINE"
#define EXPORT		"DMA_BUF_IOCTL_EXPORT_SYNC_FILE"
#define IMPORT		"DMA_BUF_IOCTL_IMPORT_SYNC_FILE"

#define MAX_FENCES	8

static struct hilt_dev *need_vgem(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = fu_vgem();

	if (!vgem)
		hilt_skip(ctx, "no vgem card node in /dev/dri (vgem module not loaded)");
	return vgem;
}

/* A vgem buffer with its dma-buf and, when fence_flags >= 0, a pending fence. */
struct src {
	struct fu_vbuf buf;
	uint32_t fence;		/* 0: none, or signalled */
};

static bool src_open(struct hilt_ctx *ctx, struct hilt_dev *vgem, int fence_flags, struct src *s)
{
	int ret;

	s->fence = 0;
	ret = fu_vbuf_open(vgem, true, &s->buf);
	if (!ret && fence_flags >= 0)
		ret = fu_vgem_attach(s->buf.fd, s->buf.bo.handle, (uint32_t)fence_flags, &s->fence);
	if (ret) {
		hilt_fail(ctx, "setting up a vgem buffer%s on %s failed: %s",
			  fence_flags >= 0 ? " with a pending fence" : "", vgem->node, hilt_errname(-ret));
		fu_vbuf_close(&s->buf);
	}
	return !ret;
}

static bool src_signal(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct src *s)
{
	int ret = fu_vgem_signal(s->buf.fd, s->fence);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL on %s failed: %s", vgem->node, hilt_errname(-ret));
	else
		s->fence = 0;
	return !ret;
}

static void src_close(struct src *s)
{
	fu_vbuf_close(&s->buf);
}

/* EXPORT_SYNC_FILE; fails the case when the kernel has no such ioctl too (Linux 6.0 is older than anything hilt boots). */
static int export_sf(struct hilt_ctx *ctx, struct hilt_dev *vgem, struct src *s, uint32_t flags)
{
	int fd = -1;
	int ret = fu_dmabuf_export_sync_file(s->buf.dmabuf, flags, &fd);

	if (ret == -ENOTTY && fu_kernel_older(6, 0)) {
		hilt_skip(ctx, "kernel older than 6.0 has no " EXPORT);
		return -1;
	}
	if (ret) {
		hilt_fail(ctx, "%s (flags %#x) on a dma-buf of %s failed: %s", EXPORT, flags, vgem->node,
			  hilt_errname(-ret));
		return -1;
	}
	return fd;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * SYNC_IOC_FILE_INFO with its fence array, recorded as a syncfile.info
 * observation. stage: "pending" (a fence must be unsignalled: status 0),
 * "signalled" or "idle" (status 1). want_fences > 0: that many fences.
 * Fails the case when the file disagrees; returns the file status or -100.
 */
static int info_check(struct hilt_ctx *ctx, struct hilt_dev *dev, const char *source,
		      const char *stage, int fd, int want_fences, struct sync_file_info *out)
{
	struct sync_fence_info fences[MAX_FENCES];
	struct sync_file_info info;
	int ret = fu_sync_info(fd, &info, fences, MAX_FENCES);
	bool pending = !strcmp(stage, "pending");
	struct hilt_json j;

	if (ret) {
		hilt_fail(ctx, "%s on a sync_file from %s (%s) failed: %s", FILE_INFO, source, dev->node,
			  hilt_errname(-ret));
		return -100;
	}
	hj_begin(&j);
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

	if (info.status != (pending ? 0 : 1))
		hilt_fail(ctx, "%s on a %s sync_file from %s (%s): status %d; expected %d", FILE_INFO,
			  stage, source, dev->node, info.status, pending ? 0 : 1);
	else if (want_fences > 0 && info.num_fences != (uint32_t)want_fences)
		hilt_fail(ctx, "%s on a sync_file from %s (%s): %u fences; expected %d", FILE_INFO,
			  source, dev->node, info.num_fences, want_fences);
	for (uint32_t i = 0; i < info.num_fences; i++) {
		if (!fences[i].driver_name[0] || !fences[i].obj_name[0])
			hilt_fail(ctx, "%s on a sync_file from %s (%s): fence %u has an empty driver or timeline name",
				  FILE_INFO, source, dev->node, i);
		if ((fences[i].status == 0) != (fences[i].timestamp_ns == 0))
			hilt_fail(ctx, "%s on a sync_file from %s (%s): fence %u has status %d and timestamp %llu",
				  FILE_INFO, source, dev->node, i, fences[i].status,
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

static int merge(int fd, int fd2, const char *name, uint32_t flags, uint32_t pad, int *out)
{
	struct sync_merge_data m = { .fd2 = fd2, .flags = flags, .pad = pad, .fence = -1 };
	int ret;

	snprintf(m.name, sizeof(m.name), "%s", name);
	ret = fu_err(ioctl(fd, SYNC_IOC_MERGE, &m));
	if (!ret)
		*out = m.fence;
	return ret;
}

/* ---- FILE_INFO on sync files exported from dma-bufs ---- */

static void t_info_pending(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct src s;
	int sf;

	if (!vgem || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &s))
		return;
	/* DMA_BUF_SYNC_READ: what a reader waits for, the write fences. */
	sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ);
	if (sf >= 0) {
		info_check(ctx, vgem, "dma-buf", "pending", sf, 1, NULL);
		if (src_signal(ctx, vgem, &s))
			info_check(ctx, vgem, "dma-buf", "signalled", sf, 1, NULL);
		close_fd(&sf);
	}
	src_close(&s);
}

static void t_info_idle(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct src s;
	int sf;

	if (!vgem || !src_open(ctx, vgem, -1, &s))
		return;
	/* No fence: the kernel hands out an already signalled stub. */
	sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_RW);
	if (sf >= 0) {
		info_check(ctx, vgem, "dma-buf", "idle", sf, 0, NULL);
		close_fd(&sf);
	}
	src_close(&s);
}

/* Read fences: a writer (DMA_BUF_SYNC_WRITE) waits for them, a reader does not. */
static void t_info_read_fences(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	uint32_t f2 = 0;
	struct src s;
	int sw = -1, sr = -1, ret;

	if (!vgem || !src_open(ctx, vgem, 0, &s))
		return;
	ret = fu_vgem_attach(s.buf.fd, s.buf.bo.handle, 0, &f2);
	if (ret) {
		hilt_fail(ctx, "a second read fence on %s failed: %s", vgem->node, hilt_errname(-ret));
		goto out;
	}
	sw = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_WRITE);
	sr = sw >= 0 ? export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ) : -1;
	if (sr < 0)
		goto out;
	info_check(ctx, vgem, "dma-buf", "pending", sw, 2, NULL);
	info_check(ctx, vgem, "dma-buf", "idle", sr, 0, NULL);
	if (src_signal(ctx, vgem, &s) && !fu_vgem_signal(s.buf.fd, f2))
		info_check(ctx, vgem, "dma-buf", "signalled", sw, 2, NULL);
out:
	close_fd(&sw);
	close_fd(&sr);
	src_close(&s);
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
	*fd = fu_open(dev);
	if (*fd < 0)
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(-*fd));
	return *fd >= 0;
}

static int syncobj_export(int fd, uint32_t h, int *sf)
{
	struct drm_syncobj_handle a = {
		.handle = h, .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE, .fd = -1,
	};
	int ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &a));

	if (!ret)
		*sf = a.fd;
	return ret;
}

static void info_syncobj_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct drm_syncobj_create c = { .flags = DRM_SYNCOBJ_CREATE_SIGNALED };
	int fd, sf = -1, ret;

	if (!syncobj_node(ctx, dev, &fd))
		return;
	ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c));
	if (!ret)
		ret = syncobj_export(fd, c.handle, &sf);
	if (ret)
		hilt_fail(ctx, "a signalled syncobj exported as a sync_file on %s: %s", dev->node,
			  hilt_errname(-ret));
	else
		info_check(ctx, dev, "syncobj", "signalled", sf, 1, NULL);
	close_fd(&sf);
	close(fd);
}

static void t_info_syncobj(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER), info_syncobj_one);
}

/* A pending vgem fence through a syncobj and back out as a sync_file. */
static void info_syncobj_pending_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct drm_syncobj_create c = { 0 };
	struct drm_syncobj_handle imp;
	int fd, sf = -1, in = -1, ret;
	struct src s;

	if (!vgem || !syncobj_node(ctx, dev, &fd))
		return;
	if (!src_open(ctx, vgem, VGEM_FENCE_WRITE, &s))
		goto out_fd;
	in = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ);
	if (in < 0)
		goto out;
	ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c));
	imp = (struct drm_syncobj_handle){
		.handle = c.handle, .flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE, .fd = in,
	};
	if (!ret)
		ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &imp));
	if (!ret)
		ret = syncobj_export(fd, c.handle, &sf);
	if (ret) {
		hilt_fail(ctx, "a pending vgem fence through a syncobj on %s: %s", dev->node, hilt_errname(-ret));
		goto out;
	}
	info_check(ctx, dev, "syncobj", "pending", sf, 1, NULL);
	poll_check(ctx, dev, "syncobj", "pending", sf);
	if (src_signal(ctx, vgem, &s)) {
		info_check(ctx, dev, "syncobj", "signalled", sf, 1, NULL);
		poll_check(ctx, dev, "syncobj", "signalled", sf);
	}
out:
	close_fd(&sf);
	close_fd(&in);
	src_close(&s);
out_fd:
	close(fd);
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
	struct src a, b;
	int sa = -1, sb = -1, sm = -1, ret;

	if (!vgem || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &a))
		return;
	if (!src_open(ctx, vgem, VGEM_FENCE_WRITE, &b))
		goto out_a;
	sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ);
	sb = sa >= 0 ? export_sf(ctx, vgem, &b, DMA_BUF_SYNC_READ) : -1;
	if (sb < 0)
		goto out;
	ret = merge(sa, sb, "hilt-merge", 0, 0, &sm);
	if (ret) {
		hilt_fail(ctx, "%s of two pending sync_files from %s failed: %s", MERGE, vgem->node,
			  hilt_errname(-ret));
		goto out;
	}
	if (info_check(ctx, vgem, "merge", "pending", sm, 2, &info) >= 0 &&
	    strncmp(info.name, "hilt-merge", sizeof(info.name)))
		hilt_fail(ctx, "%s: the merged sync_file is named '%.32s'; expected the name given, 'hilt-merge'",
			  MERGE, info.name);
	poll_check(ctx, vgem, "merge", "pending", sm);
	/* One of two signalled: the merged file is still pending. */
	if (!src_signal(ctx, vgem, &a))
		goto out;
	info_check(ctx, vgem, "dma-buf", "signalled", sa, 1, NULL);
	info_check(ctx, vgem, "merge", "pending", sm, 2, NULL);
	poll_check(ctx, vgem, "merge", "pending", sm);
	if (!src_signal(ctx, vgem, &b))
		goto out;
	info_check(ctx, vgem, "merge", "signalled", sm, 2, NULL);
	poll_check(ctx, vgem, "merge", "signalled", sm);
out:
	close_fd(&sm);
	close_fd(&sa);
	close_fd(&sb);
	src_close(&b);
out_a:
	src_close(&a);
}

/* Fences of one context collapse into one: a file merged with itself has one fence. */
static void t_merge_same(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct src a;
	int sa, sm = -1, ret;

	if (!vgem || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &a))
		return;
	sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ);
	if (sa >= 0) {
		ret = merge(sa, sa, "hilt-self", 0, 0, &sm);
		if (ret)
			hilt_fail(ctx, "%s of a sync_file with itself failed: %s", MERGE, hilt_errname(-ret));
		else
			info_check(ctx, vgem, "merge", "pending", sm, 1, NULL);
		close_fd(&sm);
		close_fd(&sa);
	}
	src_close(&a);
}

/* ---- poll(2) ---- */

static void t_poll(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct fu_later later = { 0 };
	struct fu_later_signal ls;
	int64_t t1;
	struct src s;
	int sf, rev, ret;

	if (!vgem || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &s))
		return;
	sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ);
	if (sf < 0)
		goto out;
	poll_check(ctx, vgem, "dma-buf", "pending", sf);
	/* A blocked poll(2) wakes when another thread signals 50 ms in. */
	ls = (struct fu_later_signal){ .fd = s.buf.fd, .fence = s.fence };
	ret = fu_later_start(&later, 50, fu_signal_fence, &ls);
	if (ret) {
		hilt_fail(ctx, "pthread_create failed: %s", hilt_errname(-ret));
		goto out_sf;
	}
	rev = fu_poll(sf, POLLIN, 3000);
	t1 = fu_now_ns();
	fu_later_join(&later);
	s.fence = 0;
	if (later.ret)
		hilt_fail(ctx, "DRM_IOCTL_VGEM_FENCE_SIGNAL from a second thread failed: %s",
			  hilt_errname(-later.ret));
	else if (rev < 0 || !(rev & POLLIN))
		hilt_fail(ctx, "poll(2) on a sync_file from %s did not report POLLIN within 3 s of its fence signalling (%d)",
			  vgem->node, rev);
	else if (t1 < later.call_ns)
		hilt_fail(ctx, "poll(2) on a sync_file from %s reported POLLIN before its fence was signalled",
			  vgem->node);
	poll_check(ctx, vgem, "dma-buf", "signalled", sf);
out_sf:
	close_fd(&sf);
out:
	src_close(&s);
}

/* ---- SET_DEADLINE ---- */

static int set_deadline(int fd, uint64_t ns, uint64_t pad)
{
	struct hilt_sync_set_deadline d = { .deadline_ns = ns, .pad = pad };

	return fu_err(ioctl(fd, HILT_SYNC_IOC_SET_DEADLINE, &d));
}

static bool need_deadline(struct hilt_ctx *ctx)
{
	if (fu_kernel_older(6, 3)) {
		hilt_skip(ctx, "kernel older than 6.3 has no " SET_DEADLINE);
		return false;
	}
	return true;
}

static void t_set_deadline(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem;
	struct src a, b;
	int sa = -1, sb = -1, sm = -1, ret;

	if (!need_deadline(ctx) || !(vgem = need_vgem(ctx)) || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &a))
		return;
	if (!src_open(ctx, vgem, VGEM_FENCE_WRITE, &b))
		goto out_a;
	sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ);
	sb = sa >= 0 ? export_sf(ctx, vgem, &b, DMA_BUF_SYNC_READ) : -1;
	if (sb < 0 || merge(sa, sb, "hilt-deadline", 0, 0, &sm)) {
		hilt_fail(ctx, "setting up pending sync_files on %s failed", vgem->node);
		goto out;
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
out:
	close_fd(&sm);
	close_fd(&sa);
	close_fd(&sb);
	src_close(&b);
out_a:
	src_close(&a);
}

/* ---- misuse ---- */

static void t_set_deadline_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem;
	struct src s;
	int sf;

	if (!need_deadline(ctx) || !(vgem = need_vgem(ctx)) || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &s))
		return;
	sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ);
	if (sf >= 0) {
		int ret = set_deadline(sf, (uint64_t)fu_now_ns(), 1);

		hilt_expect_errno(ctx, vgem, SET_DEADLINE, "pad 1", ret, -ret, EINVAL);
		close_fd(&sf);
	}
	src_close(&s);
}

static void t_file_info_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct sync_fence_info one[1];
	struct sync_file_info info;
	struct src a, b;
	int sa = -1, sb = -1, sm = -1, ret;

	if (!vgem || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &a))
		return;
	if (!src_open(ctx, vgem, VGEM_FENCE_WRITE, &b))
		goto out_a;
	sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ);
	sb = sa >= 0 ? export_sf(ctx, vgem, &b, DMA_BUF_SYNC_READ) : -1;
	if (sb < 0 || merge(sa, sb, "hilt-two", 0, 0, &sm)) {
		hilt_fail(ctx, "setting up pending sync_files on %s failed", vgem->node);
		goto out;
	}
	info = (struct sync_file_info){ .flags = 1 };
	ret = fu_err(ioctl(sa, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "flags 1 (must be 0)", ret, -ret, EINVAL);
	info = (struct sync_file_info){ .pad = 1 };
	ret = fu_err(ioctl(sa, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "pad 1", ret, -ret, EINVAL);
	info = (struct sync_file_info){ .num_fences = 1, .sync_fence_info = (uint64_t)(uintptr_t)one };
	ret = fu_err(ioctl(sm, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "num_fences 1 for a sync_file of 2 fences", ret, -ret, EINVAL);
	info = (struct sync_file_info){ .num_fences = 1, .sync_fence_info = 8 };
	ret = fu_err(ioctl(sa, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "a fence array pointer to unmapped memory", ret, -ret, EFAULT);
out:
	close_fd(&sm);
	close_fd(&sa);
	close_fd(&sb);
	src_close(&b);
out_a:
	src_close(&a);
}

static void t_merge_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct src s;
	int sf, out = -1, ev, ret;

	if (!vgem || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &s))
		return;
	sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_READ);
	if (sf < 0)
		goto out;
	/* sync_file_ioctl_merge(): fd2 that is not a sync_file is -ENOENT. */
	ret = merge(sf, s.buf.dmabuf, "x", 0, 0, &out);
	hilt_expect_errno(ctx, vgem, MERGE, "fd2 a dma-buf, not a sync_file", ret, -ret, ENOENT);
	close_fd(&out);
	ret = merge(sf, -1, "x", 0, 0, &out);
	hilt_expect_errno(ctx, vgem, MERGE, "fd2 -1", ret, -ret, ENOENT);
	close_fd(&out);
	ev = eventfd(0, EFD_CLOEXEC);
	if (ev >= 0) {
		ret = merge(sf, ev, "x", 0, 0, &out);
		hilt_expect_errno(ctx, vgem, MERGE, "fd2 an eventfd, not a sync_file", ret, -ret, ENOENT);
		close_fd(&out);
		close(ev);
	}
	ret = merge(sf, sf, "x", 1, 0, &out);
	hilt_expect_errno(ctx, vgem, MERGE, "flags 1 (must be 0)", ret, -ret, EINVAL);
	close_fd(&out);
	ret = merge(sf, sf, "x", 0, 1, &out);
	hilt_expect_errno(ctx, vgem, MERGE, "pad 1", ret, -ret, EINVAL);
	close_fd(&out);
	close_fd(&sf);
out:
	src_close(&s);
}

static void t_unknown_ioctl(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct sync_file_info info = { 0 };
	struct src s;
	int sf, ret;

	if (!vgem || !src_open(ctx, vgem, -1, &s))
		return;
	sf = export_sf(ctx, vgem, &s, DMA_BUF_SYNC_RW);
	if (sf >= 0) {
		ret = fu_err(ioctl(sf, _IO(SYNC_IOC_MAGIC, 0x7f), NULL));
		hilt_expect_errno(ctx, vgem, "_IO(SYNC_IOC_MAGIC, 0x7f)", "an ioctl sync_file does not define",
				  ret, -ret, ENOTTY);
		close_fd(&sf);
	}
	ret = fu_err(ioctl(s.buf.dmabuf, SYNC_IOC_FILE_INFO, &info));
	hilt_expect_errno(ctx, vgem, FILE_INFO, "a dma-buf fd, not a sync_file", ret, -ret, ENOTTY);
	src_close(&s);
}

static void t_export_invalid(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct src s;
	int fd = -1, ret;

	if (!vgem || !src_open(ctx, vgem, -1, &s))
		return;
	ret = fu_dmabuf_export_sync_file(s.buf.dmabuf, 0, &fd);
	hilt_expect_errno(ctx, vgem, EXPORT, "flags 0 (neither DMA_BUF_SYNC_READ nor _WRITE)", ret, -ret, EINVAL);
	close_fd(&fd);
	ret = fu_dmabuf_export_sync_file(s.buf.dmabuf, DMA_BUF_SYNC_RW | 0x4, &fd);
	hilt_expect_errno(ctx, vgem, EXPORT, "flags 0x7 (bit 2 undefined)", ret, -ret, EINVAL);
	close_fd(&fd);
	src_close(&s);
}

/* ---- back into a dma-buf: DMA_BUF_IOCTL_IMPORT_SYNC_FILE ---- */

static int import_sf(int dmabuf, int sf, uint32_t flags)
{
	struct dma_buf_import_sync_file a = { .flags = flags, .fd = sf };

	return fu_err(ioctl(dmabuf, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &a));
}

static void t_import_dmabuf(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = need_vgem(ctx);
	struct src a, b;
	int sa = -1, ev = -1, rev, ret;

	if (!vgem || !src_open(ctx, vgem, VGEM_FENCE_WRITE, &a))
		return;
	if (!src_open(ctx, vgem, -1, &b))
		goto out_a;
	sa = export_sf(ctx, vgem, &a, DMA_BUF_SYNC_READ);
	if (sa < 0)
		goto out;
	/* A's pending write fence becomes a write fence of B. */
	ret = import_sf(b.buf.dmabuf, sa, DMA_BUF_SYNC_WRITE);
	if (ret) {
		hilt_fail(ctx, "%s of a pending sync_file into a dma-buf of %s failed: %s", IMPORT,
			  vgem->node, hilt_errname(-ret));
		goto out;
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
	ev = eventfd(0, EFD_CLOEXEC);
	if (ev >= 0) {
		ret = import_sf(b.buf.dmabuf, ev, DMA_BUF_SYNC_WRITE);
		hilt_expect_errno(ctx, vgem, IMPORT, "an eventfd, not a sync_file", ret, -ret, EINVAL);
		close(ev);
	}
	ret = import_sf(b.buf.dmabuf, sa, 0);
	hilt_expect_errno(ctx, vgem, IMPORT, "flags 0 (neither DMA_BUF_SYNC_READ nor _WRITE)", ret, -ret, EINVAL);
out:
	close_fd(&sa);
	src_close(&b);
out_a:
	src_close(&a);
}

static const struct hilt_case cases[] = {
	{ "info-pending", t_info_pending, FILE_INFO,
	  "a sync_file of a pending vgem write fence reports status 0 and one unsignalled fence, then 1 once signalled",
	  "syncfile.info" },
	{ "info-idle", t_info_idle, FILE_INFO,
	  "a sync_file exported from a dma-buf without fences is already signalled", "syncfile.info" },
	{ "info-read-fences", t_info_read_fences, FILE_INFO,
	  "EXPORT_SYNC_FILE for writing holds both read fences; for reading, none (signalled)",
	  "syncfile.info" },
	{ "info-syncobj", t_info_syncobj, FILE_INFO,
	  "a sync_file exported from a signalled syncobj reports status 1", "syncfile.info" },
	{ "info-syncobj-pending", t_info_syncobj_pending, FILE_INFO,
	  "a pending vgem fence imported into a syncobj exports again as a pending sync_file that signals with it",
	  "syncfile.info,syncfile.poll" },
	{ "merge", t_merge, MERGE,
	  "two pending sync_files merge into one named as asked, with both fences, signalled only when both are",
	  "syncfile.info,syncfile.poll" },
	{ "merge-same", t_merge_same, MERGE,
	  "a sync_file merged with itself holds its one fence once", "syncfile.info" },
	{ "poll", t_poll, "poll(2)",
	  "a sync_file polls not ready while its fence is pending; a blocked poll wakes with POLLIN when it signals",
	  "syncfile.poll" },
	{ "set-deadline", t_set_deadline, SET_DEADLINE,
	  "SET_DEADLINE is accepted on pending, merged and signalled sync_files and signals nothing",
	  "syncfile.info" },
	{ "set-deadline-invalid", t_set_deadline_invalid, SET_DEADLINE,
	  "SET_DEADLINE with pad set is refused with EINVAL", "ioctl.errno" },
	{ "file-info-invalid", t_file_info_invalid, FILE_INFO,
	  "FILE_INFO refuses flags, pad and a too small num_fences (EINVAL) and a bad array pointer (EFAULT)",
	  "ioctl.errno" },
	{ "merge-invalid", t_merge_invalid, MERGE,
	  "MERGE refuses an fd2 that is not a sync_file (ENOENT) and flags or pad set (EINVAL)",
	  "ioctl.errno" },
	{ "unknown-ioctl", t_unknown_ioctl, FILE_INFO,
	  "an undefined sync_file ioctl and FILE_INFO on a dma-buf are refused with ENOTTY", "ioctl.errno" },
	{ "export-invalid", t_export_invalid, EXPORT,
	  "EXPORT_SYNC_FILE without READ/WRITE or with undefined flags is refused with EINVAL", "ioctl.errno" },
	{ "import-dmabuf", t_import_dmabuf, IMPORT,
	  "a pending sync_file imported into another dma-buf blocks its poll(2) until it signals; misuse is EINVAL",
	  "ioctl.errno" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "sync-file", cases, HILT_ARRAY_SIZE(cases));
}
