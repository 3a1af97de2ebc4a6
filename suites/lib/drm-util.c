// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "drm-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include <drm.h>
#include <drm_mode.h>

static int ret_errno(int ret)
{
	return ret < 0 ? -errno : 0;
}

int hilt_dumb_create(int fd, uint32_t width, uint32_t height, uint32_t bpp, struct hilt_bo *bo)
{
	struct drm_mode_create_dumb arg = { .width = width, .height = height, .bpp = bpp };
	int ret = ret_errno(hilt_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &arg));

	if (!ret) {
		bo->handle = arg.handle;
		bo->pitch = arg.pitch;
		bo->size = arg.size;
	}
	return ret;
}

int hilt_dumb_map(int fd, const struct hilt_bo *bo, void **out)
{
	struct drm_mode_map_dumb arg = { .handle = bo->handle };
	void *p;
	int ret = ret_errno(hilt_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg));

	if (ret)
		return ret;
	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)arg.offset);
	if (p == MAP_FAILED)
		return -errno;
	*out = p;
	return 0;
}

int hilt_dumb_destroy(int fd, uint32_t handle)
{
	struct drm_mode_destroy_dumb arg = { .handle = handle };

	return ret_errno(hilt_ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &arg));
}

int hilt_gem_close(int fd, uint32_t handle)
{
	struct drm_gem_close arg = { .handle = handle };

	return ret_errno(hilt_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &arg));
}

int hilt_prime_export(int fd, uint32_t handle, uint32_t flags, int *dmabuf_fd)
{
	struct drm_prime_handle arg = { .handle = handle, .flags = flags, .fd = -1 };
	int ret = ret_errno(hilt_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &arg));

	if (!ret)
		*dmabuf_fd = arg.fd;
	return ret;
}

int hilt_prime_import(int fd, int dmabuf_fd, uint32_t *handle)
{
	struct drm_prime_handle arg = { .fd = dmabuf_fd };
	int ret = ret_errno(hilt_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &arg));

	if (!ret)
		*handle = arg.handle;
	return ret;
}

int hilt_get_cap(const struct hilt_dev *dev, uint64_t cap, uint64_t *value)
{
	struct drm_get_cap arg = { .capability = cap };
	int ret = ret_errno(hilt_ioctl(dev->fd, DRM_IOCTL_GET_CAP, &arg));

	if (!ret)
		*value = arg.value;
	return ret;
}

uint64_t hilt_prime_caps(const struct hilt_dev *dev)
{
	uint64_t v = 0;

	return hilt_get_cap(dev, DRM_CAP_PRIME, &v) ? 0 : v;
}

struct hilt_dev *hilt_vgem(void)
{
	struct hilt_dev *d = hilt_find_device("vgem", 1u << HILT_NODE_RENDER);

	return d ? d : hilt_find_device("vgem", 1u << HILT_NODE_PRIMARY);
}

bool hilt_dumb_capable(const struct hilt_dev *dev)
{
	static const struct hilt_dev *known[HILT_MAX_DEVS];
	static bool answer[HILT_MAX_DEVS];
	static size_t nknown;
	struct hilt_bo bo;
	uint64_t v = 0;
	bool ok;

	if (dev->fd < 0 || dev->kind != HILT_NODE_PRIMARY)
		return false;
	for (size_t i = 0; i < nknown; i++)
		if (known[i] == dev)
			return answer[i];
	ok = !hilt_get_cap(dev, DRM_CAP_DUMB_BUFFER, &v) && v;
	if (!ok && !hilt_dumb_create(dev->fd, 1, 1, 32, &bo)) {
		hilt_dumb_destroy(dev->fd, bo.handle);
		ok = true;
	}
	if (nknown < HILT_MAX_DEVS) {
		known[nknown] = dev;
		answer[nknown++] = ok;
	}
	return ok;
}

void hilt_obs_version(struct hilt_ctx *ctx, const struct hilt_dev *dev)
{
	char name[128] = "", date[128] = "", desc[256] = "";
	struct drm_version v = {
		.name = name, .name_len = sizeof(name) - 1,
		.date = date, .date_len = sizeof(date) - 1,
		.desc = desc, .desc_len = sizeof(desc) - 1,
	};
	struct hilt_json j;

	if (!hilt_expect_ok(ctx, dev, "DRM_IOCTL_VERSION", hilt_ioctl(dev->fd, DRM_IOCTL_VERSION, &v), errno))
		return;
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_int(&j, "major", v.version_major);
	hj_int(&j, "minor", v.version_minor);
	hj_int(&j, "patchlevel", v.version_patchlevel);
	/* The kernel reports each string's full length even when it truncated the copy. */
	hj_strn(&j, "name", name, v.name_len < sizeof(name) ? v.name_len : sizeof(name) - 1);
	hj_strn(&j, "date", date, v.date_len < sizeof(date) ? v.date_len : sizeof(date) - 1);
	hj_strn(&j, "desc", desc, v.desc_len < sizeof(desc) ? v.desc_len : sizeof(desc) - 1);
	hilt_obs(ctx, "drm.version", &j);
}
