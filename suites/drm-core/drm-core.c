// SPDX-License-Identifier: MIT
/*
 * drm-core: the DRM core ioctls every DRM and accel driver answers.
 *
 * The errno each negative case asserts is the one DRM core returns before any
 * driver code runs (drivers/gpu/drm/drm_ioctl.c, drm_gem.c, drm_dumb_buffers.c
 * of Linux 6.12), so it holds for every driver. Where DRM core itself answers
 * differently for drivers without DRIVER_MODESET (vgem, every accel driver),
 * the case finds out which kind of driver it talks to from the kernel's own
 * answer to DRM_CAP_VBLANK_HIGH_CRTC (answered by every KMS driver, refused
 * with EOPNOTSUPP by every other one) and asserts the matching errno.
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "drm-util.h"
#include "drm-core-uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>

static const char *kind_name(const struct hilt_dev *dev)
{
	return dev->kind == HILT_NODE_PRIMARY ? "primary" :
	       dev->kind == HILT_NODE_RENDER ? "render" : "accel";
}

/* 0 when the driver is a KMS driver (DRIVER_MODESET), else the errno DRM core refuses KMS caps with. */
static int kms_errno(const struct hilt_dev *dev)
{
	uint64_t v;
	int ret = hilt_get_cap(dev, DRM_CAP_VBLANK_HIGH_CRTC, &v);

	return ret < 0 ? -ret : 0;
}

/* ---- open, version ---- */

static void open_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_json j;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "path", dev->path);
	hj_str(&j, "kind", kind_name(dev));
	hilt_obs(ctx, "drm.node", &j);
}

static void t_open(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, open_one);
}

static void version_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	hilt_obs_version(ctx, dev);
}

static void t_version(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, version_one);
}

/* ---- GET_CAP ---- */

/* Every DRM_CAP_* of include/uapi/drm/drm.h (6.12); kms: refused without DRIVER_MODESET. */
static const struct { uint64_t id; const char *name; bool kms; } caps[] = {
	{ DRM_CAP_DUMB_BUFFER, "DRM_CAP_DUMB_BUFFER", true },
	{ DRM_CAP_VBLANK_HIGH_CRTC, "DRM_CAP_VBLANK_HIGH_CRTC", true },
	{ DRM_CAP_DUMB_PREFERRED_DEPTH, "DRM_CAP_DUMB_PREFERRED_DEPTH", true },
	{ DRM_CAP_DUMB_PREFER_SHADOW, "DRM_CAP_DUMB_PREFER_SHADOW", true },
	{ DRM_CAP_PRIME, "DRM_CAP_PRIME", false },
	{ DRM_CAP_TIMESTAMP_MONOTONIC, "DRM_CAP_TIMESTAMP_MONOTONIC", false },
	{ DRM_CAP_ASYNC_PAGE_FLIP, "DRM_CAP_ASYNC_PAGE_FLIP", true },
	{ DRM_CAP_CURSOR_WIDTH, "DRM_CAP_CURSOR_WIDTH", true },
	{ DRM_CAP_CURSOR_HEIGHT, "DRM_CAP_CURSOR_HEIGHT", true },
	{ DRM_CAP_ADDFB2_MODIFIERS, "DRM_CAP_ADDFB2_MODIFIERS", true },
	{ DRM_CAP_PAGE_FLIP_TARGET, "DRM_CAP_PAGE_FLIP_TARGET", true },
	{ DRM_CAP_CRTC_IN_VBLANK_EVENT, "DRM_CAP_CRTC_IN_VBLANK_EVENT", true },
	{ DRM_CAP_SYNCOBJ, "DRM_CAP_SYNCOBJ", false },
	{ DRM_CAP_SYNCOBJ_TIMELINE, "DRM_CAP_SYNCOBJ_TIMELINE", false },
	{ DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP, "DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP", true },
};

static void get_cap_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	int kms_err = -1;

	for (size_t i = 0; i < HILT_ARRAY_SIZE(caps); i++) {
		struct drm_get_cap cap = { .capability = caps[i].id };
		int ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_CAP, &cap);
		int err = ret ? errno : 0;
		struct hilt_json j;

		hj_begin(&j);
		hj_dev(&j, dev);
		hj_str(&j, "cap", caps[i].name);
		hj_uint(&j, "id", caps[i].id);
		hj_int(&j, "errno", err);
		hj_str(&j, "errname", hilt_errname(err));
		if (ret)
			hj_null(&j, "value");
		else
			hj_uint(&j, "value", cap.value);
		hilt_obs(ctx, "drm.cap", &j);

		/*
		 * DRM core checks DRIVER_MODESET once for all KMS caps: they are
		 * all answered or all refused alike. DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP
		 * is EINVAL on a KMS driver of a kernel older than 6.8.
		 */
		if (!caps[i].kms)
			continue;
		if (kms_err < 0)
			kms_err = err;
		else if (err != kms_err &&
			 !(caps[i].id == DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP && !kms_err && err == EINVAL))
			hilt_fail(ctx, "DRM_IOCTL_GET_CAP on %s: %s answered %s but %s answered %s; "
				  "DRM core answers every KMS cap alike (all or none, on DRIVER_MODESET)",
				  dev->node, caps[0].name, hilt_errname(kms_err), caps[i].name,
				  hilt_errname(err));
	}
}

static void t_get_cap(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, get_cap_one);
}

static void get_cap_unknown_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static const uint64_t ids[] = { 0, 0x7fffffff };
	int kms;

	kms = kms_errno(dev);
	for (size_t i = 0; i < HILT_ARRAY_SIZE(ids); i++) {
		struct drm_get_cap cap = { .capability = ids[i] };
		int ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_CAP, &cap);
		char misuse[128];

		snprintf(misuse, sizeof(misuse), "capability id %#llx that no kernel defines (%s driver)",
			 (unsigned long long)ids[i], kms ? "non-KMS" : "KMS");
		/*
		 * drm_getcap(): the default case of the KMS switch is EINVAL, but a
		 * driver without DRIVER_MODESET never reaches it: EOPNOTSUPP first.
		 */
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_GET_CAP", misuse, ret, errno,
				  kms ? EOPNOTSUPP : EINVAL);
	}
}

static void t_get_cap_unknown(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, get_cap_unknown_one);
}

/* ---- SET_CLIENT_CAP ---- */

static const struct { uint64_t id; const char *name; } client_caps[] = {
	{ DRM_CLIENT_CAP_STEREO_3D, "DRM_CLIENT_CAP_STEREO_3D" },
	{ DRM_CLIENT_CAP_UNIVERSAL_PLANES, "DRM_CLIENT_CAP_UNIVERSAL_PLANES" },
	{ DRM_CLIENT_CAP_ATOMIC, "DRM_CLIENT_CAP_ATOMIC" },
	{ DRM_CLIENT_CAP_ASPECT_RATIO, "DRM_CLIENT_CAP_ASPECT_RATIO" },
	{ DRM_CLIENT_CAP_WRITEBACK_CONNECTORS, "DRM_CLIENT_CAP_WRITEBACK_CONNECTORS" },
	{ DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT, "DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT" },
};

