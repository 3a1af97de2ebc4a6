// SPDX-License-Identifier: MIT
/*
 * prime: DRM PRIME buffer sharing (DRM_IOCTL_PRIME_HANDLE_TO_FD and
 * DRM_IOCTL_PRIME_FD_TO_HANDLE) on every node that advertises it, the handle
 * and dma-buf lifetime rules of drivers/gpu/drm/drm_prime.c, misuse refused
 * with the errno the kernel defines, and sharing between two different DRM
 * devices (vgem <-> virtio-gpu in QEMU) with the data checked through both.
 *
 * Buffers come from dumb buffers (the only generic way to make one). Render
 * and accel nodes cannot create dumb buffers (DRM_IOCTL_MODE_CREATE_DUMB is
 * not DRM_RENDER_ALLOW), so on a render node a buffer is created on the
 * primary node of the same device and imported: the render node then holds a
 * handle to the same GEM object (same-device import), which is what a
 * compositor handing a buffer to a render client does.
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "drm-util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>

/* 64 x 64 x 32 bpp: 16 KiB, small enough for every driver and for TCG. */
#define BUF_W 64
#define BUF_H 64
#define BUF_BPP 32

/*
 * Errnos a conforming kernel may return when a driver refuses to import a
 * valid dma-buf exported by another device (drm_gem_prime_import_dev() and
 * the drivers' gem_prime_import / gem_prime_import_sg_table): ENODEV (the
 * driver cannot use foreign memory: virtio_gpu without blob resources), EINVAL
 * (no import_sg_table, or the exporter's buffer does not suit: size,
 * alignment, attach refused), EOPNOTSUPP (an exporter without the operation
 * the importer needs), ENOMEM / ENOSPC (out of memory or address space),
 * EBUSY (pinning refused), EIO (device lost). Anything else (EBADF, ENOENT,
 * EFAULT, ENOTTY, EPERM, EACCES...) says the ioctl itself misbehaved.
 * Kept in step with schemas/observations/prime.cross.schema.json.
 */
static const int cross_refusals[] = { EIO, ENOMEM, EBUSY, ENODEV, EINVAL, ENOSPC, EOPNOTSUPP };

/* ---- small helpers ---- */

static void fill(void *p, size_t n, uint32_t seed)
{
	uint32_t *w = p;

	for (size_t i = 0; i < n / 4; i++)
		w[i] = seed ^ (uint32_t)(i * 2654435761u);
}

/* Index of the first word that differs from the pattern, or -1. */
static long check(const void *p, size_t n, uint32_t seed)
{
	const uint32_t *w = p;

	for (size_t i = 0; i < n / 4; i++)
		if (w[i] != (seed ^ (uint32_t)(i * 2654435761u)))
			return (long)i;
	return -1;
}

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/*
 * Two nodes of the same DRM device share /sys/class/drm/<node>/device.
 * Without sysfs, the same driver name is the best guess.
 */
static bool same_device(const struct hilt_dev *a, const struct hilt_dev *b)
{
	char la[96], lb[96], pa[PATH_MAX], pb[PATH_MAX];

	if (a == b)
		return true;
	if (strcmp(a->driver, b->driver))
		return false;
	snprintf(la, sizeof(la), "/sys/class/drm/%s/device", a->node);
	snprintf(lb, sizeof(lb), "/sys/class/drm/%s/device", b->node);
	if (realpath(la, pa) && realpath(lb, pb))
		return !strcmp(pa, pb);
	return true;
}

/* The node that can create dumb buffers for dev's device: dev itself or its primary sibling. */
static struct hilt_dev *home_of(struct hilt_dev *dev)
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);

	if (hilt_dumb_capable(dev))
		return dev;
	for (size_t i = 0; i < n; i++)
		if (hilt_dumb_capable(&all[i]) && same_device(dev, &all[i]))
			return &all[i];
	return NULL;
}

/* DRM_CAP_PRIME; false (and a skip) when the bit is missing or the query fails. */
static bool need_cap(struct hilt_ctx *ctx, struct hilt_dev *dev, uint64_t bit, uint64_t *caps)
{
	uint64_t v = 0;
	int ret = hilt_get_cap(dev, DRM_CAP_PRIME, &v);

	if (caps)
		*caps = ret ? 0 : v;
	if (ret) {
		hilt_skip(ctx, "DRM_IOCTL_GET_CAP(DRM_CAP_PRIME) on %s refused with %s",
			  dev->node, hilt_errname(-ret));
		return false;
	}
	if (!(v & bit)) {
		hilt_skip(ctx, "%s does not advertise DRM_PRIME_CAP_%s (DRM_CAP_PRIME = %llu)",
			  dev->node, bit == DRM_PRIME_CAP_IMPORT ? "IMPORT" : "EXPORT",
			  (unsigned long long)v);
		return false;
	}
	return true;
}

static int open_again(const struct hilt_dev *dev)
{
	return open(dev->path, O_RDWR | O_CLOEXEC);
}

