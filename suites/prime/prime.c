// SPDX-License-Identifier: MIT
/*
 * prime: DRM PRIME buffer sharing (DRM_IOCTL_PRIME_HANDLE_TO_FD and
 * DRM_IOCTL_PRIME_FD_TO_HANDLE) on every node, the handle and dma-buf
 * lifetime rules of drivers/gpu/drm/drm_prime.c (also under races, across
 * fork and SCM_RIGHTS), misuse refused with the errno the kernel defines,
 * and sharing between two different DRM devices (vgem <-> virtio-gpu in QEMU).
 *
 * What a cross-device import proves here: the import succeeds (or is refused
 * with an errno a driver limitation explains), the importer's handle exports
 * back as the exporter's own dma-buf (same inode), and the exporter's data
 * survives the round trip. The importer's own view of the memory is never
 * read: DRM core refuses MODE_MAP_DUMB on an imported object with EINVAL
 * (drm_gem_dumb_map_offset(): drm_gem_is_imported()), which import-map-dumb
 * asserts; a device reading through the sg_table needs a driver that does.
 *
 * DRM_CAP_PRIME is recorded, never used to skip: DRM core answers
 * IMPORT|EXPORT (3) for every driver (drm_getcap()), so it cannot tell.
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
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dmabuf.h"
#include "vaccel-prime.h"

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
 * driver cannot use foreign memory: virtio_gpu's
 * virtgpu_gem_prime_import_sg_table() returns it unconditionally in 6.12), EINVAL
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

/* Another open file of dev, registered for cleanup; -1 (errno set) on failure. */
static int open_again(struct hilt_ctx *ctx, const struct hilt_dev *dev)
{
	return hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
}

/* Writes (or checks) the pattern through an mmap of the dma-buf fd. */
static bool dmabuf_io(struct hilt_ctx *ctx, const struct hilt_dev *dev, int fd, size_t size,
		      uint32_t seed, bool write, const char *what)
{
	uint64_t dir = write ? DMA_BUF_SYNC_WRITE : DMA_BUF_SYNC_READ;
	void *p = dmabuf_mmap(fd, size);
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
	struct hilt_ctx *ctx;
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
	hilt_defer_dumb_destroy(ctx, b->home->fd, bo.handle);
	b->ctx = ctx;
	if (b->home == dev) {
		b->handle = bo.handle;
		return true;
	}
	ret = hilt_prime_export(b->home->fd, bo.handle, DRM_CLOEXEC | DRM_RDWR, &fd);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s (to share a buffer with %s) failed with %s",
			  b->home->node, dev->node, hilt_errname(-ret));
		return false;
	}
	ret = hilt_prime_import(dev->fd, fd, &b->handle);
	close(fd);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s of a dma-buf from %s (same device) failed with %s",
			  dev->node, b->home->node, hilt_errname(-ret));
		return false;
	}
	hilt_defer_gem_close(ctx, dev->fd, b->handle);
	b->imported = true;
	return true;
}

/* Closes the buffer's handles now (they are registered for cleanup otherwise). */
static void pbuf_put(struct pbuf *b)
{
	if (b->imported && b->handle)
		hilt_release_handle(b->ctx, b->dev->fd, b->handle);
	if (b->home_handle)
		hilt_release_handle(b->ctx, b->home->fd, b->home_handle);
	memset(b, 0, sizeof(*b));
}

/* HANDLE_TO_FD that fails the case on error; the fd is registered for cleanup. */
static bool export_ok(struct hilt_ctx *ctx, struct hilt_dev *dev, uint32_t handle, uint32_t flags,
		      int *fd, const char *why)
{
	int ret = hilt_prime_export(dev->fd, handle, flags, fd);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD (handle %u, flags 0x%x, %s) on %s failed with %s",
			  handle, flags, why, dev->node, hilt_errname(-ret));
	else
		hilt_defer_close(ctx, *fd);
	return !ret;
}

/* FD_TO_HANDLE on devfd (a file of dev) that fails the case on error; the handle is registered. */
static bool import_ok(struct hilt_ctx *ctx, const struct hilt_dev *dev, int devfd, int fd,
		      uint32_t *handle, const char *why)
{
	int ret = hilt_prime_import(devfd, fd, handle);

	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE (%s) on %s failed with %s",
			  why, dev->node, hilt_errname(-ret));
	else
		hilt_defer_gem_close(ctx, devfd, *handle);
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
	hilt_close(ctx, &fd);
	pbuf_put(&b);
}

static void export_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static const uint32_t variants[] = { 0, DRM_CLOEXEC, DRM_RDWR, DRM_CLOEXEC | DRM_RDWR };
	uint64_t caps = hilt_prime_caps(dev);	/* recorded: DRM core says 3 for every driver */

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
 * cannot answer): the import succeeds with a nonzero handle, that handle
 * exports back as the same dma-buf (inode), and the exporter's data reads
 * back after the round trip.
 */