static void client_cap_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	int kms, fd = dev->fd, expected;
	struct drm_set_client_cap unknown = { .capability = 0x7fffffff, .value = 1 };
	char misuse[128];
	int ret;

	kms = kms_errno(dev);
	/*
	 * Client caps change the state of the file they are set on: use a file
	 * of our own on card nodes. Render and accel nodes refuse them all (and
	 * an accel driver such as habanalabs allows one open file at a time).
	 */
	if (dev->kind == HILT_NODE_PRIMARY) {
		fd = open(dev->path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			hilt_fail(ctx, "open %s a second time: %s", dev->path, strerror(errno));
			return;
		}
	}

	/* Each known cap set to 1, in order (ATOMIC before the caps that need it). */
	for (size_t i = 0; i < HILT_ARRAY_SIZE(client_caps); i++) {
		struct drm_set_client_cap cc = { .capability = client_caps[i].id, .value = 1 };
		int err;
		struct hilt_json j;

		ret = hilt_ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, &cc);
		err = ret ? errno : 0;
		hj_begin(&j);
		hj_dev(&j, dev);
		hj_str(&j, "cap", client_caps[i].name);
		hj_uint(&j, "id", client_caps[i].id);
		hj_uint(&j, "value", 1);
		hj_int(&j, "errno", err);
		hj_str(&j, "errname", hilt_errname(err));
		hilt_obs(ctx, "drm.client-cap", &j);
		/* drm_setclientcap(): these three have no condition but DRIVER_MODESET. */
		if (dev->kind == HILT_NODE_PRIMARY && !kms && err &&
		    (cc.capability == DRM_CLIENT_CAP_STEREO_3D ||
		     cc.capability == DRM_CLIENT_CAP_UNIVERSAL_PLANES ||
		     cc.capability == DRM_CLIENT_CAP_ASPECT_RATIO))
			hilt_fail(ctx, "DRM_IOCTL_SET_CLIENT_CAP %s=1 on %s (a KMS driver) failed with %s; "
				  "DRM core accepts it on every KMS driver", client_caps[i].name,
				  dev->node, hilt_errname(err));
	}

	/*
	 * An unknown cap: render clients fail drm_ioctl_permit() (no
	 * DRM_RENDER_ALLOW) with EACCES; otherwise drm_setclientcap() refuses
	 * everything on a driver without DRIVER_MODESET with EOPNOTSUPP, and an
	 * unknown cap on a KMS driver with EINVAL.
	 */
	if (dev->kind == HILT_NODE_RENDER)
		expected = EACCES;
	else
		expected = kms ? EOPNOTSUPP : EINVAL;
	snprintf(misuse, sizeof(misuse), "client cap id 0x7fffffff that no kernel defines (%s node, %s driver)",
		 kind_name(dev), kms ? "non-KMS" : "KMS");
	ret = hilt_ioctl(fd, DRM_IOCTL_SET_CLIENT_CAP, &unknown);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_SET_CLIENT_CAP", misuse, ret, errno, expected);

	if (fd != dev->fd)
		close(fd);
}

static void t_client_cap(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, client_cap_one);
}

/* ---- GEM handles ---- */

static void gem_close_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static const uint32_t handles[] = { 0, 0x7fffffff };

	for (size_t i = 0; i < HILT_ARRAY_SIZE(handles); i++) {
		struct drm_gem_close arg = { .handle = handles[i] };
		int ret = hilt_ioctl(dev->fd, DRM_IOCTL_GEM_CLOSE, &arg);
		int err = errno;
		char misuse[96];

		snprintf(misuse, sizeof(misuse), "GEM handle %#x that this file never had",
			 handles[i]);
		/*
		 * drm_gem_close_ioctl() -> drm_gem_handle_delete(): EINVAL. A driver
		 * without DRIVER_GEM refuses GEM_CLOSE with EOPNOTSUPP first; of the
		 * 6.12 drivers only habanalabs (an accel driver) lacks GEM, so accel
		 * nodes may answer either, every /dev/dri driver EINVAL.
		 */
		if (dev->kind != HILT_NODE_ACCEL) {
			hilt_expect_errno(ctx, dev, "DRM_IOCTL_GEM_CLOSE", misuse, ret, err, EINVAL);
			continue;
		}
		if (hilt_expect_errno(ctx, dev, "DRM_IOCTL_GEM_CLOSE", misuse, ret, err, HILT_ANY_ERRNO) &&
		    err != EINVAL && err != EOPNOTSUPP)
			hilt_fail(ctx, "DRM_IOCTL_GEM_CLOSE on %s with %s failed with %s; expected EINVAL "
				  "(GEM driver) or EOPNOTSUPP (driver without DRIVER_GEM)",
				  dev->node, misuse, hilt_errname(err));
	}
}

static void t_gem_close_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, gem_close_invalid_one);
}

/* The card node of the same device as dev (same /sys/class/drm/<node>/device), or NULL. */
static struct hilt_dev *primary_sibling(const struct hilt_dev *dev)
{
	char path[128], mine[PATH_MAX], other[PATH_MAX];
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);

	snprintf(path, sizeof(path), "/sys/class/drm/%s/device", dev->node);
	if (!realpath(path, mine))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (all[i].kind != HILT_NODE_PRIMARY || all[i].fd < 0)
			continue;
		snprintf(path, sizeof(path), "/sys/class/drm/%s/device", all[i].node);
		if (realpath(path, other) && !strcmp(mine, other))
			return &all[i];
	}
	return NULL;
}

/*
 * A handle the render node really holds: a dumb buffer made on the card node
 * of the same device, shared through PRIME. 0 when that is not possible.
 */
static uint32_t render_handle(const struct hilt_dev *render, struct hilt_bo *bo,
			      struct hilt_dev **card, char *how, size_t how_len)
{
	int dmabuf = -1;
	uint32_t handle = 0;
	int ret;

	*card = primary_sibling(render);
	if (!*card) {
		snprintf(how, how_len, "no card node of the same device");
		return 0;
	}
	ret = hilt_dumb_create((*card)->fd, 64, 64, 32, bo);
	if (ret) {
		snprintf(how, how_len, "MODE_CREATE_DUMB on %s: %s", (*card)->node, hilt_errname(-ret));
		*card = NULL;
		return 0;
	}
	ret = hilt_prime_export((*card)->fd, bo->handle, DRM_CLOEXEC, &dmabuf);
	if (!ret) {
		ret = hilt_prime_import(render->fd, dmabuf, &handle);
		close(dmabuf);
	}
	if (ret) {
		snprintf(how, how_len, "PRIME from %s: %s", (*card)->node, hilt_errname(-ret));
		hilt_dumb_destroy((*card)->fd, bo->handle);
		*card = NULL;
		return 0;
	}
	snprintf(how, how_len, "a handle imported through PRIME from %s", (*card)->node);
	return handle;
}

static void gem_flink_render_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_bo bo = { 0 };
	struct hilt_dev *card = NULL;
	char how[128], misuse[192];
	uint32_t handle = render_handle(dev, &bo, &card, how, sizeof(how));
	struct drm_gem_flink flink = { .handle = handle ? handle : 1 };
	int ret;

	if (handle)
		snprintf(misuse, sizeof(misuse), "on a render node, of %s", how);
	else
		snprintf(misuse, sizeof(misuse), "on a render node, of handle 1 (no real handle: %s)", how);
	/*
	 * GEM_FLINK is DRM_AUTH without DRM_RENDER_ALLOW: drm_ioctl_permit()
	 * refuses a render client with EACCES before the handle is looked up,
	 * so a render node can never publish a global (guessable) GEM name.
	 */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_GEM_FLINK, &flink);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_GEM_FLINK", misuse, ret, errno, EACCES);
	if (handle) {
		ret = hilt_gem_close(dev->fd, handle);
		hilt_expect_ok(ctx, dev, "DRM_IOCTL_GEM_CLOSE of the imported handle",
			       ret ? -1 : 0, -ret);
		hilt_dumb_destroy(card->fd, bo.handle);
	}
}

static void t_gem_flink_render(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_RENDER, gem_flink_render_one);
}

/* ---- dumb buffers ---- */

static long page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? p : 4096;
}

/* Checks a dumb buffer the kernel accepted; emits drm.dumb. Returns false on a failure. */
static bool check_dumb(struct hilt_ctx *ctx, struct hilt_dev *dev, uint32_t w, uint32_t h,
		       uint32_t bpp, const struct hilt_bo *bo, int64_t offset, int zeroed)
{
	uint64_t min_pitch = ((uint64_t)w * bpp + 7) / 8;
	uint64_t min_size = (uint64_t)bo->pitch * h;
	uint64_t cap = 0;
	int cap_ret = hilt_get_cap(dev, DRM_CAP_DUMB_BUFFER, &cap);
	struct hilt_json j;
	bool ok = true;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_uint(&j, "width", w);
	hj_uint(&j, "height", h);
	hj_uint(&j, "bpp", bpp);
	hj_uint(&j, "handle", bo->handle);
	hj_uint(&j, "pitch", bo->pitch);
	hj_uint(&j, "size", bo->size);
	hj_uint(&j, "min_pitch", min_pitch);
	hj_uint(&j, "min_size", min_size);
	if (offset >= 0)
		hj_uint(&j, "offset", (uint64_t)offset);
	if (zeroed >= 0)
		hj_bool(&j, "zeroed", zeroed);
	hj_str(&j, "cap_errname", hilt_errname(-cap_ret));
	if (cap_ret)
		hj_null(&j, "cap_value");
	else
		hj_uint(&j, "cap_value", cap);
	hilt_obs(ctx, "drm.dumb", &j);

	if (!bo->handle) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_CREATE_DUMB on %s (%ux%u, %u bpp) returned handle 0",
			  dev->node, w, h, bpp);
		ok = false;
	}
	if (bo->pitch < min_pitch) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_CREATE_DUMB on %s (%ux%u, %u bpp): pitch %u below width*bpp/8 = %llu",
			  dev->node, w, h, bpp, bo->pitch, (unsigned long long)min_pitch);
		ok = false;
	}
	if (bo->size < min_size || bo->size % page_size()) {
		hilt_fail(ctx, "DRM_IOCTL_MODE_CREATE_DUMB on %s (%ux%u, %u bpp): size %llu is not a "
			  "multiple of the %ld-byte page at least pitch*height = %llu",
			  dev->node, w, h, bpp, (unsigned long long)bo->size, page_size(),
			  (unsigned long long)min_size);
		ok = false;
	}
	return ok;
}