/* mmap of a dma-buf fd, bracketed by DMA_BUF_IOCTL_SYNC as the UAPI asks. */
static void *dmabuf_map(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int dmabuf_sync(int fd, uint64_t flags)
{
	struct dma_buf_sync s = { .flags = flags };

	return hilt_ioctl(fd, DMA_BUF_IOCTL_SYNC, &s) ? -errno : 0;
}

/* Writes (or checks) the pattern through an mmap of the dma-buf fd. */
static bool dmabuf_io(struct hilt_ctx *ctx, const struct hilt_dev *dev, int fd, size_t size,
		      uint32_t seed, bool write, const char *what)
{
	uint64_t dir = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ;
	void *p = dmabuf_map(fd, size);
	long bad;
	int ret;

	if (!p) {
		hilt_fail(ctx, "mmap of the dma-buf from %s (%s) failed with %s", dev->node, what,
			  hilt_errname(errno));
		return false;
	}
	ret = dmabuf_sync(fd, DMA_BUF_SYNC_START | dir);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(START) on the dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		munmap(p, size);
		return false;
	}
	if (write)
		fill(p, size, seed);
	bad = write ? -1 : check(p, size, seed);
	ret = dmabuf_sync(fd, DMA_BUF_SYNC_END | dir);
	munmap(p, size);
	if (ret) {
		hilt_fail(ctx, "DMA_BUF_IOCTL_SYNC(END) on the dma-buf from %s failed with %s",
			  dev->node, hilt_errname(-ret));
		return false;
	}
	if (bad >= 0) {
		hilt_fail(ctx, "%s: word %ld read through the dma-buf mmap differs from what was written",
			  what, bad);
		return false;
	}
	return true;
}

/* Writes (or checks) the pattern through DRM_IOCTL_MODE_MAP_DUMB + mmap; returns -errno of MAP_DUMB/mmap. */
static int dumb_io(int fd, uint32_t handle, uint64_t size, uint32_t seed, bool write, long *bad)
{
	struct hilt_bo bo = { .handle = handle, .size = size };
	void *p;
	int ret = hilt_dumb_map(fd, &bo, &p);

	*bad = -1;
	if (ret)
		return ret;
	if (write)
		fill(p, size, seed);
	else
		*bad = check(p, size, seed);
	munmap(p, size);
	return 0;
}

/*
 * A GEM handle on dev->fd. When dev cannot create dumb buffers, the buffer
 * is created on home (the primary node of the same device) and imported.
 */
struct pbuf {
	struct hilt_dev *dev, *home;
	uint32_t handle;	/* on dev->fd */
	uint32_t home_handle;	/* on home->fd */
	uint64_t size;
	bool imported;		/* handle came from FD_TO_HANDLE on a sibling's export */
};

static bool pbuf_get(struct hilt_ctx *ctx, struct hilt_dev *dev, struct pbuf *b)
{
	struct hilt_bo bo;
	int ret, fd;

	memset(b, 0, sizeof(*b));
	b->dev = dev;
	b->home = home_of(dev);
	if (!b->home) {
		hilt_skip(ctx, "no dumb-buffer capable primary node shares a device with %s: "
			  "nothing generic can create a buffer there", dev->node);
		return false;
	}
	ret = hilt_dumb_create(b->home->fd, BUF_W, BUF_H, BUF_BPP, &bo);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_CREATE_DUMB %dx%d on %s failed with %s", BUF_W, BUF_H,
			  b->home->node, hilt_errname(-ret));
		return false;
	}
	b->home_handle = bo.handle;
	b->size = bo.size;
	if (b->home == dev) {
		b->handle = bo.handle;
		return true;
	}
	ret = hilt_prime_export(b->home->fd, bo.handle, DRM_CLOEXEC | DRM_RDWR, &fd);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s (to share a buffer with %s) failed with %s",
			  b->home->node, dev->node, hilt_errname(-ret));
		hilt_dumb_destroy(b->home->fd, bo.handle);
		return false;
	}
	ret = hilt_prime_import(dev->fd, fd, &b->handle);
	close(fd);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s of a dma-buf from %s (same device) failed with %s",
			  dev->node, b->home->node, hilt_errname(-ret));
		hilt_dumb_destroy(b->home->fd, bo.handle);
		return false;
	}
	b->imported = true;
	return true;
}

static void pbuf_put(struct pbuf *b)
{
	if (b->imported && b->handle)
		hilt_gem_close(b->dev->fd, b->handle);
	if (b->home_handle)
		hilt_dumb_destroy(b->home->fd, b->home_handle);
	memset(b, 0, sizeof(*b));
}

/* HANDLE_TO_FD that fails the case on error. */
static bool export_ok(struct hilt_ctx *ctx, struct hilt_dev *dev, uint32_t handle, uint32_t flags,
		      int *fd, const char *why)
{
	int ret = hilt_prime_export(dev->fd, handle, flags, fd);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD (handle %u, flags 0x%x, %s) on %s failed with %s",
			  handle, flags, why, dev->node, hilt_errname(-ret));
	return !ret;
}

