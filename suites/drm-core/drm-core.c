// SPDX-License-Identifier: MIT
/* drm-core: the DRM core ioctls every DRM and accel driver answers. */
#define _GNU_SOURCE
#include "hilt.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <drm.h>

static void open_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hilt_json j;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "path", dev->path);
	hj_str(&j, "kind", dev->kind == HILT_NODE_PRIMARY ? "primary" :
			    dev->kind == HILT_NODE_RENDER ? "render" : "accel");
	hilt_obs(ctx, "drm.node", &j);
}

static void t_open(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, open_one);
}

static void version_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	char name[128] = "", date[128] = "", desc[256] = "";
	struct drm_version v = {
		.name = name, .name_len = sizeof(name) - 1,
		.date = date, .date_len = sizeof(date) - 1,
		.desc = desc, .desc_len = sizeof(desc) - 1,
	};
	struct hilt_json j;

	if (!hilt_expect_ok(ctx, dev, "DRM_IOCTL_VERSION",
			    hilt_ioctl(dev->fd, DRM_IOCTL_VERSION, &v), errno))
		return;
	hj_begin(&j);
	hj_dev(&j, dev);
	hj_int(&j, "major", v.version_major);
	hj_int(&j, "minor", v.version_minor);
	hj_int(&j, "patchlevel", v.version_patchlevel);
	hj_strn(&j, "name", name, v.name_len < sizeof(name) ? v.name_len : sizeof(name) - 1);
	hj_strn(&j, "date", date, v.date_len < sizeof(date) ? v.date_len : sizeof(date) - 1);
	hj_strn(&j, "desc", desc, v.desc_len < sizeof(desc) ? v.desc_len : sizeof(desc) - 1);
	hilt_obs(ctx, "drm.version", &j);
}

static void t_version(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, version_one);
}

static const struct { unsigned long long id; const char *name; } caps[] = {
	{ DRM_CAP_DUMB_BUFFER, "DRM_CAP_DUMB_BUFFER" },
	{ DRM_CAP_PRIME, "DRM_CAP_PRIME" },
};

static void get_cap_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
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
	}
}

static void t_get_cap(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, get_cap_one);
}

static void unknown_ioctl_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	int ret = ioctl(dev->fd, DRM_IO(0xff), NULL);

	hilt_expect_errno(ctx, dev, "DRM_IO(0xff)", "an ioctl number no DRM core or driver defines",
			  ret, errno, EINVAL);
}

static void t_unknown_ioctl(struct hilt_ctx *ctx)
{
	hilt_each_device(ctx, HILT_ALL_NODES, unknown_ioctl_one);
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
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "drm-core", cases, HILT_ARRAY_SIZE(cases));
}