static void import_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_json j;
	struct pbuf b;
	uint32_t h = 0;
	int fd = -1, fd2 = -1, nfd;
	long bad;
	int ret;

	if (!pbuf_get(ctx, dev, &b))
		return;
	nfd = open_again(ctx, dev);
	if (nfd < 0) {
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(errno));
		return;
	}
	ret = dumb_io(b.home->fd, b.home_handle, b.size, 0x11111111, true, &bad);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_MAP_DUMB + mmap on %s failed with %s", b.home->node,
			  hilt_errname(-ret));
		return;
	}
	if (!export_ok(ctx, dev, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd, "to import it elsewhere"))
		return;
	ret = hilt_prime_import(nfd, fd, &h);
	if (!ret)
		hilt_defer_gem_close(ctx, nfd, h);

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
		return;
	}
	if (h == 0)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s returned handle 0 (0 is never a valid GEM handle)",
			  dev->node);
	/* Handle identity: the imported handle exports back as the same dma-buf. */
	ret = hilt_prime_export(nfd, h, DRM_CLOEXEC | DRM_RDWR, &fd2);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD of the imported handle on %s failed with %s",
			  dev->node, hilt_errname(-ret));
		return;
	}
	hilt_defer_close(ctx, fd2);
	if (fd_ino(fd2) != fd_ino(fd))
		hilt_fail(ctx, "re-exporting a handle imported on %s gave a different dma-buf (inode %lu, was %lu)",
			  dev->node, (unsigned long)fd_ino(fd2), (unsigned long)fd_ino(fd));
	dmabuf_io(ctx, dev, fd2, b.size, 0x11111111, false, "the exporter's data after an import round trip");
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
	int fd, ret;

	if (!pbuf_get(ctx, dev, &b) || !export_ok(ctx, dev, b.handle, DRM_CLOEXEC, &fd, "self-import"))
		return;
	/* Not import_ok(): the handle it gives back is the original, which pbuf owns. */
	ret = hilt_prime_import(dev->fd, fd, &h);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE (of a dma-buf this file exported) on %s failed with %s",
			  dev->node, hilt_errname(-ret));
		return;
	}
	handle_obs(ctx, dev, "self-import", b.handle, h, "same-file");
	if (h != b.handle) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s of a dma-buf it exported from handle %u returned handle %u",
			  dev->node, b.handle, h);
		/* A different handle would be a second reference: drop it, never the original. */
		if (h)
			hilt_gem_close(dev->fd, h);
	}
}

static void t_self_import(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, self_import_one);
}

static void import_twice_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	uint32_t h1 = 0, h2 = 0, h3 = 0;
	struct pbuf b;
	int fd = -1, dfd, nfd;

	if (!pbuf_get(ctx, dev, &b))
		return;
	nfd = open_again(ctx, dev);
	if (nfd < 0) {
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(errno));
		return;
	}
	if (!export_ok(ctx, dev, b.handle, DRM_CLOEXEC, &fd, "import twice") ||
	    !import_ok(ctx, dev, nfd, fd, &h1, "first import on a second open file") ||
	    hilt_prime_import(nfd, fd, &h2))
		return;
	handle_obs(ctx, dev, "import-twice", h1, h2, "same-fd");
	if (h1 != h2) {
		hilt_fail(ctx, "importing the same dma-buf twice on %s returned handles %u and %u",
			  dev->node, h1, h2);
		hilt_defer_gem_close(ctx, nfd, h2);
	}
	/* Another fd for the same dma-buf: still the same handle. */
	dfd = hilt_defer_close(ctx, fcntl(fd, F_DUPFD_CLOEXEC, 0));
	if (dfd < 0 || hilt_prime_import(nfd, dfd, &h3)) {
		hilt_fail(ctx, "importing a dup() of the dma-buf fd on %s failed", dev->node);
		return;
	}
	handle_obs(ctx, dev, "import-twice", h1, h3, "dup-fd");
	if (h3 != h1) {
		hilt_fail(ctx, "importing a dup() of a dma-buf fd on %s returned handle %u; the first import gave %u",
			  dev->node, h3, h1);
		hilt_defer_gem_close(ctx, nfd, h3);
	}
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
	int fd = -1, ret, nfd;
	bool same, data;

	if (!pbuf_get(ctx, dev, &b) ||
	    !export_ok(ctx, dev, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd, "first export"))
		return;
	ino = fd_ino(fd);
	if (!dmabuf_io(ctx, dev, fd, b.size, 0x22222222, true, "write before closing the fd"))
		return;
	hilt_close(ctx, &fd);

	ret = hilt_prime_export(dev->fd, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd);
	if (!ret)
		hilt_defer_close(ctx, fd);
	same = !ret && fd_ino(fd) == ino;
	data = !ret && dmabuf_io(ctx, dev, fd, b.size, 0x22222222, false,
				 "re-export after closing the first fd");
	lifetime_obs(ctx, dev, "exporter-handle-after-fd-close", -ret, same, data);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_PRIME_HANDLE_TO_FD on %s after closing the first dma-buf fd failed with %s",
			  dev->node, hilt_errname(-ret));
		return;
	}
	/* The handle is still cached against the dma-buf: importing it gives the original handle. */
	ret = hilt_prime_import(dev->fd, fd, &h);
	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE of the re-exported fd on %s failed with %s",
			  dev->node, hilt_errname(-ret));
	else if (h != b.handle) {
		hilt_fail(ctx, "importing the re-exported dma-buf on %s returned handle %u, not the original %u",
			  dev->node, h, b.handle);
		hilt_gem_close(dev->fd, h);
	}

	/* Importer side. */
	nfd = open_again(ctx, dev);
	if (nfd < 0) {
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(errno));
		return;
	}
	if (!import_ok(ctx, dev, nfd, fd, &h2, "on a second open file"))
		return;
	hilt_close(ctx, &fd);
	ret = hilt_prime_export(nfd, h2, DRM_CLOEXEC | DRM_RDWR, &fd);
	if (!ret)
		hilt_defer_close(ctx, fd);
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
}