static bool import_ok(struct hilt_ctx *ctx, const struct hilt_dev *dev, int devfd, int fd,
		      uint32_t *handle, const char *why)
{
	int ret = hilt_prime_import(devfd, fd, handle);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE (%s) on %s failed with %s",
			  why, dev->node, hilt_errname(-ret));
	return !ret;
}

/* ---- export ---- */

static const char *accmode_name(int fl)
{
	switch (fl & O_ACCMODE) {
	case O_RDONLY: return "rdonly";
	case O_WRONLY: return "wronly";
	default: return "rdwr";
	}
}

static void flags_str(char *s, size_t n, uint32_t flags)
{
	snprintf(s, n, "%s%s%s", flags & DRM_CLOEXEC ? "DRM_CLOEXEC" : "",
		 (flags & DRM_CLOEXEC) && (flags & DRM_RDWR) ? "|" : "",
		 flags & DRM_RDWR ? "DRM_RDWR" : flags & DRM_CLOEXEC ? "" : "0");
}

/* One export with the given flags; checks fd flags and that the fd is the buffer's dma-buf. */
static void export_one_flags(struct hilt_ctx *ctx, struct hilt_dev *dev, uint64_t caps, uint32_t flags)
{
	struct hilt_json j;
	struct pbuf b;
	char fl[40];
	int fd, fdfl, stfl;
	off_t end;
	bool cloexec, first;

	if (!pbuf_get(ctx, dev, &b))
		return;
	flags_str(fl, sizeof(fl), flags);
	if (!export_ok(ctx, dev, b.handle, flags, &fd, fl)) {
		pbuf_put(&b);
		return;
	}
	fdfl = fcntl(fd, F_GETFD);
	stfl = fcntl(fd, F_GETFL);
	end = lseek(fd, 0, SEEK_END);
	cloexec = fdfl >= 0 && (fdfl & FD_CLOEXEC);
	/* A render node re-exports the dma-buf its sibling made: its access mode is the first export's. */
	first = !b.imported;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_uint(&j, "caps", caps);
	hj_str(&j, "source", b.imported ? "prime-import" : "dumb");
	hj_str(&j, "flags", fl);
	hj_uint(&j, "handle", b.handle);
	hj_uint(&j, "size", b.size);
	hj_int(&j, "dmabufSize", (long long)end);
	hj_bool(&j, "cloexec", cloexec);
	hj_str(&j, "accmode", accmode_name(stfl));
	hj_bool(&j, "firstExport", first);
	hilt_obs(ctx, "prime.export", &j);

	if (fd < 0)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s returned fd %d", dev->node, fd);
	if (end < 0)
		hilt_fail(ctx, "lseek(SEEK_END) on the fd DRM_IOCTL_PRIME_HANDLE_TO_FD returned on %s failed with %s: not a dma-buf",
			  dev->node, hilt_errname(errno));
	else if ((uint64_t)end != b.size)
		hilt_fail(ctx, "the dma-buf exported on %s is %lld bytes; the GEM object is %llu",
			  dev->node, (long long)end, (unsigned long long)b.size);
	if (cloexec != !!(flags & DRM_CLOEXEC))
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s with flags %s: FD_CLOEXEC is %s",
			  dev->node, fl, cloexec ? "set" : "clear");
	if (first && (stfl & O_ACCMODE) != ((flags & DRM_RDWR) ? O_RDWR : O_RDONLY))
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s with flags %s: the fd is %s, expected %s",
			  dev->node, fl, accmode_name(stfl), (flags & DRM_RDWR) ? "rdwr" : "rdonly");
	/* A read-only dma-buf cannot be mapped shared and writable (mm/mmap.c: no FMODE_WRITE). */
	if (first && !(flags & DRM_RDWR)) {
		void *p = mmap(NULL, b.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		int err = errno;

		if (p != MAP_FAILED)
			munmap(p, b.size);
		hilt_expect_errno(ctx, dev, "mmap(2)",
				  "PROT_WRITE, MAP_SHARED on a dma-buf exported without DRM_RDWR",
				  p == MAP_FAILED ? -1 : 0, err, EACCES);
	}
	close(fd);
	pbuf_put(&b);
}

static void export_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static const uint32_t variants[] = { 0, DRM_CLOEXEC, DRM_RDWR, DRM_CLOEXEC | DRM_RDWR };
	uint64_t caps;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_EXPORT, &caps))
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(variants); i++)
		export_one_flags(ctx, dev, caps, variants[i]);
}

static void t_export(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, export_one);
}

/* ---- import ---- */

/*
 * Imports into a second open file of dev (so the file's own PRIME cache
 * cannot answer), re-exports, and checks the data written by the exporter.
 */