static int map_dumb(int fd, uint32_t handle, uint64_t size, uint64_t *offset, void **out)
{
	struct drm_mode_map_dumb arg = { .handle = handle };
	void *p;

	if (hilt_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &arg))
		return -errno;
	*offset = arg.offset;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)arg.offset);
	if (p == MAP_FAILED)
		return -errno;
	*out = p;
	return 0;
}

static uint32_t pattern(size_t i)
{
	return (uint32_t)(i + 1) * 0x9e3779b9u;
}

static void dumb_buffer_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	const uint32_t w = 64, h = 64, bpp = 32;
	struct hilt_bo bo = { 0 };
	uint64_t offset = 0, offset2 = 0, cap = 0;
	uint32_t *p = NULL;
	int ret, cap_ret, zeroed = 1;
	size_t words, bad = (size_t)-1;
	uint32_t got = 0;

	ret = hilt_dumb_create(dev->fd, w, h, bpp, &bo);
	if (dev->kind == HILT_NODE_RENDER) {
		/* MODE_CREATE_DUMB lacks DRM_RENDER_ALLOW: drm_ioctl_permit() says EACCES. */
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_CREATE_DUMB", "on a render node (64x64, 32 bpp)",
				  ret ? -1 : 0, -ret, EACCES);
		if (!ret)
			hilt_dumb_destroy(dev->fd, bo.handle);
		return;
	}
	cap_ret = hilt_get_cap(dev, DRM_CAP_DUMB_BUFFER, &cap);
	if (ret == -ENOSYS) {
		/* drm_mode_create_dumb(): ENOSYS when the driver has no dumb_create. */
		if (!cap_ret && cap)
			hilt_fail(ctx, "DRM_IOCTL_MODE_CREATE_DUMB on %s failed with ENOSYS although "
				  "DRM_CAP_DUMB_BUFFER says 1", dev->node);
		else
			hilt_skip(ctx, "%s driver has no dumb buffers (MODE_CREATE_DUMB: ENOSYS, "
				  "DRM_CAP_DUMB_BUFFER: %s)", dev->driver,
				  cap_ret ? hilt_errname(-cap_ret) : "0");
		return;
	}
	if (!hilt_expect_ok(ctx, dev, "DRM_IOCTL_MODE_CREATE_DUMB 64x64 32 bpp", ret ? -1 : 0, -ret))
		return;

	ret = map_dumb(dev->fd, bo.handle, bo.size, &offset, (void **)&p);
	if (!hilt_expect_ok(ctx, dev, "DRM_IOCTL_MODE_MAP_DUMB + mmap", ret ? -1 : 0, -ret)) {
		check_dumb(ctx, dev, w, h, bpp, &bo, -1, -1);
		hilt_dumb_destroy(dev->fd, bo.handle);
		return;
	}
	words = bo.size / sizeof(*p);
	for (size_t i = 0; i < words; i++)
		if (p[i]) {
			zeroed = 0;
			break;
		}
	for (size_t i = 0; i < words; i++)
		p[i] = pattern(i);
	munmap(p, bo.size);
	p = NULL;

	/* A second mapping must see what the first one wrote. */
	ret = map_dumb(dev->fd, bo.handle, bo.size, &offset2, (void **)&p);
	if (hilt_expect_ok(ctx, dev, "second DRM_IOCTL_MODE_MAP_DUMB + mmap", ret ? -1 : 0, -ret)) {
		for (size_t i = 0; i < words && bad == (size_t)-1; i++)
			if (p[i] != pattern(i)) {
				bad = i;
				got = p[i];
			}
		munmap(p, bo.size);
		if (bad != (size_t)-1)
			hilt_fail(ctx, "dumb buffer on %s: word %zu read back %#x through a second mapping, "
				  "wrote %#x", dev->node, bad, got, pattern(bad));
	}
	check_dumb(ctx, dev, w, h, bpp, &bo, (int64_t)offset, zeroed);
	if (!zeroed)
		hilt_fail(ctx, "dumb buffer on %s: a new buffer read back non-zero bytes "
			  "(stale memory handed to userspace)", dev->node);

	ret = hilt_dumb_destroy(dev->fd, bo.handle);
	if (!hilt_expect_ok(ctx, dev, "DRM_IOCTL_MODE_DESTROY_DUMB", ret ? -1 : 0, -ret))
		return;
	/* drm_mode_destroy_dumb() -> drm_gem_handle_delete(): EINVAL for a handle gone. */
	ret = hilt_dumb_destroy(dev->fd, bo.handle);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_DESTROY_DUMB", "a handle already destroyed",
			  ret ? -1 : 0, -ret, EINVAL);
	/* drm_gem_dumb_map_offset() and the drivers' own hooks: ENOENT, no such object. */
	{
		struct drm_mode_map_dumb arg = { .handle = bo.handle };

		ret = hilt_ioctl(dev->fd, DRM_IOCTL_MODE_MAP_DUMB, &arg);
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_MAP_DUMB", "a handle already destroyed",
				  ret, errno, ENOENT);
	}
}

static void t_dumb_buffer(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, dumb_buffer_one);
}

static void dumb_invalid_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	/* Each refused by drm_mode_create_dumb() with EINVAL before the driver sees it. */
	static const struct { uint32_t w, h, bpp; const char *what; } bad[] = {
		{ 0, 64, 32, "width 0" },
		{ 64, 0, 32, "height 0" },
		{ 64, 64, 0, "bpp 0" },
		{ 64, 64, UINT32_MAX, "bpp 0xffffffff (above U32_MAX - 8)" },
		{ 0x40000000, 1, 32, "width 2^30 at 32 bpp (width*cpp overflows 32 bits)" },
		{ 65536, 65536, 32, "65536x65536 at 32 bpp (pitch*height overflows 32 bits)" },
		{ 0x3fffffff, 1, 32, "width 0x3fffffff at 32 bpp (size 0xfffffffc wraps to 0 when page-aligned)" },
	};
	struct hilt_bo bo = { 0 };
	int ret;

	/* Only where dumb buffers exist: elsewhere every call is ENOSYS before any check. */
	ret = hilt_dumb_create(dev->fd, 64, 64, 32, &bo);
	if (ret == -ENOSYS) {
		hilt_skip(ctx, "%s driver has no dumb buffers (MODE_CREATE_DUMB: ENOSYS)", dev->driver);
		return;
	}
	if (!hilt_expect_ok(ctx, dev, "DRM_IOCTL_MODE_CREATE_DUMB 64x64 32 bpp", ret ? -1 : 0, -ret))
		return;
	hilt_dumb_destroy(dev->fd, bo.handle);

	for (size_t i = 0; i < HILT_ARRAY_SIZE(bad); i++) {
		ret = hilt_dumb_create(dev->fd, bad[i].w, bad[i].h, bad[i].bpp, &bo);
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_CREATE_DUMB", bad[i].what,
				  ret ? -1 : 0, -ret, EINVAL);
		if (!ret)
			hilt_dumb_destroy(dev->fd, bo.handle);
	}

	/*
	 * 7 bpp: DRM core rounds it up to one byte per pixel and lets the driver
	 * decide. Drivers differ (virtio_gpu takes 32 bpp only, shmem helpers
	 * take anything), so it is recorded, not judged: drm.dumb if accepted,
	 * ioctl.errno if refused.
	 */
	ret = hilt_dumb_create(dev->fd, 64, 64, 7, &bo);
	hilt_record_only(ctx, "bpp 7 on %s (%s): %s; DRM core leaves a bpp that is not a whole byte to the "
			 "driver, so this is recorded, not judged", dev->node, dev->driver,
			 ret ? hilt_errname(-ret) : "accepted");
	if (ret) {
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_CREATE_DUMB", "bpp 7 (not a whole byte)",
				  -1, -ret, HILT_ANY_ERRNO);
		return;
	}
	check_dumb(ctx, dev, 64, 64, 7, &bo, -1, -1);
	hilt_dumb_destroy(dev->fd, bo.handle);
}

