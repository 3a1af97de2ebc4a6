/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the fences, syncobj and sync-file suites: a private vgem
 * buffer with its dma-buf, vgem fence attach/signal, poll(2) without waiting,
 * sync_file FILE_INFO, a monotonic clock, a kernel version check and a helper
 * thread that runs one call after a delay.
 *
 * Every function returns 0 or -errno and only touches its arguments.
 */
#ifndef HILT_FENCE_UTIL_H
#define HILT_FENCE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "drm-util.h"
#include "hilt.h"
#include "vgem_drm.h"

static inline int fu_err(int ret)
{
	return ret < 0 ? -errno : 0;
}

/* A second, private open of a device node: closing it drops every handle,
 * syncobj and vgem fence the case made, whatever the case did. */
static inline int fu_open(const struct hilt_dev *dev)
{
	int fd = open(dev->path, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static inline int64_t fu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void fu_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* True when the running kernel is older than major.minor (uname(2)). */
static inline bool fu_kernel_older(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

/* poll(2) on one fd; returns revents (0 when not ready) or -errno. */
static inline int fu_poll(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return ret ? p.revents : 0;
}

/* ---- vgem ---- */

/*
 * The vgem node the buffers come from: vgem allocates only through
 * DRM_IOCTL_MODE_CREATE_DUMB, which DRM core refuses on render nodes (EACCES),
 * so this is the primary node, NULL when vgem is not loaded.
 */
static inline struct hilt_dev *fu_vgem(void)
{
	return hilt_find_device("vgem", 1u << HILT_NODE_PRIMARY);
}

/* A vgem dumb buffer on a private fd, optionally exported as a dma-buf. */
struct fu_vbuf {
	int fd;			/* private vgem fd, -1 when closed */
	struct hilt_bo bo;
	int dmabuf;		/* -1 when not exported */
};

/* 64x64x32: 16 KiB, small enough for TCG. */
static inline int fu_vbuf_open(const struct hilt_dev *vgem, bool export, struct fu_vbuf *b)
{
	int ret;

	b->dmabuf = -1;
	b->fd = fu_open(vgem);
	if (b->fd < 0)
		return b->fd;
	ret = hilt_dumb_create(b->fd, 64, 64, 32, &b->bo);
	if (!ret && export)
		ret = hilt_prime_export(b->fd, b->bo.handle, DRM_CLOEXEC | DRM_RDWR, &b->dmabuf);
	if (ret) {
		close(b->fd);
		b->fd = -1;
	}
	return ret;
}

static inline void fu_vbuf_close(struct fu_vbuf *b)
{
	if (b->dmabuf >= 0)
		close(b->dmabuf);
	if (b->fd >= 0)
		close(b->fd);	/* vgem signals the fences still pending on it */
	b->dmabuf = b->fd = -1;
}

static inline int fu_vgem_attach(int fd, uint32_t handle, uint32_t flags, uint32_t *fence)
{
	struct drm_vgem_fence_attach arg = { .handle = handle, .flags = flags };
	int ret = fu_err(hilt_ioctl(fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &arg));

	if (!ret)
		*fence = arg.out_fence;
	return ret;
}

static inline int fu_vgem_signal(int fd, uint32_t fence)
{
	struct drm_vgem_fence_signal arg = { .fence = fence };

	return fu_err(hilt_ioctl(fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &arg));
}

/* DMA_BUF_IOCTL_EXPORT_SYNC_FILE (Linux 6.0). */
static inline int fu_dmabuf_export_sync_file(int dmabuf, uint32_t flags, int *sync_fd)
{
	struct dma_buf_export_sync_file arg = { .flags = flags, .fd = -1 };
	int ret = fu_err(hilt_ioctl(dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &arg));

	if (!ret)
		*sync_fd = arg.fd;
	return ret;
}

/* ---- sync_file ---- */

/*
 * SYNC_IOC_FILE_INFO in one go: the first call (num_fences 0) counts the
 * fences, the second fills up to max entries of fences[]. info->num_fences
 * says how many the kernel has.
 */
static inline int fu_sync_info(int sync_fd, struct sync_file_info *info,
			       struct sync_fence_info *fences, uint32_t max)
{
	int ret;

	memset(info, 0, sizeof(*info));
	ret = fu_err(ioctl(sync_fd, SYNC_IOC_FILE_INFO, info));
	if (ret || !info->num_fences)
		return ret;
	if (info->num_fences > max)
		return -E2BIG;
	memset(fences, 0, sizeof(*fences) * info->num_fences);
	info->sync_fence_info = (uint64_t)(uintptr_t)fences;
	return fu_err(ioctl(sync_fd, SYNC_IOC_FILE_INFO, info));
}

/* ---- a call made later, from another thread ---- */

struct fu_later {
	pthread_t thread;
	unsigned delay_ms;
	int (*fn)(void *arg);
	void *arg;
	int ret;		/* what fn returned */
	int64_t call_ns;	/* when fn was called */
	int64_t done_ns;	/* when fn returned */
	bool started;
};

static inline void *fu_later_main(void *p)
{
	struct fu_later *l = p;

	fu_sleep_ms(l->delay_ms);
	l->call_ns = fu_now_ns();
	l->ret = l->fn(l->arg);
	l->done_ns = fu_now_ns();
	return NULL;
}

static inline int fu_later_start(struct fu_later *l, unsigned delay_ms, int (*fn)(void *), void *arg)
{
	int ret;

	l->delay_ms = delay_ms;
	l->fn = fn;
	l->arg = arg;
	l->ret = -EINPROGRESS;
	ret = pthread_create(&l->thread, NULL, fu_later_main, l);
	l->started = !ret;
	return -ret;
}

static inline void fu_later_join(struct fu_later *l)
{
	if (l->started)
		pthread_join(l->thread, NULL);
	l->started = false;
}

/* Signals a vgem fence from a helper thread after a delay (fu_later_start/fu_later_join). */
struct fu_later_signal {
	int fd;
	uint32_t fence;
};

static inline int fu_signal_fence(void *p)
{
	struct fu_later_signal *s = p;

	return fu_vgem_signal(s->fd, s->fence);
}

#endif