static void t_handle_outlives_fd(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, handle_outlives_fd_one);
}

/*
 * Imports a dma-buf into dev's file and exports the import again (both
 * deferred for closing): the round trip a lifetime check proves the dma-buf
 * still makes. Returns 0 or the first negative errno.
 */
static int import_and_reexport(struct hilt_ctx *ctx, struct hilt_dev *dev, int fd, int *fd2)
{
	uint32_t h = 0;
	int ret = hilt_prime_import(dev->fd, fd, &h);

	if (!ret) {
		hilt_defer_gem_close(ctx, dev->fd, h);
		ret = hilt_prime_export(dev->fd, h, DRM_CLOEXEC, fd2);
		if (!ret)
			hilt_defer_close(ctx, *fd2);
	}
	return ret;
}

/* The dma-buf keeps the buffer alive after every GEM handle to it is closed. */
static void dmabuf_outlives_handle_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct pbuf b;
	uint64_t size;
	int fd = -1, fd2 = -1, ret;
	bool data;

	if (!pbuf_get(ctx, dev, &b))
		return;
	size = b.size;
	if (!export_ok(ctx, dev, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd, "before closing the handles") ||
	    !dmabuf_io(ctx, dev, fd, size, 0x33333333, true, "write before closing the handles"))
		return;
	pbuf_put(&b);	/* every GEM handle to the buffer is gone now */

	data = dmabuf_io(ctx, dev, fd, size, 0x33333333, false, "dma-buf after its GEM handles closed");
	ret = import_and_reexport(ctx, dev, fd, &fd2);
	lifetime_obs(ctx, dev, "dmabuf-after-handle-close", -ret, !ret && fd_ino(fd2) == fd_ino(fd), data);
	if (ret)
		hilt_fail(ctx, "importing (and re-exporting) a dma-buf on %s after its GEM handles were closed failed with %s",
			  dev->node, hilt_errname(-ret));
}

static void t_dmabuf_outlives_handle(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, dmabuf_outlives_handle_one);
}

/*
 * A dma-buf outlives the device file it was exported from: a buffer made on
 * a private open of the node, exported, then its handle and the file itself
 * closed. The dma-buf still maps the data and imports into another file
 * (drm_gem_prime_export() holds a reference to the object and the device).
 */
static void dmabuf_outlives_file_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_dev *home = home_of(dev);
	struct hilt_bo bo;
	int pfd, fd = -1, fd2 = -1, ret;
	bool data;

	if (!home) {
		hilt_skip(ctx, "no dumb-buffer capable primary node shares a device with %s", dev->node);
		return;
	}
	pfd = open(home->path, O_RDWR | O_CLOEXEC);
	if (pfd < 0) {
		hilt_fail(ctx, "open %s: %s", home->path, hilt_errname(errno));
		return;
	}
	ret = hilt_dumb_create(pfd, BUF_W, BUF_H, BUF_BPP, &bo);
	if (!ret)
		ret = hilt_prime_export(pfd, bo.handle, DRM_CLOEXEC | DRM_RDWR, &fd);
	if (ret) {
		hilt_fail(ctx, "a dumb buffer exported from a private open of %s: %s", home->node, hilt_errname(-ret));
		close(pfd);
		return;
	}
	hilt_defer_close(ctx, fd);
	data = dmabuf_io(ctx, dev, fd, bo.size, 0x66666666, true, "write before closing the device file");
	hilt_gem_close(pfd, bo.handle);
	close(pfd);	/* the file that made the buffer is gone */
	data = data && dmabuf_io(ctx, dev, fd, bo.size, 0x66666666, false,
				 "the dma-buf after its device file was closed");
	ret = import_and_reexport(ctx, dev, fd, &fd2);
	lifetime_obs(ctx, dev, "dmabuf-after-file-close", -ret, !ret && fd_ino(fd2) == fd_ino(fd), data);
	if (ret)
		hilt_fail(ctx, "importing on %s a dma-buf whose exporting file was closed failed with %s",
			  dev->node, hilt_errname(-ret));
	else if (fd_ino(fd2) != fd_ino(fd))
		hilt_fail(ctx, "the handle %s imported from a dma-buf whose exporting file was closed exports a different dma-buf",
			  dev->node);
}

static void t_dmabuf_outlives_file(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, dmabuf_outlives_file_one);
}

/* ---- races ---- */

#define RACE_ROUNDS 200

/* dma-bufs the kernel has now, recorded before a case so that a leak shows after it. */
static long leak_baseline(void)
{
	return dmabuf_count_live(NULL);
}

