// SPDX-License-Identifier: MIT
/*
 * lifetime: what outlives what when it takes long or ends a device, kept out
 * of the default plan (suite.json says default: false).
 *
 *   vgem-fence-expiry   a vgem fence nobody signals expires after
 *                       VGEM_FENCE_TIMEOUT (10 * HZ) on its own
 *                       (vgem_fence_timeout()); FENCE_SIGNAL then says ETIMEDOUT.
 *   vgem-unload-busy    delete_module("vgem") while a file of vgem is open is
 *                       refused with EWOULDBLOCK (try_stop_module()).
 *   virtio-gpu-unbind   virtio-gpu unbound through sysfs under live handles,
 *                       dma-bufs and syncobjs: every ioctl on its files is
 *                       ENODEV (drm_ioctl(): drm_dev_is_unplugged()), its
 *                       exported dma-bufs stay mapped and readable; bound
 *                       again, it comes back.
 *
 * The last two are HILT_CASE_LAST: a kernel that gets them wrong may leave
 * the machine without vgem or virtio-gpu.
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "dmabuf.h"
#include "drm-util.h"
#include "fence-util.h"
#include "kernel.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* ---- vgem fence expiry ---- */

#define VGEM_FENCE_TIMEOUT_S 10

/*
 * A write fence attached and never signalled: the dma-buf and a sync_file
 * of it stay busy, then, 10 s (10 * HZ jiffies) after the attach, vgem's
 * timer signals the fence (without an error: vgem_fence_timeout() calls
 * dma_fence_signal() only). FENCE_SIGNAL of the expired fence is ETIMEDOUT
 * (vgem_fence_signal_ioctl(): already signalled) and consumes it: a second
 * one is ENOENT.
 */
static void t_vgem_fence_expiry(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = fu_vgem();
	struct sync_fence_info fi[2];
	struct sync_file_info info;
	struct fu_pending p;
	long long j0, j1;
	int64_t t0, t1;
	int ret, rev;

	if (!vgem) {
		hilt_skip(ctx, "no vgem card node in /dev/dri (vgem module not loaded)");
		return;
	}
	j0 = hilt_jiffies();
	t0 = fu_now_ns();
	ret = fu_pending_new(ctx, vgem, VGEM_FENCE_WRITE, DMA_BUF_SYNC_READ, &p);
	if (ret) {
		hilt_fail(ctx, "a pending vgem fence on %s: %s", vgem->node, hilt_errname(-ret));
		return;
	}
	if (fu_poll(p.buf.dmabuf, POLLIN, 0) != 0 || fu_poll(p.sync_fd, POLLIN, 0) != 0) {
		hilt_fail(ctx, "a vgem fence just attached on %s is already signalled", vgem->node);
		return;
	}
	/* Nobody signals it; 15 s is the most this waits. */
	rev = fu_poll(p.sync_fd, POLLIN, (VGEM_FENCE_TIMEOUT_S + 5) * 1000);
	t1 = fu_now_ns();
	j1 = hilt_jiffies();
	hilt_diag(ctx, "the unsignalled vgem fence signalled itself %lld ms after the attach",
		  (long long)(t1 - t0) / 1000000);
	if (rev <= 0 || !(rev & POLLIN)) {
		hilt_fail(ctx, "a vgem fence nobody signalled was still pending %d s after it was attached on %s",
			  VGEM_FENCE_TIMEOUT_S + 5, vgem->node);
		return;
	}
	/* The timer is jiffies + 10 * HZ: judged in jiffies (fu_check_timed_out). */
	fu_check_timed_out(ctx, "a vgem fence nobody signalled", VGEM_FENCE_TIMEOUT_S * 1000, j0, j1, t0, t1);
	if (fu_poll(p.buf.dmabuf, POLLIN | POLLOUT, 0) != (POLLIN | POLLOUT))
		hilt_fail(ctx, "the dma-buf of %s is not idle after its only fence expired", vgem->node);
	ret = fu_sync_info(p.sync_fd, &info, fi, HILT_ARRAY_SIZE(fi));
	if (ret)
		hilt_fail(ctx, "SYNC_IOC_FILE_INFO of the expired fence failed with %s", hilt_errname(-ret));
	else if (info.status != 1 || info.num_fences != 1 || fi[0].status != 1)
		hilt_fail(ctx, "the expired vgem fence reports status %d (fence %d); expected 1: vgem_fence_timeout() signals it without an error",
			  info.status, info.num_fences ? fi[0].status : 0);
	ret = fu_vgem_signal(p.buf.fd, p.fence);
	hilt_expect_errno(ctx, vgem, "DRM_IOCTL_VGEM_FENCE_SIGNAL", "a fence that expired on its own",
			  ret ? -1 : 0, -ret, ETIMEDOUT);
	ret = fu_vgem_signal(p.buf.fd, p.fence);
	hilt_expect_errno(ctx, vgem, "DRM_IOCTL_VGEM_FENCE_SIGNAL", "an expired fence already answered ETIMEDOUT",
			  ret ? -1 : 0, -ret, ENOENT);
}