static void t_dumb_invalid(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_ACCEL), dumb_invalid_one);
}

/* ---- misuse of the ioctl call itself ---- */

static void unknown_ioctl_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	int ret;

	ret = ioctl(dev->fd, DRM_IO(0xff), NULL);
	hilt_expect_errno(ctx, dev, "DRM_IO(0xff)", "an ioctl number no DRM core or driver defines",
			  ret, errno, EINVAL);
}

static void t_unknown_ioctl(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, unknown_ioctl_one);
}

static void bad_pointer_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	long psz = page_size();
	char *hole;
	struct drm_version v = { 0 };
	int ret;

	/* An address nothing is mapped at: map a page, unmap it, use it at once. */
	hole = mmap(NULL, (size_t)psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED) {
		hilt_fail(ctx, "mmap of one anonymous page: %s", strerror(errno));
		return;
	}
	munmap(hole, (size_t)psz);

	/* drm_version() -> drm_copy_field(): copy_to_user() of the name faults. */
	v.name = hole;
	v.name_len = 64;
	ret = ioctl(dev->fd, DRM_IOCTL_VERSION, &v);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_VERSION", "name pointing at an unmapped page",
			  ret, errno, EFAULT);

	/* drm_ioctl(): copy_from_user() of the argument itself faults. */
	ret = ioctl(dev->fd, DRM_IOCTL_GET_CAP, (void *)1);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_GET_CAP", "argument pointer (void *)1",
			  ret, errno, EFAULT);
}

static void t_bad_pointer(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, bad_pointer_one);
}

/* ---- master, authentication, client ---- */

/*
 * A harmless DRM_MASTER ioctl: SET_VERSION with every field -1 only reports
 * the versions (drm_setversion()); drm_ioctl_permit() refuses it with EACCES
 * to a file that is not the current master. 0 or -errno.
 */
static int master_probe(int fd)
{
	struct drm_set_version sv = { -1, -1, -1, -1 };

	return hilt_ioctl(fd, DRM_IOCTL_SET_VERSION, &sv) ? -errno : 0;
}

static int set_master(int fd)
{
	return hilt_ioctl(fd, DRM_IOCTL_SET_MASTER, NULL) ? -errno : 0;
}

static int drop_master(int fd)
{
	return hilt_ioctl(fd, DRM_IOCTL_DROP_MASTER, NULL) ? -errno : 0;
}

/* Makes dev->fd the master again where the case moved it (it was master before: was_master). */
static void restore_master(void *p)
{
	struct hilt_dev *dev = p;

	set_master(dev->fd);
}

/* Judge a call that returned 0 or -errno; the call is evaluated once. */
static bool expect_err(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *ioctl,
		       const char *misuse, int ret, int err)
{
	return hilt_expect_errno(ctx, dev, ioctl, misuse, ret ? -1 : 0, -ret, err);
}

static bool expect_ok(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *what, int ret)
{
	return hilt_expect_ok(ctx, dev, what, ret ? -1 : 0, -ret);
}

#define EXPECT_ERR(dev, ioctl, misuse, ret, err) expect_err(ctx, dev, ioctl, misuse, ret, err)
#define EXPECT_OK(dev, what, ret) expect_ok(ctx, dev, what, ret)

/*
 * SET_MASTER / DROP_MASTER on a primary node (drivers/gpu/drm/drm_auth.c),
 * between two open files A and B of this root process: A takes master
 * (drm_new_set_master()), B's SET_MASTER is EBUSY while A holds it, B's
 * DROP_MASTER EINVAL (not the current master); only A passes a DRM_MASTER
 * ioctl; after A drops, B takes it. Render nodes refuse both with EACCES
 * (no DRM_RENDER_ALLOW: drm_ioctl_permit()).
 */
static void master_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	int a, b, ret;

	if (dev->kind == HILT_NODE_RENDER) {
		EXPECT_ERR(dev, "DRM_IOCTL_SET_MASTER", "on a render node", set_master(dev->fd), EACCES);
		EXPECT_ERR(dev, "DRM_IOCTL_DROP_MASTER", "on a render node", drop_master(dev->fd), EACCES);
		return;
	}
	a = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	b = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	if (a < 0 || b < 0) {
		hilt_fail(ctx, "open %s twice more: %s", dev->path, strerror(errno));
		return;
	}
	/* The suite's own file of the node opened first and is master; hand it back after. */
	if (!master_probe(dev->fd)) {
		if (!EXPECT_OK(dev, "DRM_IOCTL_DROP_MASTER of the suite's own (master) file", drop_master(dev->fd)))
			return;
		hilt_defer_call(ctx, restore_master, dev);
	}
	ret = master_probe(a);
	EXPECT_ERR(dev, "DRM_IOCTL_SET_VERSION", "a DRM_MASTER ioctl from a file that is not master", ret, EACCES);
	if (!EXPECT_OK(dev, "DRM_IOCTL_SET_MASTER with no master on the device", set_master(a)))
		return;
	EXPECT_OK(dev, "DRM_IOCTL_SET_VERSION (a DRM_MASTER ioctl) from the new master", master_probe(a));
	EXPECT_OK(dev, "DRM_IOCTL_SET_MASTER by the current master (a no-op)", set_master(a));
	EXPECT_ERR(dev, "DRM_IOCTL_SET_MASTER", "while another file of the device is master", set_master(b), EBUSY);
	EXPECT_ERR(dev, "DRM_IOCTL_DROP_MASTER", "by a file that is not the current master", drop_master(b), EINVAL);
	EXPECT_ERR(dev, "DRM_IOCTL_SET_VERSION", "a DRM_MASTER ioctl from a file that is not master", master_probe(b), EACCES);
	if (!EXPECT_OK(dev, "DRM_IOCTL_DROP_MASTER by the master", drop_master(a)))
		return;
	EXPECT_ERR(dev, "DRM_IOCTL_DROP_MASTER", "by a file that just dropped master", drop_master(a), EINVAL);
	EXPECT_OK(dev, "DRM_IOCTL_SET_MASTER once the device has no master", set_master(b));
	EXPECT_OK(dev, "DRM_IOCTL_DROP_MASTER by the second master", drop_master(b));
}

static void t_master(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER), master_one);
}

