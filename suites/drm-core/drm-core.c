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
#include <sys/ioctl.h>
#include <sys/mman.h>
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

static const struct hilt_case cases[] = {
	{ "open", t_open, "open(2)",
	  "every /dev/dri and /dev/accel node opens read-write", "drm.node" },
	{ "version", t_version, "DRM_IOCTL_VERSION",
	  "VERSION returns a driver name, date and description", "drm.version" },
	{ "get-cap", t_get_cap, "DRM_IOCTL_GET_CAP",
	  "each capability the kernel defines is answered", "drm.cap" },
	{ "unknown-ioctl", t_unknown_ioctl, "DRM_IO(0xff)",
	  "an ioctl number nobody defines is refused with EINVAL", "ioctl.errno" },
	{ "get-cap-unknown", t_get_cap_unknown, "DRM_IOCTL_GET_CAP",
	  "an unknown capability id is refused with EINVAL (KMS driver) or EOPNOTSUPP (any other)",
	  "ioctl.errno" },
	{ "client-cap", t_client_cap, "DRM_IOCTL_SET_CLIENT_CAP",
	  "each known client cap is answered; an unknown one is refused with EINVAL (KMS), "
	  "EOPNOTSUPP (non-KMS) or EACCES (render node)", "drm.client-cap,ioctl.errno" },
	{ "gem-close-invalid", t_gem_close_invalid, "DRM_IOCTL_GEM_CLOSE",
	  "closing a GEM handle the file never had is refused with EINVAL", "ioctl.errno" },
	{ "gem-flink-render", t_gem_flink_render, "DRM_IOCTL_GEM_FLINK",
	  "a render node refuses GEM_FLINK with EACCES, even of a handle it holds", "ioctl.errno" },
	{ "dumb-buffer", t_dumb_buffer, "DRM_IOCTL_MODE_CREATE_DUMB",
	  "a dumb buffer is created with a page-multiple size and a pitch of at least width*bpp/8, "
	  "maps, reads back zeroes then what was written, and is destroyed; render nodes refuse it "
	  "with EACCES", "drm.dumb,ioctl.errno" },
	{ "dumb-create-invalid", t_dumb_invalid, "DRM_IOCTL_MODE_CREATE_DUMB",
	  "zero, overflowing and impossible dumb buffer sizes are refused with EINVAL",
	  "ioctl.errno,drm.dumb" },
	{ "bad-pointer", t_bad_pointer, "DRM_IOCTL_VERSION",
	  "an argument or buffer pointer into unmapped memory is refused with EFAULT", "ioctl.errno" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "drm-core", cases, HILT_ARRAY_SIZE(cases));
}