/* Compares the kernel's dma-buf count with the baseline once everything the subtest held is released. */
static void leak_check(struct hilt_ctx *ctx, struct hilt_dev *dev, const char *what, long before)
{
	const char *source = NULL;
	struct hilt_json j;
	long after;

	if (before < 0) {
		hilt_diag(ctx, "no dma-buf leak check: the kernel shows neither /sys/kernel/dmabuf (CONFIG_DMABUF_SYSFS_STATS) nor debugfs dma_buf/bufinfo");
		return;
	}
	hilt_release_all(ctx);
	after = dmabuf_count_live(&source);
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "what", what);
	hj_str(&j, "source", source ? source : "");
	hj_int(&j, "before", before);
	hj_int(&j, "after", after);
	hilt_obs(ctx, "dmabuf.leak", &j);
	if (after != before)
		hilt_fail(ctx, "%s on %s: %ld dma-bufs in %s before, %ld after every fd and handle was closed",
			  what, dev->node, before, source ? source : "?", after);
}

struct export_race {
	int fd;
	uint32_t handle;
	uint64_t size;
	volatile int stop;
	int exported, refused, other_err, bad_size;
	int fds[RACE_ROUNDS];
};

static void *export_racer(void *p)
{
	struct export_race *r = p;

	for (int i = 0; i < RACE_ROUNDS && !r->stop; i++) {
		int fd = -1, ret = hilt_prime_export(r->fd, r->handle, DRM_CLOEXEC, &fd);

		r->fds[i] = -1;
		if (!ret) {
			off_t end = lseek(fd, 0, SEEK_END);

			if (end < 0 || (uint64_t)end != r->size)
				r->bad_size++;
			r->fds[i] = fd;
			__atomic_add_fetch(&r->exported, 1, __ATOMIC_SEQ_CST);
		} else if (ret == -ENOENT) {
			r->refused++;
		} else {
			r->other_err++;
		}
	}
	return NULL;
}

/*
 * HANDLE_TO_FD racing GEM_CLOSE of the same handle on one file (IGT
 * prime_self_import export-vs-gem_close-race): every export either gives a
 * dma-buf of the buffer's size or, once the handle is gone, ENOENT
 * (drm_gem_prime_handle_to_dmabuf()); nothing else, no crash, and no
 * dma-buf left behind once the fds are closed.
 */
static void export_close_race_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_dev *home = home_of(dev);
	static struct export_race r;
	long before = leak_baseline();
	struct hilt_bo bo;
	pthread_t t;
	int pfd, ret;

	if (!home || home != dev) {
		hilt_skip(ctx, "%s cannot create dumb buffers; the race needs a handle the file made", dev->node);
		return;
	}
	pfd = open_again(ctx, dev);
	if (pfd < 0 || (ret = hilt_dumb_create(pfd, BUF_W, BUF_H, BUF_BPP, &bo))) {
		hilt_fail(ctx, "a dumb buffer on a private open of %s failed", dev->node);
		return;
	}
	memset(&r, 0, sizeof(r));
	r.fd = pfd;
	r.handle = bo.handle;
	r.size = bo.size;
	if (pthread_create(&t, NULL, export_racer, &r)) {
		hilt_fail(ctx, "pthread_create failed");
		return;
	}
	/* Close once a few exports went through, while the racer keeps going. */
	for (int spins = 0; __atomic_load_n(&r.exported, __ATOMIC_SEQ_CST) < 8 && spins < 100000; spins++)
		sched_yield();
	ret = hilt_gem_close(pfd, bo.handle);
	pthread_join(t, NULL);
	/* Up to RACE_ROUNDS fds: closed here rather than through the cleanup list. */
	for (int i = 0; i < RACE_ROUNDS && i < r.exported + r.refused + r.other_err; i++)
		if (r.fds[i] >= 0)
			close(r.fds[i]);
	if (ret)
		hilt_fail(ctx, "DRM_IOCTL_GEM_CLOSE of the raced handle on %s failed with %s", dev->node,
			  hilt_errname(-ret));
	if (r.other_err)
		hilt_fail(ctx, "%d of %d HANDLE_TO_FD calls racing GEM_CLOSE on %s failed with an errno other than ENOENT",
			  r.other_err, RACE_ROUNDS, dev->node);
	if (r.bad_size)
		hilt_fail(ctx, "%d dma-bufs exported while racing GEM_CLOSE on %s have the wrong size", r.bad_size, dev->node);
	hilt_diag(ctx, "%d exports before the close won, %d refused with ENOENT after it", r.exported, r.refused);
	leak_check(ctx, dev, "export racing GEM_CLOSE", before);
}

static void t_export_close_race(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, export_close_race_one);
}

struct reimport_race {
	int devfd, dmabuf;
	volatile int go;
	int import_err, close_other;
	int last_err;
};

static void *reimport_racer(void *p)
{
	struct reimport_race *r = p;

	while (!__atomic_load_n(&r->go, __ATOMIC_SEQ_CST))
		;
	for (int i = 0; i < RACE_ROUNDS; i++) {
		uint32_t h = 0;
		int ret = hilt_prime_import(r->devfd, r->dmabuf, &h);

		if (ret) {
			r->import_err++;
			r->last_err = -ret;
			continue;
		}
		/* The other thread may have closed the handle both got: EINVAL then. */
		ret = hilt_gem_close(r->devfd, h);
		if (ret && ret != -EINVAL) {
			r->close_other++;
			r->last_err = -ret;
		}
	}
	return NULL;
}