/* Drops CAP_SYS_ADMIN from the calling process (effective and permitted): 0 or -errno. */
static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	data[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* What the unprivileged child saw, sent back whole through a pipe. */
struct auth_report {
	int step_failed;	/* 0, or which setup step failed */
	int setup_errno;
	int auth_before;	/* GET_CLIENT(0).auth before AUTH_MAGIC */
	int flink_before;	/* GEM_FLINK errno before (0: accepted) */
	int set_master;		/* SET_MASTER errno (not was_master, no CAP_SYS_ADMIN) */
	unsigned magic, magic_again;
	int auth_after, flink_after;
};

static int get_client_auth(int fd, int *auth)
{
	struct drm_client c = { .idx = 0 };

	if (hilt_ioctl(fd, DRM_IOCTL_GET_CLIENT, &c))
		return -errno;
	*auth = c.auth;
	return 0;
}

static int flink(int fd, uint32_t handle, uint32_t *name)
{
	struct drm_gem_flink f = { .handle = handle };

	if (hilt_ioctl(fd, DRM_IOCTL_GEM_FLINK, &f))
		return -errno;
	*name = f.name;
	return 0;
}

static int get_magic(int fd, unsigned *magic)
{
	struct drm_auth a = { 0 };

	if (hilt_ioctl(fd, DRM_IOCTL_GET_MAGIC, &a))
		return -errno;
	*magic = a.magic;
	return 0;
}

static int auth_magic(int fd, unsigned magic)
{
	struct drm_auth a = { .magic = magic };

	return hilt_ioctl(fd, DRM_IOCTL_AUTH_MAGIC, &a) ? -errno : 0;
}

/* The child: no CAP_SYS_ADMIN, a fresh open of the node, waits for the parent's AUTH_MAGIC. */
static void __attribute__((noreturn)) auth_child(const char *path, int out, int in)
{
	struct auth_report r = { 0 };
	struct hilt_bo bo;
	uint32_t name;
	char go;
	int fd, ret;

	if ((ret = drop_sys_admin())) {
		r.step_failed = 1;
		r.setup_errno = -ret;
		goto report;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r.step_failed = 2;
		r.setup_errno = errno;
		goto report;
	}
	if ((ret = hilt_dumb_create(fd, 64, 64, 32, &bo)) || (ret = get_client_auth(fd, &r.auth_before)) ||
	    (ret = get_magic(fd, &r.magic))) {
		r.step_failed = 3;
		r.setup_errno = -ret;
		goto report;
	}
	r.flink_before = -flink(fd, bo.handle, &name);
	r.set_master = -set_master(fd);
	if (write(out, &r, sizeof(r)) != sizeof(r) || read(in, &go, 1) != 1)
		_exit(1);
	get_magic(fd, &r.magic_again);
	get_client_auth(fd, &r.auth_after);
	r.flink_after = -flink(fd, bo.handle, &name);
report:
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

/*
 * GET_MAGIC / AUTH_MAGIC (drm_getmagic(), drm_authmagic()): a process
 * without CAP_SYS_ADMIN opens the primary node while this one is master; it
 * is not authenticated (drm_file_alloc(): only CAP_SYS_ADMIN is), so
 * GEM_FLINK (DRM_AUTH) is EACCES and SET_MASTER EACCES
 * (drm_master_check_perm()). It gets a magic; AUTH_MAGIC by the master with
 * that magic authenticates it (GET_CLIENT says auth 1, GEM_FLINK works).
 * AUTH_MAGIC refuses an unknown or already used magic with EINVAL and a
 * caller that is not master with EACCES; render nodes refuse both with EACCES.
 */
static void auth_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	int to_parent[2], to_child[2], other, ret, st = 0;
	struct auth_report r;
	unsigned magic = 0;
	pid_t pid;

	if (dev->kind == HILT_NODE_RENDER) {
		EXPECT_ERR(dev, "DRM_IOCTL_GET_MAGIC", "on a render node", get_magic(dev->fd, &magic), EACCES);
		EXPECT_ERR(dev, "DRM_IOCTL_AUTH_MAGIC", "on a render node", auth_magic(dev->fd, 1), EACCES);
		return;
	}
	/* This process's first file of the node is the master that authenticates. */
	if (master_probe(dev->fd) && set_master(dev->fd)) {
		hilt_fail(ctx, "the suite's own file of %s is not master and cannot become it", dev->node);
		return;
	}
	if (pipe2(to_parent, O_CLOEXEC) || pipe2(to_child, O_CLOEXEC)) {
		hilt_fail(ctx, "pipe2 failed: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < 2; i++) {
		hilt_defer_close(ctx, to_parent[i]);
		hilt_defer_close(ctx, to_child[i]);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		hilt_fail(ctx, "fork failed: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		auth_child(dev->path, to_parent[1], to_child[0]);
	if (read(to_parent[0], &r, sizeof(r)) != sizeof(r) || r.step_failed) {
		hilt_fail(ctx, "the child without CAP_SYS_ADMIN could not set up on %s (step %d: %s)",
			  dev->node, r.step_failed, hilt_errname(r.setup_errno));
		waitpid(pid, &st, 0);
		return;
	}
	if (r.auth_before != 0)
		hilt_fail(ctx, "DRM_IOCTL_GET_CLIENT on %s says a file opened without CAP_SYS_ADMIN is authenticated (%d)",
			  dev->node, r.auth_before);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_GEM_FLINK", "by a file that is not authenticated (no CAP_SYS_ADMIN, no AUTH_MAGIC)",
			  r.flink_before ? -1 : 0, r.flink_before, EACCES);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_SET_MASTER", "by a process without CAP_SYS_ADMIN whose file never was master",
			  r.set_master ? -1 : 0, r.set_master, EACCES);
	if (!r.magic)
		hilt_fail(ctx, "DRM_IOCTL_GET_MAGIC on %s returned magic 0", dev->node);
	other = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	EXPECT_ERR(dev, "DRM_IOCTL_AUTH_MAGIC", "from a file that is not master", auth_magic(other, r.magic), EACCES);
	EXPECT_ERR(dev, "DRM_IOCTL_AUTH_MAGIC", "a magic nobody was given", auth_magic(dev->fd, 0x7ffffff0), EINVAL);
	ret = auth_magic(dev->fd, r.magic);
	EXPECT_OK(dev, "DRM_IOCTL_AUTH_MAGIC of the child's magic by the master", ret);
	EXPECT_ERR(dev, "DRM_IOCTL_AUTH_MAGIC", "a magic already used", auth_magic(dev->fd, r.magic), EINVAL);
	if (write(to_child[1], "g", 1) != 1 || read(to_parent[0], &r, sizeof(r)) != sizeof(r)) {
		hilt_fail(ctx, "lost the child on %s", dev->node);
		waitpid(pid, &st, 0);
		return;
	}
	waitpid(pid, &st, 0);
	if (!ret) {
		if (r.auth_after != 1)
			hilt_fail(ctx, "after AUTH_MAGIC, DRM_IOCTL_GET_CLIENT on %s says auth %d; expected 1", dev->node, r.auth_after);
		if (r.flink_after)
			hilt_fail(ctx, "after AUTH_MAGIC, DRM_IOCTL_GEM_FLINK by the child on %s failed with %s; expected a name",
				  dev->node, hilt_errname(r.flink_after));
	}
	if (r.magic_again != r.magic)
		hilt_fail(ctx, "DRM_IOCTL_GET_MAGIC asked again on %s gave %u; the file's magic is %u", dev->node,
			  r.magic_again, r.magic);
}

static void t_auth(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER), auth_one);
}

/*
 * GET_CLIENT (drm_getclient()): only index 0 is answered, with the caller's
 * pid, uid 65534 (overflowuid) and auth 1 for a root file; any other index
 * is EINVAL. Render nodes refuse it with EACCES.
 */
static void get_client_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct drm_client c = { .idx = 0 };
	int ret;

	if (dev->kind == HILT_NODE_RENDER) {
		ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_CLIENT, &c) ? -errno : 0;
		EXPECT_ERR(dev, "DRM_IOCTL_GET_CLIENT", "on a render node", ret, EACCES);
		return;
	}
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_CLIENT, &c) ? -errno : 0;
	if (!EXPECT_OK(dev, "DRM_IOCTL_GET_CLIENT index 0", ret))
		return;
	if (c.pid != (unsigned long)getpid() || c.auth != 1 || c.uid != 65534)
		hilt_fail(ctx, "DRM_IOCTL_GET_CLIENT index 0 on %s: pid %lu, uid %lu, auth %d; expected pid %d, "
			  "uid 65534, auth 1", dev->node, c.pid, c.uid, c.auth, (int)getpid());
	c = (struct drm_client){ .idx = 1 };
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_CLIENT, &c) ? -errno : 0;
	EXPECT_ERR(dev, "DRM_IOCTL_GET_CLIENT", "index 1 (only 0 is answered)", ret, EINVAL);
}

static void t_get_client(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER), get_client_one);
}

/*
 * SET_VERSION (drm_setversion(), DRM_MASTER) and GET_UNIQUE
 * (drm_getunique()): interface 1.4 is accepted and ties the master to its
 * bus id (drm_set_busid()), which GET_UNIQUE then returns: "pci:DDDD:BB:DD.F"
 * for a PCI device; the length alone when the buffer is too short. An
 * interface other than 1.0-1.4, or a driver version above the driver's, is
 * EINVAL; a non-master's SET_VERSION EACCES; render nodes refuse both.
 */
