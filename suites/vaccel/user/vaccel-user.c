// SPDX-License-Identifier: MIT
/* What a suite needs to drive vaccel (vaccel-user.h). */
#define _GNU_SOURCE
#include "vaccel-user.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "drm-util.h"
#include "fence-util.h"
#include "vgem_drm.h"

static int err_of(int ret)
{
	return ret < 0 ? -errno : 0;
}

void vac_unavailable(char *buf, size_t len)
{
	FILE *f = fopen(VAC_UNAVAILABLE_FILE, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

bool vac_open(struct hilt_ctx *ctx, struct va *va)
{
	char reason[512];

	va->fd = -1;
	va->dev = hilt_find_device(VACCEL_DRIVER_NAME, 1u << HILT_NODE_ACCEL);
	if (!va->dev) {
		vac_unavailable(reason, sizeof(reason));
		if (reason[0])
			hilt_skip(ctx, "vaccel is unavailable: %s", reason);
		else
			hilt_skip(ctx, "no vaccel accel node (the vaccel test driver is not loaded)");
		return false;
	}
	va->fd = hilt_defer_close(ctx, open(va->dev->path, O_RDWR | O_CLOEXEC));
	if (va->fd < 0) {
		hilt_fail(ctx, "open %s: %s", va->dev->path, strerror(errno));
		return false;
	}
	return true;
}

int vac_param(int fd, uint32_t param, uint64_t *value)
{
	struct drm_vaccel_param p = { .param = param };
	int ret = hilt_ioctl(fd, DRM_IOCTL_VACCEL_GET_PARAM, &p);

	if (!ret)
		*value = p.value;
	return err_of(ret);
}

int vac_bo_create(int fd, uint64_t size, uint32_t flags, uint32_t *handle, uint64_t *out_size)
{
	struct drm_vaccel_bo_create c = { .size = size, .flags = flags };
	int ret = hilt_ioctl(fd, DRM_IOCTL_VACCEL_BO_CREATE, &c);

	if (!ret) {
		*handle = c.handle;
		if (out_size)
			*out_size = c.size;
	}
	return err_of(ret);
}

int vac_bo_info(int fd, uint32_t handle, struct drm_vaccel_bo_info *info)
{
	memset(info, 0, sizeof(*info));
	info->handle = handle;
	return err_of(hilt_ioctl(fd, DRM_IOCTL_VACCEL_BO_INFO, info));
}

int vac_bo_map(struct hilt_ctx *ctx, int fd, uint32_t handle, size_t size, void **out)
{
	struct drm_vaccel_bo_info info;
	void *p;
	int ret = vac_bo_info(fd, handle, &info);

	if (ret)
		return ret;
	if (!info.mmap_offset)
		return -EINVAL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)info.mmap_offset);
	if (p == MAP_FAILED)
		return -errno;
	*out = hilt_defer_munmap(ctx, p, size);
	return 0;
}

int vac_bo_mapped(struct hilt_ctx *ctx, int fd, size_t size, uint32_t *handle, uint8_t **map)
{
	int ret = vac_bo_create(fd, size, VACCEL_BO_MAPPABLE, handle, NULL);

	return ret ? ret : vac_bo_map(ctx, fd, *handle, size, (void **)map);
}

int vac_submit(int fd, struct drm_vaccel_submit *args)
{
	return err_of(hilt_ioctl(fd, DRM_IOCTL_VACCEL_SUBMIT, args));
}

static int submit_fenced(struct hilt_ctx *ctx, int fd, struct drm_vaccel_submit *s, int *fence_fd)
{
	int ret;

	s->flags |= VACCEL_SUBMIT_OUT_SYNC_FILE;
	ret = vac_submit(fd, s);
	if (!ret)
		*fence_fd = hilt_defer_close(ctx, s->out_fence_fd);
	return ret;
}

int vac_fill(struct hilt_ctx *ctx, int fd, uint32_t dst, uint64_t off, uint64_t size, uint32_t value,
	     uint32_t flags, int *fence_fd)
{
	struct drm_vaccel_submit s = {
		.op = VACCEL_OP_FILL, .flags = flags, .dst_handle = dst,
		.dst_offset = off, .size = size, .fill_value = value,
	};

	return submit_fenced(ctx, fd, &s, fence_fd);
}

int vac_copy(struct hilt_ctx *ctx, int fd, uint32_t src, uint64_t src_off, uint32_t dst, uint64_t dst_off,
	     uint64_t size, uint32_t flags, int *fence_fd)
{
	struct drm_vaccel_submit s = {
		.op = VACCEL_OP_COPY, .flags = flags, .src_handle = src,
		.dst_handle = dst, .src_offset = src_off, .dst_offset = dst_off, .size = size,
	};

	return submit_fenced(ctx, fd, &s, fence_fd);
}

int vac_fence_wait(int fence_fd, int timeout_ms)
{
	int revents = fu_poll(fence_fd, POLLIN, timeout_ms);

	if (revents < 0)
		return revents;
	return (revents & POLLIN) ? 1 : 0;
}