static void import_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_json j;
	struct pbuf b;
	uint32_t h = 0;
	int fd = -1, fd2 = -1, nfd;
	long bad;
	int ret;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_IMPORT, NULL))
		return;
	if (!pbuf_get(ctx, dev, &b))
		return;
	nfd = open_again(dev);
	if (nfd < 0) {
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(errno));
		pbuf_put(&b);
		return;
	}
	ret = dumb_io(b.home->fd, b.home_handle, b.size, 0x11111111, true, &bad);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_MAP_DUMB + mmap on %s failed with %s", b.home->node,
			  hilt_errname(-ret));
		goto out;
	}
	if (!export_ok(ctx, dev, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd, "to import it elsewhere"))
		goto out;
	ret = hilt_prime_import(nfd, fd, &h);

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "exporterDevice", dev->node);
	hj_str(&j, "exporterDriver", dev->driver);
	hj_str(&j, "into", "second-open-file");
	hj_int(&j, "errno", -ret);
	hj_str(&j, "errname", hilt_errname(-ret));
	if (!ret)
		hj_uint(&j, "handle", h);
	hilt_obs(ctx, "prime.import", &j);

	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on a second open file of %s, of a dma-buf exported by %s, failed with %s",
			  dev->node, dev->node, hilt_errname(-ret));
		goto out;
	}
	if (h == 0)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s returned handle 0 (0 is never a valid GEM handle)",
			  dev->node);
	/* The imported handle is the same buffer: re-export it and read what the exporter wrote. */
	ret = hilt_prime_export(nfd, h, DRM_CLOEXEC | DRM_RDWR, &fd2);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD of the imported handle on %s failed with %s",
			  dev->node, hilt_errname(-ret));
		goto out;
	}
	if (fd_ino(fd2) != fd_ino(fd))
		hilt_fail(ctx, "re-exporting a handle imported on %s gave a different dma-buf (inode %lu, was %lu)",
			  dev->node, (unsigned long)fd_ino(fd2), (unsigned long)fd_ino(fd));
	dmabuf_io(ctx, dev, fd2, b.size, 0x11111111, false, "import on a second open file");
out:
	if (h)
		hilt_gem_close(nfd, h);
	if (fd2 >= 0)
		close(fd2);
	if (fd >= 0)
		close(fd);
	close(nfd);
	pbuf_put(&b);
}

static void t_import(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, import_one);
}

/* ---- handle identity ---- */

static void handle_obs(struct hilt_ctx *ctx, struct hilt_dev *dev, const char *what,
		       uint32_t first, uint32_t second, const char *secondHow)
{
	struct hilt_json j;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "what", what);
	hj_uint(&j, "first", first);
	hj_uint(&j, "second", second);
	hj_str(&j, "secondFrom", secondHow);
	hilt_obs(ctx, "prime.handle", &j);
}

static void self_import_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct pbuf b;
	uint32_t h = 0;
	int fd;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_EXPORT, NULL) ||
	    !need_cap(ctx, dev, DRM_PRIME_CAP_IMPORT, NULL))
		return;
	if (!pbuf_get(ctx, dev, &b))
		return;
	if (export_ok(ctx, dev, b.handle, DRM_CLOEXEC, &fd, "self-import")) {
		if (import_ok(ctx, dev, dev->fd, fd, &h, "of a dma-buf this file exported")) {
			handle_obs(ctx, dev, "self-import", b.handle, h, "same-file");
			if (h != b.handle)
				hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s of a dma-buf it exported from handle %u returned handle %u",
					  dev->node, b.handle, h);
			/* A different handle would be a second reference: drop it, never the original. */
			if (h && h != b.handle)
				hilt_gem_close(dev->fd, h);
		}
		close(fd);
	}
	pbuf_put(&b);
}

static void t_self_import(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, self_import_one);
}

static void import_twice_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	uint32_t h1 = 0, h2 = 0, h3 = 0;
	struct pbuf b;
	int fd = -1, dfd = -1, nfd;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_IMPORT, NULL))
		return;
	if (!pbuf_get(ctx, dev, &b))
		return;
	nfd = open_again(dev);
	if (nfd < 0) {
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(errno));
		pbuf_put(&b);
		return;
	}
	if (!export_ok(ctx, dev, b.handle, DRM_CLOEXEC, &fd, "import twice"))
		goto out;
	if (!import_ok(ctx, dev, nfd, fd, &h1, "first import on a second open file") ||
	    !import_ok(ctx, dev, nfd, fd, &h2, "the same fd again"))
		goto out;
	handle_obs(ctx, dev, "import-twice", h1, h2, "same-fd");
	if (h1 != h2)
		hilt_fail(ctx, "importing the same dma-buf twice on %s returned handles %u and %u",
			  dev->node, h1, h2);
	/* Another fd for the same dma-buf: still the same handle. */
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0 || !import_ok(ctx, dev, nfd, dfd, &h3, "a dup() of the fd"))
		goto out;
	handle_obs(ctx, dev, "import-twice", h1, h3, "dup-fd");
	if (h3 != h1)
		hilt_fail(ctx, "importing a dup() of a dma-buf fd on %s returned handle %u; the first import gave %u",
			  dev->node, h3, h1);