static void unique_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct drm_set_version sv = { 1, 4, -1, -1 };
	char uniq[128] = "", path[160], real[PATH_MAX];
	struct drm_unique u = { 0 };
	int ret, other;

	if (dev->kind == HILT_NODE_RENDER) {
		ret = hilt_ioctl(dev->fd, DRM_IOCTL_SET_VERSION, &sv) ? -errno : 0;
		EXPECT_ERR(dev, "DRM_IOCTL_SET_VERSION", "on a render node", ret, EACCES);
		ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_UNIQUE, &u) ? -errno : 0;
		EXPECT_ERR(dev, "DRM_IOCTL_GET_UNIQUE", "on a render node", ret, EACCES);
		return;
	}
	if (master_probe(dev->fd) && set_master(dev->fd)) {
		hilt_fail(ctx, "the suite's own file of %s is not master and cannot become it", dev->node);
		return;
	}
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_SET_VERSION, &sv) ? -errno : 0;
	if (!EXPECT_OK(dev, "DRM_IOCTL_SET_VERSION interface 1.4", ret))
		return;
	if (sv.drm_di_major != 1 || sv.drm_di_minor < 4)
		hilt_fail(ctx, "DRM_IOCTL_SET_VERSION on %s reports interface %d.%d; expected 1.4 or later 1.x",
			  dev->node, sv.drm_di_major, sv.drm_di_minor);
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_UNIQUE, &u) ? -errno : 0;
	if (!EXPECT_OK(dev, "DRM_IOCTL_GET_UNIQUE with a zero-length buffer", ret))
		return;
	if (u.unique_len == 0 || u.unique_len >= sizeof(uniq)) {
		hilt_fail(ctx, "DRM_IOCTL_GET_UNIQUE on %s after SET_VERSION 1.4 reports length %zu", dev->node,
			  (size_t)u.unique_len);
		return;
	}
	u.unique = uniq;
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_UNIQUE, &u) ? -errno : 0;
	if (!EXPECT_OK(dev, "DRM_IOCTL_GET_UNIQUE", ret))
		return;
	uniq[u.unique_len] = '\0';
	snprintf(path, sizeof(path), "/sys/class/drm/%s/device/subsystem", dev->node);
	if (realpath(path, real) && !strcmp(strrchr(real, '/') + 1, "pci")) {
		char dpath[160], want[PATH_MAX + 8];

		snprintf(dpath, sizeof(dpath), "/sys/class/drm/%s/device", dev->node);
		if (realpath(dpath, real)) {
			snprintf(want, sizeof(want), "pci:%s", strrchr(real, '/') + 1);
			if (strcmp(uniq, want))
				hilt_fail(ctx, "DRM_IOCTL_GET_UNIQUE on %s (a PCI device) returned \"%s\"; expected \"%s\"",
					  dev->node, uniq, want);
		}
	}
	hilt_diag(ctx, "%s: interface %d.%d, driver %d.%d, unique \"%s\"", dev->node, sv.drm_di_major,
		  sv.drm_di_minor, sv.drm_dd_major, sv.drm_dd_minor, uniq);
	/* Misuse. */
	u = (struct drm_unique){ .unique_len = sizeof(uniq), .unique = NULL };
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_UNIQUE, &u) ? -errno : 0;
	EXPECT_ERR(dev, "DRM_IOCTL_GET_UNIQUE", "a NULL buffer long enough for the id", ret, EFAULT);
	sv = (struct drm_set_version){ 2, 0, -1, -1 };
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_SET_VERSION, &sv) ? -errno : 0;
	EXPECT_ERR(dev, "DRM_IOCTL_SET_VERSION", "interface 2.0 (only 1.x exists)", ret, EINVAL);
	sv = (struct drm_set_version){ -1, -1, 9999, 0 };
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_SET_VERSION, &sv) ? -errno : 0;
	EXPECT_ERR(dev, "DRM_IOCTL_SET_VERSION", "driver major 9999 (not the driver's)", ret, EINVAL);
	other = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	sv = (struct drm_set_version){ 1, 4, -1, -1 };
	ret = hilt_ioctl(other, DRM_IOCTL_SET_VERSION, &sv) ? -errno : 0;
	EXPECT_ERR(dev, "DRM_IOCTL_SET_VERSION", "from a file that is not master", ret, EACCES);
}

static void t_unique(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER), unique_one);
}

/* ---- global names: GEM_FLINK and GEM_OPEN ---- */

/*
 * Two open files of a primary node: A makes a dumb buffer and names it
 * (GEM_FLINK, drm_gem_flink_ioctl(); naming it again gives the same name), B
 * opens the name (GEM_OPEN, drm_gem_open_ioctl()) and gets a handle to the
 * same object of the same size, whose mapping sees what A wrote. Unknown
 * names and handles are ENOENT; once every handle is closed the name is gone
 * (drm_gem_object_handle_free()). GEM_OPEN on a render node is EACCES.
 */
static void flink_open_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct drm_gem_open op = { 0 };
	struct hilt_bo bo, bo2;
	uint32_t name = 0, name2 = 0, opened, *pa, *pb;
	int a, b, ret;

	if (dev->kind == HILT_NODE_RENDER) {
		op.name = 1;
		ret = hilt_ioctl(dev->fd, DRM_IOCTL_GEM_OPEN, &op) ? -errno : 0;
		EXPECT_ERR(dev, "DRM_IOCTL_GEM_OPEN", "on a render node", ret, EACCES);
		return;
	}
	if (!hilt_dumb_capable(dev)) {
		hilt_skip(ctx, "%s (%s) cannot create dumb buffers: nothing to name", dev->node, dev->driver);
		return;
	}
	a = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	b = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	if (a < 0 || b < 0 || hilt_dumb_create(a, 64, 64, 32, &bo)) {
		hilt_fail(ctx, "two opens of %s and a dumb buffer: %s", dev->node, strerror(errno));
		return;
	}
	if (hilt_dumb_map(a, &bo, (void **)&pa)) {
		hilt_fail(ctx, "MAP_DUMB + mmap on %s failed", dev->node);
		return;
	}
	hilt_defer_munmap(ctx, pa, bo.size);
	for (size_t i = 0; i < bo.size / 4; i++)
		pa[i] = (uint32_t)i ^ 0xf1f1f1f1u;
	if (!EXPECT_OK(dev, "DRM_IOCTL_GEM_FLINK of a dumb buffer", flink(a, bo.handle, &name)))
		return;
	EXPECT_OK(dev, "DRM_IOCTL_GEM_FLINK again", flink(a, bo.handle, &name2));
	if (!name || name2 != name)
		hilt_fail(ctx, "DRM_IOCTL_GEM_FLINK on %s named the buffer %u, then %u; expected one nonzero name",
			  dev->node, name, name2);
	op.name = name;
	ret = hilt_ioctl(b, DRM_IOCTL_GEM_OPEN, &op) ? -errno : 0;
	if (!EXPECT_OK(dev, "DRM_IOCTL_GEM_OPEN of the name on another open file", ret))
		return;
	if (op.size != bo.size || !op.handle)
		hilt_fail(ctx, "DRM_IOCTL_GEM_OPEN on %s gave handle %u of %llu bytes; the buffer is %llu",
			  dev->node, op.handle, (unsigned long long)op.size, (unsigned long long)bo.size);
	opened = op.handle;
	bo2 = (struct hilt_bo){ .handle = op.handle, .size = op.size };
	if (!hilt_dumb_map(b, &bo2, (void **)&pb)) {
		hilt_defer_munmap(ctx, pb, bo.size);
		for (size_t i = 0; i < bo.size / 4; i++)
			if (pb[i] != ((uint32_t)i ^ 0xf1f1f1f1u)) {
				hilt_fail(ctx, "the buffer opened by name on %s reads %#x at word %zu; the namer wrote %#x",
					  dev->node, pb[i], i, (uint32_t)i ^ 0xf1f1f1f1u);
				break;
			}
	} else {
		hilt_fail(ctx, "MAP_DUMB of the handle GEM_OPEN gave on %s failed", dev->node);
	}
	/* Misuse. */
	op = (struct drm_gem_open){ .name = 0x7ffffff0 };
	ret = hilt_ioctl(b, DRM_IOCTL_GEM_OPEN, &op) ? -errno : 0;
	EXPECT_ERR(dev, "DRM_IOCTL_GEM_OPEN", "a name never given out", ret, ENOENT);
	EXPECT_ERR(dev, "DRM_IOCTL_GEM_FLINK", "a handle that does not exist", flink(a, 0x7ffffff0, &name2), ENOENT);
	/* Every handle closed: the name goes with the last one. */
	hilt_gem_close(b, opened);
	hilt_dumb_destroy(a, bo.handle);
	op = (struct drm_gem_open){ .name = name };
	ret = hilt_ioctl(b, DRM_IOCTL_GEM_OPEN, &op) ? -errno : 0;
	if (!ret)
		hilt_gem_close(b, op.handle);
	EXPECT_ERR(dev, "DRM_IOCTL_GEM_OPEN", "the name of a buffer whose every handle was closed", ret, ENOENT);
}

