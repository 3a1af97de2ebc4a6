// SPDX-License-Identifier: MIT
/*
 * accel-oops: a kernel bug, shown only when asked (not a default suite).
 *
 * drm_ioctl_permit() lets an accel client call every DRM core ioctl whose
 * flags are 0, among them GET_UNIQUE and GET_MAGIC. Both assume the file
 * has a master: drm_getunique() takes file_priv->master->dev at once, and
 * drm_getmagic() allocates in file_priv->master->magic_map under the
 * device's master_mutex. accel_open() (drivers/accel/drm_accel.c) gives an
 * accel file no master (drm_master_open() is for primary nodes only), so
 * on Debian's 6.12.117 either ioctl is a NULL pointer dereference in the
 * kernel: the calling process is killed and, for GET_MAGIC, master_mutex is
 * left held, so later master ioctls on that device hang. Seen with vaccel
 * in QEMU. Each case is HILT_CASE_LAST: it runs after everything else,
 * alone in a fresh boot, so the crash attribution pins the oops on it and
 * nothing else shares the damaged machine.
 *
 * A kernel that checks for the missing master answers with an errno; the
 * case then records it (what the right errno is, the kernel has not said).
 */
#define _GNU_SOURCE
#include "hilt.h"
#include "../vaccel/user/vaccel-user.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include <drm.h>

/* The first accel node, preferring vaccel (a test driver) over real hardware. */
static struct hilt_dev *accel_node(struct hilt_ctx *ctx)
{
	struct hilt_dev *dev = hilt_find_device(VACCEL_DRIVER_NAME, 1u << HILT_NODE_ACCEL), *all;
	size_t n = hilt_devices(&all);
	char reason[512];

	for (size_t i = 0; !dev && i < n; i++)
		if (all[i].kind == HILT_NODE_ACCEL && all[i].fd >= 0)
			dev = &all[i];
	if (!dev) {
		vac_unavailable(reason, sizeof(reason));
		if (reason[0])
			hilt_skip(ctx, "no /dev/accel node; vaccel is unavailable: %s", reason);
		else
			hilt_skip(ctx, "no /dev/accel node: this machine has no DRM accel device");
	}
	return dev;
}

static void survived(struct hilt_ctx *ctx, const struct hilt_dev *dev, const char *ioctl, int ret, int err)
{
	hilt_record_only(ctx, "%s on %s (%s) returned %s: this kernel survives an accel file without a master",
			 ioctl, dev->node, dev->driver, ret ? hilt_errname(err) : "0");
}

static void t_get_unique(struct hilt_ctx *ctx)
{
	char buf[64] = "";
	struct drm_unique u = { .unique_len = sizeof(buf), .unique = buf };
	struct hilt_dev *dev = accel_node(ctx);
	int ret;

	if (!dev)
		return;
	hilt_diag(ctx, "DRM_IOCTL_GET_UNIQUE on %s (%s): on 6.12.117 drm_getunique() dereferences the missing master and the kernel oopses",
		  dev->node, dev->driver);
	ret = ioctl(dev->fd, DRM_IOCTL_GET_UNIQUE, &u);
	survived(ctx, dev, "DRM_IOCTL_GET_UNIQUE", ret, errno);
}

static void t_get_magic(struct hilt_ctx *ctx)
{
	struct drm_auth a = { 0 };
	struct hilt_dev *dev = accel_node(ctx);
	int ret;

	if (!dev)
		return;
	hilt_diag(ctx, "DRM_IOCTL_GET_MAGIC on %s (%s): on 6.12.117 drm_getmagic() allocates in the missing master's magic_map and the kernel oopses",
		  dev->node, dev->driver);
	ret = ioctl(dev->fd, DRM_IOCTL_GET_MAGIC, &a);
	survived(ctx, dev, "DRM_IOCTL_GET_MAGIC", ret, errno);
}

static const struct hilt_case cases[] = {
	{ "get-unique", t_get_unique, "DRM_IOCTL_GET_UNIQUE",
	  "GET_UNIQUE on an accel node (no master) returns instead of oopsing the kernel; on 6.12.117 it oopses, which the run pins on this case",
	  "", "drm_getunique(), accel_open(), drm_ioctl_permit()", NULL, HILT_CASE_LAST },
	{ "get-magic", t_get_magic, "DRM_IOCTL_GET_MAGIC",
	  "GET_MAGIC on an accel node (no master) returns instead of oopsing the kernel; on 6.12.117 it oopses with master_mutex held, which the run pins on this case",
	  "", "drm_getmagic(), accel_open(), drm_ioctl_permit()", NULL, HILT_CASE_LAST },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "accel-oops", cases, HILT_ARRAY_SIZE(cases));
}