/*
 * Two threads import the same dma-buf into one file and close the handle
 * they got, over and over (IGT prime_self_import reimport-vs-gem_close-race):
 * every import succeeds (drm_gem_prime_fd_to_handle() finds or re-creates
 * the handle under the file's prime lock), a close fails at most with
 * EINVAL (the other thread closed it first), the buffer keeps its data, and
 * no dma-buf is left behind.
 */
static void reimport_close_race_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static struct reimport_race r[2];
	long before = leak_baseline();
	pthread_t t[2];
	struct pbuf b;
	uint32_t h = 0;
	int fd, nfd;

	if (!pbuf_get(ctx, dev, &b) || !export_ok(ctx, dev, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd, "race") ||
	    !dmabuf_io(ctx, dev, fd, b.size, 0x77777777, true, "write before the race"))
		return;
	nfd = open_again(ctx, dev);
	if (nfd < 0) {
		hilt_fail(ctx, "open %s a second time: %s", dev->path, hilt_errname(errno));
		return;
	}
	for (int i = 0; i < 2; i++) {
		r[i] = (struct reimport_race){ .devfd = nfd, .dmabuf = fd };
		if (pthread_create(&t[i], NULL, reimport_racer, &r[i])) {
			hilt_fail(ctx, "pthread_create failed");
			for (int k = 0; k < i; k++) {
				__atomic_store_n(&r[k].go, 1, __ATOMIC_SEQ_CST);
				pthread_join(t[k], NULL);
			}
			return;
		}
	}
	for (int i = 0; i < 2; i++)
		__atomic_store_n(&r[i].go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		if (r[i].import_err)
			hilt_fail(ctx, "%d of %d imports racing GEM_CLOSE on %s failed (last with %s)",
				  r[i].import_err, RACE_ROUNDS, dev->node, hilt_errname(r[i].last_err));
		if (r[i].close_other)
			hilt_fail(ctx, "%d GEM_CLOSEs racing imports on %s failed with an errno other than EINVAL (last %s)",
				  r[i].close_other, dev->node, hilt_errname(r[i].last_err));
	}
	if (import_ok(ctx, dev, nfd, fd, &h, "after the race"))
		dmabuf_io(ctx, dev, fd, b.size, 0x77777777, false, "the buffer after the race");
	pbuf_put(&b);
	leak_check(ctx, dev, "re-import racing GEM_CLOSE", before);
}

static void t_reimport_close_race(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, reimport_close_race_one);
}

/* ---- fds passed on: SCM_RIGHTS, fork ---- */

/* What a child reports back: 0, or the step that failed (an exit status). */
enum { CHILD_OK, CHILD_RECV, CHILD_SAME_INODE, CHILD_OPEN, CHILD_IMPORT, CHILD_REEXPORT, CHILD_REEXPORT_INODE, CHILD_MMAP };

static const char *child_step(int st)
{
	static const char *const steps[] = {
		"nothing", "receive the fd over the socket", "see the sender's dma-buf (same inode)",
		"open the device node", "import the dma-buf", "export the imported handle",
		"get the same dma-buf back from the export", "write the data through an mmap",
	};

	return st >= 0 && st < (int)HILT_ARRAY_SIZE(steps) ? steps[st] : "an unknown step";
}

/*
 * In a child: the dma-buf fd is the parent's buffer (inode ino), imports
 * into the child's own open of the node, exports back as the same dma-buf,
 * and takes a pattern the parent then reads. Never returns; no stdio (the
 * parent's buffered output is not the child's to flush).
 */
static void __attribute__((noreturn)) child_use(const char *path, int fd, ino_t ino, size_t size, uint32_t seed)
{
	uint32_t h;
	int dev, fd2 = -1;
	void *p;

	if (fd_ino(fd) != ino)
		_exit(CHILD_SAME_INODE);
	dev = open(path, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		_exit(CHILD_OPEN);
	if (hilt_prime_import(dev, fd, &h))
		_exit(CHILD_IMPORT);
	if (hilt_prime_export(dev, h, DRM_CLOEXEC, &fd2))
		_exit(CHILD_REEXPORT);
	if (fd_ino(fd2) != ino)
		_exit(CHILD_REEXPORT_INODE);
	p = dmabuf_mmap(fd, size);
	if (!p)
		_exit(CHILD_MMAP);
	dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
	fill(p, size, seed);
	dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
	_exit(CHILD_OK);
}

static int send_fd(int sock, int fd)
{
	char data = 'd', ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &m, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char data, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* Waits for the child; fails the case with the step it stopped at. */
static bool child_ok(struct hilt_ctx *ctx, struct hilt_dev *dev, pid_t pid, const char *how)
{
	int st = 0;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && WEXITSTATUS(st) == CHILD_OK)
		return true;
	if (WIFEXITED(st))
		hilt_fail(ctx, "a child given a dma-buf of %s %s could not %s", dev->node, how,
			  child_step(WEXITSTATUS(st)));
	else
		hilt_fail(ctx, "a child given a dma-buf of %s %s died of signal %d", dev->node, how,
			  WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	return false;
}

/*
 * A dma-buf fd sent over a unix socket (SCM_RIGHTS) to another process is
 * the same dma-buf there: it imports into that process's own open of the
 * node, exports back as the same file, and what that process writes the
 * sender reads.
 */
static void scm_rights_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct pbuf b;
	int fd, sv[2], ret;
	ino_t ino;
	pid_t pid;

	if (!pbuf_get(ctx, dev, &b) || !export_ok(ctx, dev, b.handle, DRM_CLOEXEC | DRM_RDWR, &fd, "to send it"))
		return;
	ino = fd_ino(fd);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		hilt_fail(ctx, "socketpair failed: %s", hilt_errname(errno));
		return;
	}
	hilt_defer_close(ctx, sv[0]);
	hilt_defer_close(ctx, sv[1]);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		hilt_fail(ctx, "fork failed: %s", hilt_errname(errno));
		return;
	}
	if (pid == 0) {
		int got;

		close(fd);	/* only the fd that came over the socket */
		got = recv_fd(sv[1]);
		if (got < 0)
			_exit(CHILD_RECV);
		child_use(dev->path, got, ino, b.size, 0x88888888);
	}
	ret = send_fd(sv[0], fd);
	if (ret)
		hilt_fail(ctx, "sendmsg(SCM_RIGHTS) of a dma-buf fd failed with %s", hilt_errname(-ret));
	if (child_ok(ctx, dev, pid, "over SCM_RIGHTS"))
		dmabuf_io(ctx, dev, fd, b.size, 0x88888888, false, "what the receiving process wrote");
}