static void t_flink_open(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, (1u << HILT_NODE_PRIMARY) | (1u << HILT_NODE_RENDER), flink_open_one);
}

/* ---- dumb buffers: map offsets ---- */

/*
 * The fake offsets MAP_DUMB hands out (drm_gem_mmap()): an offset whose
 * buffer was destroyed maps nothing (EINVAL: no such node), another file's
 * offset is EACCES (drm_vma_node_is_allowed()), a mapping longer than the
 * buffer or past its end EINVAL (drm_vma_offset_exact_lookup_locked()).
 */
static void map_offsets_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	const size_t page = (size_t)page_size();
	struct drm_mode_map_dumb map;
	struct hilt_bo bo, gone;
	int other, ret;
	void *p;

	if (!hilt_dumb_capable(dev)) {
		hilt_skip(ctx, "%s (%s) cannot create dumb buffers", dev->node, dev->driver);
		return;
	}
	/* An offset of a destroyed buffer. */
	if (hilt_dumb_create(dev->fd, 64, 64, 32, &gone)) {
		hilt_fail(ctx, "MODE_CREATE_DUMB on %s failed", dev->node);
		return;
	}
	map = (struct drm_mode_map_dumb){ .handle = gone.handle };
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
	hilt_dumb_destroy(dev->fd, gone.handle);
	if (!EXPECT_OK(dev, "DRM_IOCTL_MODE_MAP_DUMB", ret ? -errno : 0))
		return;
	p = mmap(NULL, gone.size, PROT_READ, MAP_SHARED, dev->fd, (off_t)map.offset);
	ret = p == MAP_FAILED ? -errno : 0;
	if (!ret)
		munmap(p, gone.size);
	EXPECT_ERR(dev, "mmap(2)", "the MAP_DUMB offset of a buffer destroyed before the mmap", ret, EINVAL);

	/* A live buffer: its offset on another file, and too long a mapping. */
	if (hilt_dumb_create(dev->fd, 64, 64, 32, &bo)) {
		hilt_fail(ctx, "MODE_CREATE_DUMB on %s failed", dev->node);
		return;
	}
	hilt_defer_dumb_destroy(ctx, dev->fd, bo.handle);
	map = (struct drm_mode_map_dumb){ .handle = bo.handle };
	if (!EXPECT_OK(dev, "DRM_IOCTL_MODE_MAP_DUMB", hilt_ioctl(dev->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) ? -errno : 0))
		return;
	other = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	p = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, other, (off_t)map.offset);
	ret = p == MAP_FAILED ? -errno : 0;
	if (!ret)
		munmap(p, bo.size);
	EXPECT_ERR(dev, "mmap(2)", "another open file's MAP_DUMB offset", ret, EACCES);
	p = mmap(NULL, bo.size + page, PROT_READ, MAP_SHARED, dev->fd, (off_t)map.offset);
	ret = p == MAP_FAILED ? -errno : 0;
	if (!ret)
		munmap(p, bo.size + page);
	EXPECT_ERR(dev, "mmap(2)", "a MAP_DUMB offset with a length one page past the buffer", ret, EINVAL);
	p = mmap(NULL, page, PROT_READ, MAP_SHARED, dev->fd, (off_t)(map.offset + bo.size));
	ret = p == MAP_FAILED ? -errno : 0;
	if (!ret)
		munmap(p, page);
	EXPECT_ERR(dev, "mmap(2)", "the offset just past a buffer's MAP_DUMB range", ret, EINVAL);
	/* Sanity: the offset itself, at the right length, maps. */
	p = mmap(NULL, bo.size, PROT_READ, MAP_SHARED, dev->fd, (off_t)map.offset);
	if (p == MAP_FAILED)
		hilt_fail(ctx, "mmap of the MAP_DUMB offset of a live buffer on %s failed with %s", dev->node,
			  hilt_errname(errno));
	else
		munmap(p, bo.size);
}

static void t_map_offsets(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, map_offsets_one);
}

/* MAP_DUMB on a render node of a handle it holds: EACCES (no DRM_RENDER_ALLOW, drm_ioctl_permit()). */
static void map_render_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_bo bo = { 0 };
	struct hilt_dev *card = NULL;
	char how[128], misuse[192];
	uint32_t handle = render_handle(dev, &bo, &card, how, sizeof(how));
	struct drm_mode_map_dumb map = { .handle = handle ? handle : 1 };
	int ret;

	snprintf(misuse, sizeof(misuse), "on a render node, of %s", handle ? how : "handle 1 (no real handle)");
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) ? -errno : 0;
	EXPECT_ERR(dev, "DRM_IOCTL_MODE_MAP_DUMB", misuse, ret, EACCES);
	if (handle) {
		hilt_gem_close(dev->fd, handle);
		hilt_dumb_destroy(card->fd, bo.handle);
	}
}

static void t_map_render(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_RENDER, map_render_one);
}

#define MANY 64

/*
 * Many dumb buffers at once (IGT dumb_buffer create-clear): 64 of 16 KiB,
 * distinct handles, every page zero when created, also for the second batch
 * made right after the first was dirtied and destroyed.
 */
static void many_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	const size_t page = (size_t)page_size();
	static struct hilt_bo bos[MANY];
	int fd;

	if (!hilt_dumb_capable(dev)) {
		hilt_skip(ctx, "%s (%s) cannot create dumb buffers", dev->node, dev->driver);
		return;
	}
	fd = hilt_defer_close(ctx, open(dev->path, O_RDWR | O_CLOEXEC));
	if (fd < 0) {
		hilt_fail(ctx, "open %s: %s", dev->path, strerror(errno));
		return;
	}
	for (int round = 0; round < 2; round++) {
		int made = 0;

		for (int i = 0; i < MANY; i++) {
			int ret = hilt_dumb_create(fd, 64, 64, 32, &bos[i]);

			if (ret) {
				hilt_fail(ctx, "MODE_CREATE_DUMB number %d of %d (16 KiB) on %s failed with %s",
					  i + 1, MANY, dev->node, hilt_errname(-ret));
				break;
			}
			made++;
			for (int k = 0; k < i; k++)
				if (bos[k].handle == bos[i].handle)
					hilt_fail(ctx, "MODE_CREATE_DUMB on %s gave handle %u twice", dev->node,
						  bos[i].handle);
		}
		for (int i = 0; i < made && !hilt_failed(ctx); i++) {
			uint8_t *p;

			if (hilt_dumb_map(fd, &bos[i], (void **)&p)) {
				hilt_fail(ctx, "MAP_DUMB + mmap of buffer %d on %s failed", i + 1, dev->node);
				break;
			}
			for (size_t off = 0; off < bos[i].size; off += page / 4)
				if (p[off]) {
					hilt_fail(ctx, "a new dumb buffer (%d of %d, round %d) on %s holds %#x at byte %zu; "
						  "buffers must reach userspace cleared", i + 1, MANY, round + 1, dev->node,
						  p[off], off);
					break;
				}
			memset(p, 0xa5, bos[i].size);
			munmap(p, bos[i].size);
		}
		for (int i = 0; i < made; i++)
			hilt_dumb_destroy(fd, bos[i].handle);
		if (hilt_failed(ctx))
			return;
	}
	hilt_diag(ctx, "%d buffers of 16 KiB, twice: all cleared on creation", MANY);
}

static void t_many(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, 1u << HILT_NODE_PRIMARY, many_one);
}

/* ---- argument struct sizes ---- */

/*
 * drm_ioctl() copies in the size the caller's ioctl number says, zero-fills
 * up to the kernel's struct and copies the caller's size back: a shorter
 * (older) GET_CAP struct is served without the value it has no room for, a
 * longer (newer) one with its extra bytes ignored, zero or not, and handed
 * back as they were.
 */