out:
	if (h3 && h3 != h1)
		hilt_gem_close(nfd, h3);
	if (h2 && h2 != h1)
		hilt_gem_close(nfd, h2);
	if (h1)
		hilt_gem_close(nfd, h1);
	if (dfd >= 0)
		close(dfd);
	if (fd >= 0)
		close(fd);
	close(nfd);
	pbuf_put(&b);
}

static void t_import_twice(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, import_twice_one);
}

/* ---- lifetimes ---- */

static void lifetime_obs(struct hilt_ctx *ctx, struct hilt_dev *dev, const char *what,
			 int reexport_err, bool same_dmabuf, bool data_ok)
{
	struct hilt_json j;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "what", what);
	hj_int(&j, "errno", reexport_err);
	hj_str(&j, "errname", hilt_errname(reexport_err));
	hj_bool(&j, "sameDmabuf", same_dmabuf);
	hj_bool(&j, "dataOk", data_ok);
	hilt_obs(ctx, "prime.lifetime", &j);
}

/*
 * Exporter side: close the dma-buf fd, the handle still works and exports
 * again (DRM core keeps the dma-buf cached on the handle until it is closed,
 * so it is the same dma-buf). Importer side: import on a second file, close
 * the fd, the imported handle still re-exports and reads the data.
 */
static void handle_outlives_fd_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	uint32_t h = 0, h2 = 0;
	struct pbuf b;
	ino_t ino;
	int fd = -1, ret, nfd = -1;
	bool same, data;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_EXPORT, NULL) ||
	    !need_cap(ctx, dev, DRM_PRIME_CAP_IMPORT, NULL))
		return;
	if (!pbuf_get(ctx, dev, &b))
		return;
	if (!export_ok(ctx, dev, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd, "first export"))
		goto out;
	ino = fd_ino(fd);
	if (!dmabuf_io(ctx, dev, fd, b.size, 0x22222222, true, "write before closing the fd"))
		goto out;
	close(fd);
	fd = -1;

	ret = hilt_prime_export(dev->fd, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd);
	same = !ret && fd_ino(fd) == ino;
	data = !ret && dmabuf_io(ctx, dev, fd, b.size, 0x22222222, false,
				 "re-export after closing the first fd");
	lifetime_obs(ctx, dev, "exporter-handle-after-fd-close", -ret, same, data);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s after closing the first dma-buf fd failed with %s",
			  dev->node, hilt_errname(-ret));
		goto out;
	}
	/* The handle is still cached against the dma-buf: importing it gives the original handle. */
	if (import_ok(ctx, dev, dev->fd, fd, &h, "of the re-exported fd") && h != b.handle) {
		hilt_fail(ctx, "importing the re-exported dma-buf on %s returned handle %u, not the original %u",
			  dev->node, h, b.handle);
		hilt_gem_close(dev->fd, h);
	}

	/* Importer side. */
	nfd = open_again(dev);
	if (nfd < 0) {
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(errno));
		goto out;
	}
	if (!import_ok(ctx, dev, nfd, fd, &h2, "on a second open file"))
		goto out;
	close(fd);
	fd = -1;
	ret = hilt_prime_export(nfd, h2, DRM_CLOEXEC | DRM_RDWR, &fd);
	same = !ret && fd_ino(fd) == ino;
	data = !ret && dmabuf_io(ctx, dev, fd, b.size, 0x22222222, false,
				 "re-export of an imported handle after closing the fd");
	lifetime_obs(ctx, dev, "importer-handle-after-fd-close", -ret, same, data);
	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD of an imported handle on %s after closing the imported fd failed with %s",
			  dev->node, hilt_errname(-ret));
	else if (!same)
		hilt_fail(ctx, "re-exporting an imported handle on %s gave a different dma-buf than the one imported",
			  dev->node);
out:
	if (h2)
		hilt_gem_close(nfd, h2);
	if (nfd >= 0)
		close(nfd);
	if (fd >= 0)
		close(fd);
	pbuf_put(&b);
}

static void t_handle_outlives_fd(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, handle_outlives_fd_one);
}

/* The dma-buf keeps the buffer alive after every GEM handle to it is closed. */
static void dmabuf_outlives_handle_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct pbuf b;
	uint32_t h = 0;
	uint64_t size;
	int fd = -1, fd2 = -1, ret;
	bool data;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_EXPORT, NULL) ||
	    !need_cap(ctx, dev, DRM_PRIME_CAP_IMPORT, NULL))
		return;
	if (!pbuf_get(ctx, dev, &b))
		return;
	size = b.size;
	if (!export_ok(ctx, dev, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd, "before closing the handles") ||
	    !dmabuf_io(ctx, dev, fd, size, 0x33333333, true, "write before closing the handles")) {
		if (fd >= 0)
			close(fd);
		pbuf_put(&b);
		return;
	}
	pbuf_put(&b);	/* every GEM handle to the buffer is gone now */

	data = dmabuf_io(ctx, dev, fd, size, 0x33333333, false, "dma-buf after its GEM handles closed");
	ret = hilt_prime_import(dev->fd, fd, &h);
	if (!ret)
		ret = hilt_prime_export(dev->fd, h, DRM_CLOEXEC, &fd2);
	lifetime_obs(ctx, dev, "dmabuf-after-handle-close", -ret, !ret && fd_ino(fd2) == fd_ino(fd), data);
	if (ret)
		hilt_fail(ctx, "importing (and re-exporting) a dma-buf on %s after its GEM handles were closed failed with %s",
			  dev->node, hilt_errname(-ret));
	if (h)
		hilt_gem_close(dev->fd, h);
	if (fd2 >= 0)
		close(fd2);
	close(fd);
}