static void t_scm_rights(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, scm_rights_one);
}

/* A dma-buf fd inherited across fork(2) is the same dma-buf in the child. */
static void fork_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct pbuf b;
	int fd;
	pid_t pid;

	if (!pbuf_get(ctx, dev, &b) || !export_ok(ctx, dev, b.handle, DRM_RDWR, &fd, "to inherit it"))
		return;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		hilt_fail(ctx, "fork failed: %s", hilt_errname(errno));
		return;
	}
	if (pid == 0)
		child_use(dev->path, fd, fd_ino(fd), b.size, 0x99999999);
	if (child_ok(ctx, dev, pid, "across fork"))
		dmabuf_io(ctx, dev, fd, b.size, 0x99999999, false, "what the child wrote");
}

static void t_fork(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, fork_one);
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

	/* dma_buf_get(): fget() fails: -EBADF. */
	ret = import_raw(dev, -1, &err);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_PRIME_FD_TO_HANDLE", "fd -1", ret, err, EBADF);

	if (!pbuf_get(ctx, dev, &b))
		return;
	if (export_ok(ctx, dev, b.handle, DRM_CLOEXEC, &fd, "to close it")) {
		int closed = fd;

		hilt_close(ctx, &fd);
		ret = import_raw(dev, closed, &err);
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

bool cross_refusal_ok(int err)
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

/* Calls fn for each (exporter device, importer node of another device) pair, one subtest each. */
static void each_cross_pair(struct hilt_ctx *ctx,
			    void (*fn)(struct hilt_ctx *ctx, struct hilt_dev *exp, struct hilt_dev *imp))
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
				fn(ctx, reps[a], imp);
			hilt_sub_end(ctx, "%s-%s-to-%s-%s", reps[a]->driver, reps[a]->node,
				     imp->driver, imp->node);
			pairs++;
		}
	}
	if (!pairs)
		hilt_skip(ctx, "cross-device sharing needs two DRM devices; found %zu", nr);
}

/*
 * A dumb buffer on exp, written through its own mapping and exported; imp
 * imports it. Returns the import's -errno (0: *h is the imported handle,
 * registered for cleanup), or 1 when the setup on exp failed (the case
 * failed then). *bo and *fd are the exporter's buffer and dma-buf.
 */
static int cross_import(struct hilt_ctx *ctx, struct hilt_dev *exp, struct hilt_dev *imp,
			struct hilt_bo *bo, int *fd, uint32_t *h, uint32_t seed)
{
	long bad;
	int ret = hilt_dumb_create(exp->fd, BUF_W, BUF_H, BUF_BPP, bo);

	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_CREATE_DUMB on %s failed with %s", exp->node, hilt_errname(-ret));
		return 1;
	}
	hilt_defer_dumb_destroy(ctx, exp->fd, bo->handle);
	ret = dumb_io(exp->fd, bo->handle, bo->size, seed, true, &bad);
	if (ret) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_MAP_DUMB + mmap on %s failed with %s", exp->node, hilt_errname(-ret));
		return 1;
	}
	if (!export_ok(ctx, exp, bo->handle, DRM_CLOEXEC | DRM_RDWR, fd, "to share it with another device"))
		return 1;
	ret = hilt_prime_import(imp->fd, *fd, h);
	if (!ret)
		hilt_defer_gem_close(ctx, imp->fd, *h);
	return ret;
}

/*
 * exp creates a dumb buffer, writes a pattern through its own mapping,
 * exports it; imp imports it. Proven where the import works: the imported
 * handle exports back as exp's own dma-buf (same inode), the exporter's data
 * reads back after that round trip, and what is written through it reads
 * back through exp's mapping. Where the import is refused, the errno must be
 * one a driver limitation explains.
 */