/* ---- vgem refuses to unload while in use ---- */

static long read_long(const char *path)
{
	char buf[32];
	long v = -1;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fgets(buf, sizeof(buf), f))
			v = strtol(buf, NULL, 10);
		fclose(f);
	}
	return v;
}

/*
 * delete_module("vgem", O_NONBLOCK) while this process holds files of vgem
 * open (every open file of a DRM node holds its driver module): refused with
 * EWOULDBLOCK by try_stop_module(), and vgem stays loaded and working.
 */
static void t_vgem_unload_busy(struct hilt_ctx *ctx)
{
	struct hilt_dev *vgem = fu_vgem();
	long refs;
	int ret, fd;
	struct hilt_bo bo;

	if (!vgem) {
		hilt_skip(ctx, "no vgem card node in /dev/dri (vgem module not loaded)");
		return;
	}
	if (access("/sys/module/vgem/refcnt", R_OK)) {
		hilt_skip(ctx, "vgem is built into this kernel: there is no module to unload");
		return;
	}
	fd = fu_open(ctx, vgem);
	refs = read_long("/sys/module/vgem/refcnt");
	hilt_diag(ctx, "vgem's module reference count with its files open: %ld", refs);
	if (refs < 1)
		hilt_fail(ctx, "/sys/module/vgem/refcnt is %ld while files of vgem are open; each open file holds the module",
			  refs);
	ret = syscall(SYS_delete_module, "vgem", O_NONBLOCK) ? -errno : 0;
	hilt_expect_errno(ctx, vgem, "delete_module(2)", "vgem while files of it are open",
			  ret ? -1 : 0, -ret, EWOULDBLOCK);
	/* Still there and working. */
	if (access("/sys/module/vgem", F_OK))
		hilt_fail(ctx, "vgem is gone after a delete_module that should have been refused");
	else if (fd >= 0 && (ret = hilt_dumb_create(fd, 64, 64, 32, &bo)))
		hilt_fail(ctx, "MODE_CREATE_DUMB on %s after the refused unload failed with %s", vgem->node,
			  hilt_errname(-ret));
}

/* ---- virtio-gpu unbound under live objects ---- */

#define VIRTIO_GPU_DRIVER "/sys/bus/virtio/drivers/virtio_gpu"

static int write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * The virtio device ("virtio0") behind dev's node and the directory the DRM
 * device hangs off (virtio_gpu names the PCI parent of its virtio device as
 * the DRM device's parent, so /sys/class/drm/cardN/device is the PCI device
 * and the virtio device is a child of it); false if dev is not on virtio.
 */
static bool virtio_name(const struct hilt_dev *dev, char *name, size_t n, char *parent, size_t pn)
{
	char link[128], real[PATH_MAX];
	struct dirent *e;
	bool found = false;
	DIR *d;

	snprintf(link, sizeof(link), "/sys/class/drm/%s/device", dev->node);
	if (!realpath(link, real))
		return false;
	snprintf(parent, pn, "%s", real);
	if (!strncmp(strrchr(real, '/') + 1, "virtio", 6)) {
		snprintf(name, n, "%s", strrchr(real, '/') + 1);
		return true;
	}
	d = opendir(real);
	while (d && !found && (e = readdir(d)))
		if (!strncmp(e->d_name, "virtio", 6) && strspn(e->d_name + 6, "0123456789") == strlen(e->d_name + 6)) {
			snprintf(name, n, "%s", e->d_name);
			found = true;
		}
	if (d)
		closedir(d);
	return found;
}

/* The render node of the same device as card, NULL if none. */
static struct hilt_dev *render_of(const struct hilt_dev *card)
{
	char a[128], b[128], ra[PATH_MAX], rb[PATH_MAX];
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);

	snprintf(a, sizeof(a), "/sys/class/drm/%s/device", card->node);
	if (!realpath(a, ra))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (all[i].kind != HILT_NODE_RENDER || all[i].fd < 0)
			continue;
		snprintf(b, sizeof(b), "/sys/class/drm/%s/device", all[i].node);
		if (realpath(b, rb) && !strcmp(ra, rb))
			return &all[i];
	}
	return NULL;
}