static void t_dmabuf_outlives_handle(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, dmabuf_outlives_handle_one);
}

/* ---- misuse ---- */

static void export_bad_flags_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	/* drm_prime_handle_to_fd_ioctl(): flags other than DRM_CLOEXEC | DRM_RDWR are -EINVAL. */
	static const struct { uint32_t flags; const char *what; } bad[] = {
		{ O_WRONLY, "flags O_WRONLY (0x1, neither DRM_CLOEXEC nor DRM_RDWR)" },
		{ O_NONBLOCK | DRM_CLOEXEC, "flags DRM_CLOEXEC | O_NONBLOCK" },
		{ 0xffffffffu, "flags 0xffffffff" },
	};
	struct pbuf b;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_EXPORT, NULL))
		return;
	if (!pbuf_get(ctx, dev, &b))
		return;
	for (size_t i = 0; i < HILT_ARRAY_SIZE(bad); i++) {
		struct drm_prime_handle arg = { .handle = b.handle, .flags = bad[i].flags, .fd = -1 };
		int ret = hilt_ioctl(dev->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg);
		int err = errno;

		if (!ret && arg.fd >= 0)
			close(arg.fd);
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_PRIME_HANDLE_TO_FD", bad[i].what, ret, err, EINVAL);
	}
	pbuf_put(&b);
}

static void t_export_bad_flags(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, export_bad_flags_one);
}

static void export_bad_handle_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct drm_prime_handle arg = { .handle = 0, .flags = DRM_CLOEXEC, .fd = -1 };
	struct pbuf b;
	uint32_t gone;
	int ret, err;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_EXPORT, NULL))
		return;
	/* drm_gem_prime_handle_to_dmabuf(): no such object is -ENOENT. */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg);
	err = errno;
	if (!ret && arg.fd >= 0)
		close(arg.fd);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_PRIME_HANDLE_TO_FD", "handle 0 (never a GEM handle)",
			  ret, err, ENOENT);

	if (!pbuf_get(ctx, dev, &b))
		return;
	gone = b.handle;
	pbuf_put(&b);
	arg = (struct drm_prime_handle){ .handle = gone, .flags = DRM_CLOEXEC, .fd = -1 };
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg);
	err = errno;
	if (!ret && arg.fd >= 0)
		close(arg.fd);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_PRIME_HANDLE_TO_FD", "a handle already closed",
			  ret, err, ENOENT);
}

static void t_export_bad_handle(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, export_bad_handle_one);
}

static int import_raw(struct hilt_dev *dev, int fd, int *err)
{
	struct drm_prime_handle arg = { .fd = fd };
	int ret = hilt_ioctl(dev->fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &arg);

	*err = errno;
	if (!ret && arg.handle)
		hilt_gem_close(dev->fd, arg.handle);
	return ret;
}

static void import_closed_fd_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct pbuf b;
	int fd, ret, err;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_IMPORT, NULL))
		return;
	/* dma_buf_get(): fget() fails: -EBADF. */
	ret = import_raw(dev, -1, &err);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_PRIME_FD_TO_HANDLE", "fd -1", ret, err, EBADF);

	if (!pbuf_get(ctx, dev, &b))
		return;
	if (export_ok(ctx, dev, b.handle, DRM_CLOEXEC, &fd, "to close it")) {
		close(fd);
		ret = import_raw(dev, fd, &err);
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
				  "a dma-buf fd already closed", ret, err, EBADF);
	}
	pbuf_put(&b);
}

static void t_import_closed_fd(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, import_closed_fd_one);
}

static void import_not_dmabuf_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	int mfd, ret, err;

	if (!need_cap(ctx, dev, DRM_PRIME_CAP_IMPORT, NULL))
		return;
	/* dma_buf_get(): a file that is not a dma-buf is -EINVAL. */
	mfd = memfd_create("hilt-prime", MFD_CLOEXEC);
	if (mfd < 0) {
		hilt_skip(ctx, "memfd_create failed with %s", hilt_errname(errno));
		return;
	}
	if (ftruncate(mfd, 4096 * 4) == 0) {
		ret = import_raw(dev, mfd, &err);
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_PRIME_FD_TO_HANDLE", "a memfd (not a dma-buf)",
				  ret, err, EINVAL);
	}
	close(mfd);
	ret = import_raw(dev, dev->fd, &err);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_PRIME_FD_TO_HANDLE", "the DRM device fd itself",
			  ret, err, EINVAL);
}

