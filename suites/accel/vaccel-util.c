// SPDX-License-Identifier: MIT
/* Helpers of the accel suite's vaccel cases (vaccel-util.h). */
#define _GNU_SOURCE
#include "vaccel-util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>
#include <linux/dma-buf.h>
#include <linux/sync_file.h>

#include "drm-util.h"
#include "vgem_drm.h"

static int err_of(int ret)
{
	return ret < 0 ? -errno : 0;
}

bool vac_open(struct hilt_ctx *ctx, struct va *va)
{
	char reason[512] = "";
	FILE *f;

	va->fd = -1;
	va->dev = hilt_find_device(VACCEL_DRIVER_NAME, 1u << HILT_NODE_ACCEL);
	if (!va->dev) {
		f = fopen(VA_UNAVAILABLE_FILE, "re");
		if (f) {
			if (!fgets(reason, sizeof(reason), f))
				reason[0] = '\0';
			reason[strcspn(reason, "\n")] = '\0';
			fclose(f);
		}
		if (reason[0])
			hilt_skip(ctx, "vaccel is unavailable: %s", reason);
		else
			hilt_skip(ctx, "no vaccel accel node (the vaccel test driver is not loaded)");
		return false;
	}
	va->fd = open(va->dev->path, O_RDWR | O_CLOEXEC);
	if (va->fd < 0) {
		hilt_fail(ctx, "open %s: %s", va->dev->path, strerror(errno));
		return false;
	}
	return true;
}

void vac_close(struct va *va)
{
	if (va->fd >= 0)
		close(va->fd);
	va->fd = -1;
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

int vac_bo_map(int fd, uint32_t handle, size_t size, void **out)
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
	*out = p;
	return 0;
}

int vac_submit(int fd, struct drm_vaccel_submit *args)
{
	return err_of(hilt_ioctl(fd, DRM_IOCTL_VACCEL_SUBMIT, args));
}

int vac_fill(int fd, uint32_t dst, uint64_t off, uint64_t size, uint32_t value, uint32_t stall_ms, uint32_t flags, int *fence_fd)
{
	struct drm_vaccel_submit s = {
		.op = VACCEL_OP_FILL, .flags = flags | VACCEL_SUBMIT_OUT_SYNC_FILE, .dst_handle = dst,
		.dst_offset = off, .size = size, .fill_value = value, .stall_ms = stall_ms,
	};
	int ret = vac_submit(fd, &s);

	if (!ret)
		*fence_fd = s.out_fence_fd;
	return ret;
}

int vac_copy(int fd, uint32_t src, uint64_t src_off, uint32_t dst, uint64_t dst_off, uint64_t size, uint32_t flags, int *fence_fd)
{
	struct drm_vaccel_submit s = {
		.op = VACCEL_OP_COPY, .flags = flags | VACCEL_SUBMIT_OUT_SYNC_FILE, .src_handle = src,
		.dst_handle = dst, .src_offset = src_off, .dst_offset = dst_off, .size = size,
	};
	int ret = vac_submit(fd, &s);

	if (!ret)
		*fence_fd = s.out_fence_fd;
	return ret;
}

int vac_fence_wait(int fence_fd, int timeout_ms)
{
	struct pollfd p = { .fd = fence_fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	return ret > 0 && (p.revents & POLLIN) ? 1 : 0;
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

bool vac_vgem_open(struct hilt_ctx *ctx, size_t size, struct vac_vgem *v)
{
	struct hilt_bo bo;
	void *map;
	int ret;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	v->dmabuf = -1;
	v->dev = hilt_find_device("vgem", 1u << HILT_NODE_PRIMARY);
	if (!v->dev) {
		hilt_skip(ctx, "no vgem card node: vgem is the exporter these cases import from");
		return false;
	}
	v->fd = open(v->dev->path, O_RDWR | O_CLOEXEC);
	if (v->fd < 0) {
		hilt_fail(ctx, "open %s: %s", v->dev->path, strerror(errno));
		return false;
	}
	/* Rows of 4 KiB: size rounded up to whole pages. */
	ret = hilt_dumb_create(v->fd, 1024, (uint32_t)((size + 4095) / 4096), 32, &bo);
	if (ret) {
		hilt_fail(ctx, "vgem MODE_CREATE_DUMB of %zu bytes: %s", size, hilt_errname(-ret));
		return false;
	}
	v->handle = bo.handle;
	v->size = bo.size;
	ret = hilt_dumb_map(v->fd, &bo, &map);
	if (ret) {
		hilt_fail(ctx, "mapping the vgem buffer: %s", hilt_errname(-ret));
		return false;
	}
	v->map = map;
	ret = hilt_prime_export(v->fd, v->handle, DRM_CLOEXEC | DRM_RDWR, &v->dmabuf);
	if (ret) {
		hilt_fail(ctx, "vgem PRIME_HANDLE_TO_FD: %s", hilt_errname(-ret));
		return false;
	}
	return true;
}

void vac_vgem_close(struct vac_vgem *v)
{
	if (v->map)
		munmap(v->map, v->size);
	if (v->dmabuf >= 0)
		close(v->dmabuf);
	if (v->fd >= 0)
		close(v->fd);
	v->map = NULL;
	v->dmabuf = v->fd = -1;
}

int vac_vgem_fence(struct vac_vgem *v, bool write, uint32_t *fence)
{
	struct drm_vgem_fence_attach a = { .handle = v->handle, .flags = write ? VGEM_FENCE_WRITE : 0 };
	int ret = hilt_ioctl(v->fd, DRM_IOCTL_VGEM_FENCE_ATTACH, &a);

	if (!ret)
		*fence = a.out_fence;
	return err_of(ret);
}

int vac_vgem_signal(struct vac_vgem *v, uint32_t fence)
{
	struct drm_vgem_fence_signal s = { .fence = fence };

	return err_of(hilt_ioctl(v->fd, DRM_IOCTL_VGEM_FENCE_SIGNAL, &s));
}

int vac_blocker(int va_fd, struct vac_vgem *v, uint32_t *syncobj, uint32_t *vfence)
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

int64_t vac_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void vac_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