static void cross_pair(struct hilt_ctx *ctx, struct hilt_dev *exp, struct hilt_dev *imp)
{
	struct hilt_json j;
	struct hilt_bo bo;
	uint64_t caps = 0;
	uint32_t h = 0;
	int fd = -1, fd2 = -1, ret, caps_ret;
	long bad = -1;
	bool same = false, data_ok = false;

	caps_ret = hilt_get_cap(imp, DRM_CAP_PRIME, &caps);
	ret = cross_import(ctx, exp, imp, &bo, &fd, &h, 0x44444444);
	if (ret == 1)
		return;
	if (!ret && !hilt_prime_export(imp->fd, h, DRM_CLOEXEC | DRM_RDWR, &fd2)) {
		hilt_defer_close(ctx, fd2);
		same = fd_ino(fd2) == fd_ino(fd);
		data_ok = dmabuf_io(ctx, imp, fd2, bo.size, 0x44444444, false,
				    "the exporter's data after the import round trip") &&
			  dmabuf_io(ctx, imp, fd2, bo.size, 0x55555555, true,
				    "write through the dma-buf the importer exported back");
		if (data_ok) {
			dumb_io(exp->fd, bo.handle, bo.size, 0x55555555, false, &bad);
			data_ok = bad < 0;
		}
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
		hj_bool(&j, "reexportSameDmabuf", same);
		hj_bool(&j, "exporterDataAfterRoundTrip", data_ok);
	}
	hilt_obs(ctx, "prime.cross", &j);

	if (ret) {
		if (cross_refusal_ok(-ret))
			hilt_diag(ctx, "%s (%s) refuses a dma-buf from %s (%s) with %s: a driver limitation, not a conformance failure; a driver profile pins it",
				  imp->node, imp->driver, exp->node, exp->driver, hilt_errname(-ret));
		else
			hilt_fail(ctx, "DRM_IOCTL_PRIME_FD_TO_HANDLE on %s (%s) of a dma-buf from %s (%s) failed with %s, which no conforming kernel returns for a valid foreign dma-buf",
				  imp->node, imp->driver, exp->node, exp->driver, hilt_errname(-ret));
	} else if (!same) {
		hilt_fail(ctx, "the handle %s imported from %s does not export back as %s's dma-buf (a different inode)",
			  imp->node, exp->node, exp->node);
	} else if (!data_ok) {
		hilt_fail(ctx, "data shared %s -> %s does not survive the round trip (first bad word %ld)",
			  exp->node, imp->node, bad);
	}
}

/* Exporter: each device's representative node. Importer: every primary and render node of each other device. */
static void t_cross_device(struct hilt_ctx *ctx)
{
	each_cross_pair(ctx, cross_pair);
}

/*
 * MODE_MAP_DUMB on a handle imported from another device: a primary node
 * refuses it with EINVAL (drm_gem_dumb_map_offset(): imported objects are
 * never mapped through the importer), a render node with EACCES before the
 * driver is asked (MAP_DUMB lacks DRM_RENDER_ALLOW: drm_ioctl_permit()).
 * Pairs whose import is refused have nothing to map: a skip.
 */