static void t_import_not_dmabuf(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, import_not_dmabuf_one);
}

/* ---- cross-device ---- */

static bool cross_refusal_ok(int err)
{
	for (size_t i = 0; i < HILT_ARRAY_SIZE(cross_refusals); i++)
		if (cross_refusals[i] == err)
			return true;
	return false;
}

/* One node per DRM device: its dumb-capable primary node, else its first node. */
static size_t device_reps(struct hilt_dev **reps, size_t max)
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all), nr = 0;

	for (size_t i = 0; i < n; i++) {
		struct hilt_dev *d = &all[i];
		size_t k;

		if (d->fd < 0 || d->kind == HILT_NODE_ACCEL)
			continue;
		for (k = 0; k < nr; k++)
			if (same_device(reps[k], d))
				break;
		if (k < nr) {
			if (!hilt_dumb_capable(reps[k]) && hilt_dumb_capable(d))
				reps[k] = d;
			continue;
		}
		if (nr < max)
			reps[nr++] = d;
	}
	return nr;
}

/*
 * exp creates a dumb buffer, writes a pattern, exports it; imp imports it.
 * Where the import works, imp's view must show the pattern, and what is
 * written through imp's view must show through exp's dumb mapping.
 */
static void cross_pair(struct hilt_ctx *ctx, struct hilt_dev *exp, struct hilt_dev *imp)
{
	struct hilt_json j;
	struct hilt_bo bo;
	uint64_t caps = 0;
	uint32_t h = 0;
	int fd = -1, fd2 = -1, ret, map_ret = 0, caps_ret;
	long bad = -1;
	const char *path = "none";
	bool data_ok = false, same = false;

	caps_ret = hilt_get_cap(imp, DRM_CAP_PRIME, &caps);
	ret = hilt_dumb_create(exp->fd, BUF_W, BUF_H, BUF_BPP, &bo);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_CREATE_DUMB on %s failed with %s", exp->node, hilt_errname(-ret));
		return;
	}
	ret = dumb_io(exp->fd, bo.handle, bo.size, 0x44444444, true, &bad);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_MAP_DUMB + mmap on %s failed with %s", exp->node, hilt_errname(-ret));
		goto out;
	}
	ret = hilt_prime_export(exp->fd, bo.handle, DRM_CLOEXEC | DRM_RDWR, &fd);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s failed with %s", exp->node, hilt_errname(-ret));
		goto out;
	}
	ret = hilt_prime_import(imp->fd, fd, &h);
	if (!ret) {
		/* Read what the exporter wrote, through the importer's own mapping if it has one. */
		map_ret = dumb_io(imp->fd, h, bo.size, 0x44444444, false, &bad);
		if (!map_ret) {
			path = "map-dumb";
			data_ok = bad < 0;
			if (data_ok) {
				dumb_io(imp->fd, h, bo.size, 0x55555555, true, &bad);
				dumb_io(exp->fd, bo.handle, bo.size, 0x55555555, false, &bad);
				data_ok = bad < 0;
			}
		} else if (!hilt_prime_export(imp->fd, h, DRM_CLOEXEC | DRM_RDWR, &fd2)) {
			/* DRM core refuses MAP_DUMB on imported objects: map the importer's re-export. */
			path = "dmabuf-mmap";
			same = fd_ino(fd2) == fd_ino(fd);
			data_ok = dmabuf_io(ctx, imp, fd2, bo.size, 0x44444444, false,
					    "importer's re-export of the foreign dma-buf") &&
				  dmabuf_io(ctx, imp, fd2, bo.size, 0x55555555, true,
					    "write through the importer's re-export");
			if (data_ok) {
				dumb_io(exp->fd, bo.handle, bo.size, 0x55555555, false, &bad);
				data_ok = bad < 0;
			}
		} else {
			path = "none";
		}
		if (fd2 < 0 && !hilt_prime_export(imp->fd, h, DRM_CLOEXEC, &fd2))
			same = fd_ino(fd2) == fd_ino(fd);
	}

	hj_begin(&j);
	hj_dev(&j, imp);
	hj_str(&j, "exporterDevice", exp->node);
	hj_str(&j, "exporterDriver", exp->driver);
	if (caps_ret)
		hj_null(&j, "importerCaps");
	else
		hj_uint(&j, "importerCaps", caps);
	hj_uint(&j, "size", bo.size);
	hj_int(&j, "errno", -ret);
	hj_str(&j, "errname", hilt_errname(-ret));
	if (!ret) {
		hj_int(&j, "mapDumbErrno", -map_ret);
		hj_str(&j, "mapDumbErrname", hilt_errname(-map_ret));
		hj_str(&j, "readback", path);
		hj_bool(&j, "dataOk", data_ok);
		hj_bool(&j, "reexportSameDmabuf", same);
	}
	hilt_obs(ctx, "prime.cross", &j);

	if (ret) {
		if (cross_refusal_ok(-ret))
			hilt_diag(ctx, "%s (%s) refuses a dma-buf from %s (%s) with %s: a driver limitation, not a conformance failure; a driver profile pins it",
				  imp->node, imp->driver, exp->node, exp->driver, hilt_errname(-ret));
		else
			hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s (%s) of a dma-buf from %s (%s) failed with %s, which no conforming kernel returns for a valid foreign dma-buf",
				  imp->node, imp->driver, exp->node, exp->driver, hilt_errname(-ret));
	} else if (!strcmp(path, "none")) {
		hilt_fail(ctx, "%s imported a dma-buf from %s but neither MAP_DUMB (%s) nor re-exporting the handle gives a mapping",
			  imp->node, exp->node, hilt_errname(-map_ret));
	} else if (!data_ok) {
		hilt_fail(ctx, "data shared %s -> %s through %s does not read back (first bad word %ld)",
			  exp->node, imp->node, path, bad);
	} else if (!same) {
		hilt_fail(ctx, "re-exporting the handle %s imported gave a different dma-buf than the one %s exported",
			  imp->node, exp->node);
	}