/* Waits up to 5 s for a card node under parent (the DRM device's parent) to exist again. */
static bool card_back(const char *parent, char *node, size_t n)
{
	char drm[PATH_MAX + 8];

	snprintf(drm, sizeof(drm), "%s/drm", parent);
	for (int tries = 0; tries < 500; tries++) {
		DIR *d = opendir(drm);
		struct dirent *e;
		bool found = false;

		while (d && !found && (e = readdir(d)))
			if (!strncmp(e->d_name, "card", 4) && strspn(e->d_name + 4, "0123456789") == strlen(e->d_name + 4)) {
				snprintf(node, n, "%s", e->d_name);
				found = true;
			}
		if (d)
			closedir(d);
		if (found)
			return true;
		fu_sleep_ms(10);
	}
	return false;
}

/*
 * virtio-gpu unbound (sysfs unbind) while this process holds: a dumb
 * buffer's handle on a private open of the card node, its dma-buf mapped
 * with a pattern in it, a handle on the render node and a syncobj. After the
 * unbind (virtio_gpu_remove(): drm_dev_unplug()), every ioctl on the old
 * files is ENODEV and mmap of the card ENODEV (drm_gem_mmap()); the
 * dma-buf, which holds its own reference to the memory, still reads the
 * pattern through the old mapping and a new one; closing everything
 * afterwards is fine. Binding the device again brings a card node back.
 */
static void t_virtio_gpu_unbind(struct hilt_ctx *ctx)
{
	struct hilt_dev *card = NULL, *render, *all;
	struct drm_syncobj_create sc = { 0 };
	struct drm_mode_map_dumb map;
	char name[64], node[32], parent[PATH_MAX];
	struct hilt_bo bo;
	struct drm_version v = { 0 };
	uint32_t *p, *q, rh = 0;
	int cfd, rfd, dmabuf = -1, ret;
	size_t n = hilt_devices(&all);
	uint64_t offset;
	long bad;

	for (size_t i = 0; i < n && !card; i++)
		if (all[i].kind == HILT_NODE_PRIMARY && !strcmp(all[i].driver, "virtio_gpu") &&
		    virtio_name(&all[i], name, sizeof(name), parent, sizeof(parent)))
			card = &all[i];
	if (!card) {
		hilt_skip(ctx, "no virtio_gpu card node on a virtio bus device");
		return;
	}
	if (access(VIRTIO_GPU_DRIVER "/unbind", W_OK)) {
		hilt_skip(ctx, "no writable " VIRTIO_GPU_DRIVER "/unbind");
		return;
	}
	render = render_of(card);
	cfd = fu_open(ctx, card);
	rfd = render ? fu_open(ctx, render) : -1;
	if (cfd < 0 || hilt_dumb_create(cfd, 64, 64, 32, &bo) ||
	    hilt_prime_export(cfd, bo.handle, DRM_CLOEXEC | DRM_RDWR, &dmabuf)) {
		hilt_fail(ctx, "a dumb buffer exported from %s: %s", card->node, strerror(errno));
		return;
	}
	hilt_defer_close(ctx, dmabuf);
	p = hilt_defer_munmap(ctx, dmabuf_mmap(dmabuf, bo.size), bo.size);
	if (!p) {
		hilt_fail(ctx, "mmap of the dma-buf of %s failed with %s", card->node, hilt_errname(errno));
		return;
	}
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	dmabuf_fill(p, bo.size, 0x0b0b0b0b);
	dmabuf_sync(dmabuf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	if (rfd >= 0 && hilt_prime_import(rfd, dmabuf, &rh))
		hilt_fail(ctx, "importing the dma-buf on %s failed", render->node);
	if (hilt_ioctl(cfd, DRM_IOCTL_SYNCOBJ_CREATE, &sc))
		hilt_fail(ctx, "SYNCOBJ_CREATE on %s failed with %s", card->node, hilt_errname(errno));
	map = (struct drm_mode_map_dumb){ .handle = bo.handle };
	if (hilt_ioctl(cfd, DRM_IOCTL_MODE_MAP_DUMB, &map))
		hilt_fail(ctx, "MODE_MAP_DUMB on %s failed with %s", card->node, hilt_errname(errno));
	offset = map.offset;
	if (hilt_failed(ctx))
		return;

	ret = write_sysfs(VIRTIO_GPU_DRIVER "/unbind", name);
	if (ret) {
		hilt_fail(ctx, "writing %s to " VIRTIO_GPU_DRIVER "/unbind failed with %s", name, hilt_errname(-ret));
		return;
	}
	hilt_diag(ctx, "%s (%s) unbound from virtio_gpu", name, card->node);

	/* The old files: every ioctl is ENODEV. */
	ret = hilt_ioctl(cfd, DRM_IOCTL_VERSION, &v) ? -errno : 0;
	hilt_expect_errno(ctx, card, "DRM_IOCTL_VERSION", "on a file of an unplugged device", ret ? -1 : 0, -ret, ENODEV);
	map = (struct drm_mode_map_dumb){ .handle = bo.handle };
	ret = hilt_ioctl(cfd, DRM_IOCTL_MODE_MAP_DUMB, &map) ? -errno : 0;
	hilt_expect_errno(ctx, card, "DRM_IOCTL_MODE_MAP_DUMB", "on a file of an unplugged device", ret ? -1 : 0, -ret, ENODEV);
	ret = hilt_prime_export(cfd, bo.handle, DRM_CLOEXEC, &dmabuf);
	hilt_expect_errno(ctx, card, "DRM_IOCTL_PRIME_HANDLE_TO_FD", "on a file of an unplugged device", ret ? -1 : 0, -ret, ENODEV);
	ret = hilt_ioctl(cfd, DRM_IOCTL_SYNCOBJ_SIGNAL, &(struct drm_syncobj_array){ .handles = (uintptr_t)&sc.handle, .count_handles = 1 }) ? -errno : 0;
	hilt_expect_errno(ctx, card, "DRM_IOCTL_SYNCOBJ_SIGNAL", "on a file of an unplugged device", ret ? -1 : 0, -ret, ENODEV);
	if (rfd >= 0) {
		ret = hilt_gem_close(rfd, rh);
		hilt_expect_errno(ctx, render, "DRM_IOCTL_GEM_CLOSE", "on a render file of an unplugged device", ret ? -1 : 0, -ret, ENODEV);
	}
	q = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, cfd, (off_t)offset);
	ret = q == MAP_FAILED ? -errno : 0;
	if (!ret)
		munmap(q, bo.size);
	hilt_expect_errno(ctx, card, "mmap(2)", "a MAP_DUMB offset of a file of an unplugged device",
			  ret ? -1 : 0, -ret, ENODEV);
	/* The dma-buf lives on: the old mapping and a new one read the pattern. */
	if ((bad = dmabuf_check(p, bo.size, 0x0b0b0b0b)) >= 0)
		hilt_fail(ctx, "the mapping of %s's dma-buf reads wrong data at byte %ld after the unplug", card->node, bad);
	q = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, dmabuf, 0);
	if (q == MAP_FAILED) {
		hilt_fail(ctx, "a new mmap of %s's dma-buf after the unplug failed with %s", card->node, hilt_errname(errno));
	} else {
		if ((bad = dmabuf_check(q, bo.size, 0x0b0b0b0b)) >= 0)
			hilt_fail(ctx, "a new mapping of %s's dma-buf reads wrong data at byte %ld after the unplug",
				  card->node, bad);
		munmap(q, bo.size);
	}
	/* Back: bind again, a card node of virtio_gpu appears. */
	ret = write_sysfs(VIRTIO_GPU_DRIVER "/bind", name);
	if (ret) {
		hilt_fail(ctx, "writing %s to " VIRTIO_GPU_DRIVER "/bind failed with %s", name, hilt_errname(-ret));
		return;
	}
	if (!card_back(parent, node, sizeof(node)))
		hilt_fail(ctx, "no virtio_gpu card node within 5 s of binding %s again", name);
	else
		hilt_diag(ctx, "bound again: %s", node);
}