int vac_fence_info(int fence_fd, int *status, char *driver, size_t driver_len)
{
	struct sync_fence_info fi[4];
	struct sync_file_info info;

	memset(&info, 0, sizeof(info));
	memset(fi, 0, sizeof(fi));
	info.num_fences = 4;
	info.sync_fence_info = (uint64_t)(uintptr_t)fi;
	if (hilt_ioctl(fence_fd, SYNC_IOC_FILE_INFO, &info))
		return -errno;
	*status = info.status;
	snprintf(driver, driver_len, "%s", info.num_fences ? fi[0].driver_name : "");
	return 0;
}

bool vac_dumb_open(struct hilt_ctx *ctx, struct hilt_dev *dev, size_t size, struct vac_dumb *b)
{
	struct hilt_bo bo;
	void *map;
	int ret;

	memset(b, 0, sizeof(*b));
	b->dev = dev;
	b->dmabuf = -1;
	b->fd = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	if (b->fd < 0) {
		hilt_fail(ctx, "open %s: %s", dev->path, strerror(errno));
		return false;
	}
	/* Rows of 4 KiB (1024 pixels of 32 bits): size rounded up to whole pages. */
	ret = hilt_dumb_create(b->fd, 1024, (uint32_t)((size + 4095) / 4096), 32, &bo);
	if (ret) {
		hilt_fail(ctx, "%s (%s) MODE_CREATE_DUMB of %zu bytes: %s", dev->node, dev->driver, size, hilt_errname(-ret));
		return false;
	}
	b->handle = bo.handle;
	b->size = bo.size;
	ret = hilt_dumb_map(b->fd, &bo, &map);
	if (ret) {
		hilt_fail(ctx, "%s (%s) mapping its dumb buffer: %s", dev->node, dev->driver, hilt_errname(-ret));
		return false;
	}
	b->map = hilt_defer_munmap(ctx, map, b->size);
	ret = hilt_prime_export(b->fd, b->handle, DRM_CLOEXEC | DRM_RDWR, &b->dmabuf);
	if (ret) {
		hilt_fail(ctx, "%s (%s) PRIME_HANDLE_TO_FD: %s", dev->node, dev->driver, hilt_errname(-ret));
		return false;
	}
	hilt_defer_close(ctx, b->dmabuf);
	return true;
}

bool vac_vgem_open(struct hilt_ctx *ctx, size_t size, struct vac_dumb *v)
{
	struct hilt_dev *dev = hilt_find_device("vgem", 1u << HILT_NODE_PRIMARY);

	if (!dev) {
		memset(v, 0, sizeof(*v));
		v->fd = v->dmabuf = -1;
		hilt_skip(ctx, "no vgem card node: vgem is the exporter, and its fences the ones, these cases use");
		return false;
	}
	return vac_dumb_open(ctx, dev, size, v);
}

int vac_vgem_fence(const struct vac_dumb *v, bool write, uint32_t *fence)
{
	struct drm_vgem_fence_attach a = { .handle = v->handle, .flags = write ? VGEM_FENCE_WRITE : 0 };
	int ret = hilt_ioctl(v->fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &a);

	if (!ret)
		*fence = a.out_fence;
	return err_of(ret);
}

int vac_vgem_signal(const struct vac_dumb *v, uint32_t fence)
{
	struct drm_vgem_fence_signal s = { .fence = fence };

	return err_of(hilt_ioctl(v->fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s));
}

int vac_blocker(int va_fd, const struct vac_dumb *v, uint32_t *syncobj, uint32_t *vfence)
{
	struct dma_buf_export_sync_file ex = { .flags = DMA_BUF_SYNC_READ };
	struct drm_syncobj_create sc = { 0 };
	struct drm_syncobj_handle sh = { 0 };
	int ret = vac_vgem_fence(v, true, vfence);

	if (ret)
		return ret;
	if (hilt_ioctl(v->dmabuf, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &ex)) {
		ret = -errno;
		goto signal;
	}
	if (hilt_ioctl(va_fd, DRM_IOCTL_SYNCOBJ_CREATE, &sc)) {
		ret = -errno;
		goto close_fd;
	}
	sh.handle = sc.handle;
	sh.fd = ex.fd;
	sh.flags = DRM_SYNCOBJ_FD_TO_HANDLE_FLAGS_IMPORT_SYNC_FILE;
	if (hilt_ioctl(va_fd, DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE, &sh)) {
		ret = -errno;
		goto close_fd;
	}
	close(ex.fd);
	*syncobj = sc.handle;
	return 0;
close_fd:
	close(ex.fd);
signal:
	vac_vgem_signal(v, *vfence);
	return ret;
}

uint8_t vac_pattern(size_t off, uint32_t seed)
{
	uint32_t x = (uint32_t)off * 2654435761u ^ seed * 40503u ^ (uint32_t)(off >> 12);

	return (uint8_t)(x >> 13 ^ x);
}

void vac_pattern_fill(uint8_t *p, size_t off, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = vac_pattern(off + i, seed);
}

long vac_pattern_check(const uint8_t *p, size_t off, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != vac_pattern(off + i, seed))
			return (long)i;
	return -1;
}