out:
	if (h)
		hilt_gem_close(imp->fd, h);
	if (fd2 >= 0)
		close(fd2);
	if (fd >= 0)
		close(fd);
	hilt_dumb_destroy(exp->fd, bo.handle);
}

/* Exporter: each device's representative node. Importer: every primary and render node of each other device. */
static void t_cross_device(struct hilt_ctx *ctx)
{
	struct hilt_dev *reps[HILT_MAX_DEVS], *all;
	size_t nr = device_reps(reps, HILT_ARRAY_SIZE(reps));
	size_t n = hilt_devices(&all);
	int pairs = 0;

	for (size_t a = 0; a < nr; a++) {
		for (size_t i = 0; i < n; i++) {
			struct hilt_dev *imp = &all[i];

			if (imp->fd < 0 || imp->kind == HILT_NODE_ACCEL || same_device(reps[a], imp))
				continue;
			hilt_sub_begin(ctx);
			if (!hilt_dumb_capable(reps[a]))
				hilt_skip(ctx, "%s cannot create dumb buffers: nothing generic to export",
					  reps[a]->node);
			else
				cross_pair(ctx, reps[a], imp);
			hilt_sub_end(ctx, "%s-%s-to-%s-%s", reps[a]->driver, reps[a]->node,
				     imp->driver, imp->node);
			pairs++;
		}
	}
	if (!pairs)
		hilt_skip(ctx, "cross-device sharing needs two DRM devices; found %zu", nr);
}

static const struct hilt_case cases[] = {
	{ "export", t_export, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "each node advertising DRM_PRIME_CAP_EXPORT turns a GEM handle into a dma-buf fd of the buffer's size, honouring DRM_CLOEXEC and DRM_RDWR (a read-only export refuses a writable shared mmap with EACCES)",
	  "prime.export,ioctl.errno" },
	{ "import", t_import, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "each node advertising DRM_PRIME_CAP_IMPORT turns a dma-buf fd into a nonzero GEM handle on another open file, which re-exports as the same dma-buf with the exporter's data",
	  "prime.import" },
	{ "self-import", t_self_import, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "importing a dma-buf into the file that exported it returns the handle it was exported from",
	  "prime.handle" },
	{ "import-twice", t_import_twice, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "importing the same dma-buf twice (same fd, then a dup) into one file returns the same handle each time",
	  "prime.handle" },
	{ "handle-outlives-fd", t_handle_outlives_fd, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "after the dma-buf fd is closed, the exporter's and an importer's GEM handles still work and re-export the same dma-buf with its data",
	  "prime.lifetime" },
	{ "dmabuf-outlives-handle", t_dmabuf_outlives_handle, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "after every GEM handle is closed, the dma-buf fd still maps the data and imports again",
	  "prime.lifetime" },
	{ "export-invalid-flags", t_export_bad_flags, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "flags other than DRM_CLOEXEC and DRM_RDWR are refused with EINVAL",
	  "ioctl.errno" },
	{ "export-invalid-handle", t_export_bad_handle, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "exporting handle 0 or a closed handle is refused with ENOENT",
	  "ioctl.errno" },
	{ "import-closed-fd", t_import_closed_fd, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "importing fd -1 or a closed dma-buf fd is refused with EBADF",
	  "ioctl.errno" },
	{ "import-not-dmabuf", t_import_not_dmabuf, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "importing an fd that is not a dma-buf (a memfd, the DRM device itself) is refused with EINVAL",
	  "ioctl.errno" },
	{ "cross-device", t_cross_device, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "for each ordered pair of DRM devices, a dma-buf one exports either imports into the other with the data readable and writable both ways, or is refused with an errno a conforming kernel uses for a driver limitation",
	  "prime.cross" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "prime", cases, HILT_ARRAY_SIZE(cases));
}