static const struct hilt_case cases[] = {
	{ "vgem-fence-expiry", t_vgem_fence_expiry, "DRM_IOCTL_VGEM_FENCE_SIGNAL",
	  "a vgem write fence nobody signals keeps its dma-buf and sync_file busy until it expires by itself 10 s after the attach, without an error; FENCE_SIGNAL of it is then ETIMEDOUT, and again ENOENT",
	  "ioctl.errno", "vgem_fence_timeout(), vgem_fence_signal_ioctl()", NULL, 0, 30 },
	{ "vgem-unload-busy", t_vgem_unload_busy, "delete_module(2)",
	  "vgem refuses to unload with EWOULDBLOCK while files of it are open, and keeps working",
	  "ioctl.errno", "delete_module(), try_stop_module()", NULL, HILT_CASE_LAST },
	{ "virtio-gpu-unbind", t_virtio_gpu_unbind, "sysfs unbind",
	  "virtio-gpu unbound under a live handle, dma-buf, render import and syncobj answers every ioctl on its old files with ENODEV, its dma-buf still reads its data through old and new mappings, and binding it again brings a card node back",
	  "ioctl.errno", "virtio_gpu_remove(), drm_dev_unplug(), drm_ioctl()", NULL, HILT_CASE_LAST },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "lifetime", cases, HILT_ARRAY_SIZE(cases));
}