static void struct_sizes_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	static const char rule[] = "drm_ioctl() zero-fills a shorter struct and ignores the bytes past its own";
	static const struct { size_t size; uint64_t tail; const char *trailing; } sizes[] = {
		{ 8, 0, "none" },
		{ sizeof(struct drm_get_cap), 0, "none" },
		{ sizeof(struct drm_get_cap) + 8, 0, "zero" },
		{ sizeof(struct drm_get_cap) + 8, 0xa5a5a5a5a5a5a5a5ull, "nonzero" },
	};

	for (size_t i = 0; i < HILT_ARRAY_SIZE(sizes); i++) {
		struct { struct drm_get_cap cap; uint64_t tail; } a = {
			.cap = { .capability = DRM_CAP_PRIME, .value = 0x1234 }, .tail = sizes[i].tail,
		};
		int ret = ioctl(dev->fd, hilt_ioc_resize(DRM_IOCTL_GET_CAP, sizes[i].size), &a);

		hilt_check_struct_size(ctx, dev, "DRM_IOCTL_GET_CAP", sizes[i].size, sizeof(struct drm_get_cap),
				       sizes[i].trailing, ret, errno, 0, rule);
		if (ret)
			continue;
		/* DRM_CAP_PRIME is 3 for every driver (drm_getcap()). */
		if (sizes[i].size >= sizeof(struct drm_get_cap) && a.cap.value != 3)
			hilt_fail(ctx, "DRM_IOCTL_GET_CAP(DRM_CAP_PRIME) with a %zu-byte struct on %s returned %llu; expected 3",
				  sizes[i].size, dev->node, (unsigned long long)a.cap.value);
		if (sizes[i].size < sizeof(struct drm_get_cap) && a.cap.value != 0x1234)
			hilt_fail(ctx, "DRM_IOCTL_GET_CAP with an 8-byte struct on %s wrote past it", dev->node);
		if (a.tail != sizes[i].tail)
			hilt_fail(ctx, "DRM_IOCTL_GET_CAP with a %zu-byte struct on %s changed the bytes past the kernel's struct",
				  sizes[i].size, dev->node);
	}
}

static void t_struct_sizes(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, struct_sizes_one);
}

static const struct hilt_case cases[] = {
	{ "open", t_open, "open(2)",
	  "every /dev/dri and /dev/accel node opens read-write", "drm.node", "drm_open(), drm_file_alloc()" },
	{ "version", t_version, "DRM_IOCTL_VERSION",
	  "VERSION returns a driver name, date and description", "drm.version", "drm_version(), drm_copy_field()" },
	{ "get-cap", t_get_cap, "DRM_IOCTL_GET_CAP",
	  "each capability the kernel defines is answered", "drm.cap", "drm_getcap()" },
	{ "unknown-ioctl", t_unknown_ioctl, "DRM_IO(0xff)",
	  "an ioctl number nobody defines is refused with EINVAL", "ioctl.errno", "drm_ioctl()" },
	{ "get-cap-unknown", t_get_cap_unknown, "DRM_IOCTL_GET_CAP",
	  "an unknown capability id is refused with EINVAL (KMS driver) or EOPNOTSUPP (any other)",
	  "ioctl.errno", "drm_getcap()" },
	{ "client-cap", t_client_cap, "DRM_IOCTL_SET_CLIENT_CAP",
	  "each known client cap is answered; an unknown one is refused with EINVAL (KMS), "
	  "EOPNOTSUPP (non-KMS) or EACCES (render node)", "drm.client-cap,ioctl.errno", "drm_setclientcap(), drm_ioctl_permit()" },
	{ "struct-sizes", t_struct_sizes, "DRM_IOCTL_GET_CAP",
	  "GET_CAP takes a shorter (older) struct without writing past it and a longer (newer) one, zero or not past the kernel's struct, leaving those bytes as they were",
	  "ioctl.struct-size", "drm_ioctl()" },
	{ "master", t_master, "DRM_IOCTL_SET_MASTER",
	  "of two files of a primary node one takes master, the other's SET_MASTER is EBUSY and DROP_MASTER EINVAL; only the master passes a DRM_MASTER ioctl (else EACCES); after a drop the other takes it; render nodes refuse both with EACCES",
	  "ioctl.errno", "drm_setmaster_ioctl(), drm_dropmaster_ioctl(), drm_ioctl_permit()" },
	{ "auth", t_auth, "DRM_IOCTL_AUTH_MAGIC",
	  "a file opened without CAP_SYS_ADMIN is not authenticated (GEM_FLINK and SET_MASTER EACCES) until the master passes its GET_MAGIC magic to AUTH_MAGIC; unknown or used magics are EINVAL, a non-master's AUTH_MAGIC and render nodes EACCES",
	  "ioctl.errno", "drm_getmagic(), drm_authmagic(), drm_master_check_perm(), drm_file_alloc()" },
	{ "get-client", t_get_client, "DRM_IOCTL_GET_CLIENT",
	  "GET_CLIENT index 0 gives the caller's pid, uid 65534 and auth 1 (root); any other index is EINVAL; render nodes EACCES",
	  "ioctl.errno", "drm_getclient()" },
	{ "set-version-unique", t_unique, "DRM_IOCTL_SET_VERSION",
	  "SET_VERSION 1.4 by the master ties it to its bus id, which GET_UNIQUE returns (pci:... for PCI); other interfaces and driver versions are EINVAL, a non-master EACCES, a NULL buffer EFAULT; render nodes EACCES",
	  "ioctl.errno", "drm_setversion(), drm_set_busid(), drm_getunique()" },
	{ "gem-close-invalid", t_gem_close_invalid, "DRM_IOCTL_GEM_CLOSE",
	  "closing a GEM handle the file never had is refused with EINVAL", "ioctl.errno",
	  "drm_gem_close_ioctl(), drm_gem_handle_delete()" },
	{ "gem-flink-open", t_flink_open, "DRM_IOCTL_GEM_OPEN",
	  "a buffer named with GEM_FLINK on one file of a primary node opens by that name on another, same size and data; unknown names and handles are ENOENT, a name dies with its last handle; render nodes refuse GEM_OPEN with EACCES",
	  "ioctl.errno", "drm_gem_flink_ioctl(), drm_gem_open_ioctl(), drm_gem_object_handle_free()" },
	{ "gem-flink-render", t_gem_flink_render, "DRM_IOCTL_GEM_FLINK",
	  "a render node refuses GEM_FLINK with EACCES, even of a handle it holds", "ioctl.errno",
	  "drm_ioctl_permit()" },
	{ "dumb-buffer", t_dumb_buffer, "DRM_IOCTL_MODE_CREATE_DUMB",
	  "a dumb buffer is created with a page-multiple size and a pitch of at least width*bpp/8, "
	  "maps, reads back zeroes then what was written, and is destroyed; render nodes refuse it "
	  "with EACCES", "drm.dumb,ioctl.errno", "drm_mode_create_dumb(), drm_gem_dumb_map_offset(), drm_mode_destroy_dumb()" },
	{ "dumb-create-invalid", t_dumb_invalid, "DRM_IOCTL_MODE_CREATE_DUMB",
	  "zero, overflowing and impossible dumb buffer sizes are refused with EINVAL (7 bpp is record-only: drivers differ)",
	  "ioctl.errno,drm.dumb", "drm_mode_create_dumb()" },
	{ "dumb-map-offsets", t_map_offsets, "mmap(2)",
	  "a MAP_DUMB offset maps only its live buffer, on its own file, at most its size: after DESTROY EINVAL, on another file EACCES, too long or past the end EINVAL",
	  "ioctl.errno", "drm_gem_mmap(), drm_vma_node_is_allowed(), drm_vma_offset_exact_lookup_locked()" },
	{ "dumb-map-render", t_map_render, "DRM_IOCTL_MODE_MAP_DUMB",
	  "a render node refuses MAP_DUMB with EACCES, even of a handle it holds", "ioctl.errno",
	  "drm_ioctl_permit()" },
	{ "dumb-many", t_many, "DRM_IOCTL_MODE_CREATE_DUMB",
	  "64 dumb buffers of 16 KiB at once have distinct handles and read all zero, also right after the first batch was dirtied and destroyed",
	  "", "drm_mode_create_dumb(), the driver's dumb_create" },
	{ "bad-pointer", t_bad_pointer, "DRM_IOCTL_VERSION",
	  "an argument or buffer pointer into unmapped memory is refused with EFAULT", "ioctl.errno",
	  "drm_ioctl(), drm_copy_field()" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "drm-core", cases, HILT_ARRAY_SIZE(cases));
}