static void import_map_dumb_pair(struct hilt_ctx *ctx, struct hilt_dev *exp, struct hilt_dev *imp)
{
	struct drm_mode_map_dumb map;
	struct hilt_bo bo;
	uint32_t h = 0;
	int fd = -1, ret;
	char misuse[160];

	ret = cross_import(ctx, exp, imp, &bo, &fd, &h, 0x45454545);
	if (ret == 1)
		return;
	if (ret) {
		hilt_skip(ctx, "%s (%s) refuses dma-bufs from %s (%s) with %s: no imported handle to map",
			  imp->node, imp->driver, exp->node, exp->driver, hilt_errname(-ret));
		return;
	}
	map = (struct drm_mode_map_dumb){ .handle = h };
	ret = hilt_ioctl(imp->fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
	snprintf(misuse, sizeof(misuse), "a handle imported from %s (%s) on a %s node", exp->node, exp->driver,
		 imp->kind == HILT_NODE_RENDER ? "render" : "primary");
	hilt_expect_errno(ctx, imp, "DRM_IOCTL_MODE_MAP_DUMB", misuse, ret, errno,
			  imp->kind == HILT_NODE_RENDER ? EACCES : EINVAL);
}

static void t_import_map_dumb(struct hilt_ctx *ctx)
{
	each_cross_pair(ctx, import_map_dumb_pair);
}

#define K_H2FD "drm_prime_handle_to_fd_ioctl(), drm_gem_prime_handle_to_dmabuf()"
#define K_FD2H "drm_prime_fd_to_handle_ioctl(), drm_gem_prime_fd_to_handle()"

static const struct hilt_case cases[] = {
	{ "export", t_export, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "each node turns a GEM handle into a dma-buf fd of the buffer's size, honouring DRM_CLOEXEC and DRM_RDWR (a read-only export refuses a writable shared mmap with EACCES)",
	  "prime.export,ioctl.errno", K_H2FD ", drm_gem_prime_export()" },
	{ "import", t_import, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "each node imports a dma-buf into another open file with a nonzero handle that exports back as the same dma-buf (inode), with the exporter's data after the round trip",
	  "prime.import", K_FD2H ", drm_prime_lookup_buf_handle()" },
	{ "self-import", t_self_import, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "importing a dma-buf into the file that exported it returns the handle it was exported from",
	  "prime.handle", K_FD2H },
	{ "import-twice", t_import_twice, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "importing the same dma-buf twice (same fd, then a dup) into one file returns the same handle each time",
	  "prime.handle", K_FD2H ", drm_prime_lookup_buf_handle()" },
	{ "handle-outlives-fd", t_handle_outlives_fd, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "after the dma-buf fd is closed, the exporter's and an importer's GEM handles still work and re-export the same dma-buf with its data",
	  "prime.lifetime", K_H2FD ", drm_prime_add_buf_handle()" },
	{ "dmabuf-outlives-handle", t_dmabuf_outlives_handle, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "after every GEM handle is closed, the dma-buf fd still maps the data and imports again",
	  "prime.lifetime", "drm_gem_dmabuf_release(), " K_FD2H },
	{ "dmabuf-outlives-file", t_dmabuf_outlives_file, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "a dma-buf whose handle and device file were both closed still maps the data and imports into another file as the same dma-buf",
	  "prime.lifetime", "drm_gem_prime_export(), drm_gem_dmabuf_release(), " K_FD2H },
	{ "export-close-race", t_export_close_race, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "HANDLE_TO_FD racing GEM_CLOSE of the same handle gives either a dma-buf of the buffer's size or ENOENT, and leaves no dma-buf behind",
	  "dmabuf.leak", K_H2FD ", drm_gem_handle_delete()" },
	{ "reimport-close-race", t_reimport_close_race, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "two threads importing one dma-buf into one file and closing the handle get every import, GEM_CLOSE fails at most with EINVAL, the data stays and no dma-buf is left behind",
	  "dmabuf.leak", K_FD2H ", drm_gem_handle_delete()" },
	{ "dmabuf-scm-rights", t_scm_rights, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "a dma-buf fd sent to another process over SCM_RIGHTS is the same dma-buf there: it imports into that process's open of the node, exports back as the same file, and its writes reach the sender",
	  "", "scm_send(), " K_FD2H },
	{ "dmabuf-fork", t_fork, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "a dma-buf fd inherited across fork is the same dma-buf in the child, which imports it into its own open of the node and whose writes reach the parent",
	  "", K_FD2H },
	{ "export-invalid-flags", t_export_bad_flags, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "flags other than DRM_CLOEXEC and DRM_RDWR are refused with EINVAL",
	  "ioctl.errno", "drm_prime_handle_to_fd_ioctl()" },
	{ "export-invalid-handle", t_export_bad_handle, "DRM_IOCTL_PRIME_HANDLE_TO_FD",
	  "exporting handle 0 or a closed handle is refused with ENOENT",
	  "ioctl.errno", "drm_gem_prime_handle_to_dmabuf()" },
	{ "import-closed-fd", t_import_closed_fd, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "importing fd -1 or a closed dma-buf fd is refused with EBADF",
	  "ioctl.errno", "dma_buf_get()" },
	{ "import-not-dmabuf", t_import_not_dmabuf, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "importing an fd that is not a dma-buf (a memfd, the DRM device itself) is refused with EINVAL",
	  "ioctl.errno", "dma_buf_get()" },
	{ "cross-device", t_cross_device, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "for each ordered pair of DRM devices, a dma-buf one exports either imports into the other, exports back as the exporter's own dma-buf and keeps the exporter's data through the round trip (both ways), or is refused with an errno a conforming kernel uses for a driver limitation",
	  "prime.cross", "drm_gem_prime_import_dev(), dma_buf_attach(), " K_FD2H },
	{ "import-map-dumb", t_import_map_dumb, "DRM_IOCTL_MODE_MAP_DUMB",
	  "MODE_MAP_DUMB of a handle imported from another device is refused: EINVAL on a primary node (imported objects are never mapped through the importer), EACCES on a render node",
	  "ioctl.errno", "drm_gem_dumb_map_offset(), drm_ioctl_permit()" },
	{ "vaccel-import", t_vaccel_import, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "a dma-buf of each DRM device with dumb buffers, imported into vaccel, is read by vaccel's engine through the attachment's sg_table: the exporter's bytes, its later changes (no stale copy), unaligned ranges; what a job writes shows in the exporter's own mapping (needs vaccel)",
	  "vaccel.import,ioctl.errno", VAC_K_IMPORT ", " VAC_K_ENGINE ", " K_FD2H },
	{ "vaccel-export", t_vaccel_export, "DRM_IOCTL_PRIME_FD_TO_HANDLE",
	  "a vaccel buffer exported to each /dev/dri node is imported (or refused with an errno a driver limitation explains) and exports back as the same dma-buf; vaccel's writes read back through the dma-buf's mapping and writes there reach its engine; a vgem write fence on the import holds vaccel's job on its own buffer (needs vaccel)",
	  "vaccel.export,ioctl.errno", "drm_gem_prime_export(), drm_gem_map_dma_buf(), drm_gem_prime_import_dev(), vgem_fence_attach_ioctl(), " VAC_K_SUBMIT },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "prime", cases, HILT_ARRAY_SIZE(cases));
}
