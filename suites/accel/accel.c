// SPDX-License-Identifier: MIT
/*
 * accel: DRM compute accelerator nodes (/dev/accel/accel*, drivers/accel/).
 *
 * DRM accel core is part of drm.ko, and drivers (habanalabs, intel_vpu,
 * qaic, amdxdna) bind to real devices only: a machine without one has no
 * /dev/accel node and every case skips saying so.
 */
#define _GNU_SOURCE
#include "drm-util.h"
#include "hilt.h"
#include "habanalabs-uapi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <drm.h>
#include <drm_mode.h>

#define NO_ACCEL "no /dev/accel node: this machine has no DRM accel device"

static size_t count_accel(const char *driver)
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all), found = 0;

	for (size_t i = 0; i < n; i++)
		if (all[i].kind == HILT_NODE_ACCEL && (!driver || !strcmp(all[i].driver, driver)))
			found++;
	return found;
}

/* Runs fn on every accel minor, or skips the case with the reason a person needs. */
static void each_accel(struct hilt_ctx *ctx, void (*fn)(struct hilt_ctx *, struct hilt_dev *))
{
	if (!count_accel(NULL)) {
		hilt_skip(ctx, NO_ACCEL);
		return;
	}
	hilt_each_device(ctx, 1u << HILT_NODE_ACCEL, fn);
}

/* Reads a one-line sysfs attribute; "" when absent. */
static void read_attr(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

/* ---- enumerate ---- */

static void enumerate_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	char path[PATH_MAX], link[PATH_MAX], attr[64];
	struct hilt_json j;
	ssize_t len;
	DIR *d;
	struct dirent *e;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "path", dev->path);

	/* The parent device's kernel driver, PCI ids, and any /dev/dri minors it also has. */
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/driver", dev->node);
	len = readlink(path, link, sizeof(link) - 1);
	if (len > 0) {
		link[len] = '\0';
		hj_str(&j, "kernel_driver", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	} else {
		hj_null(&j, "kernel_driver");
	}
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/subsystem", dev->node);
	len = readlink(path, link, sizeof(link) - 1);
	if (len > 0) {
		link[len] = '\0';
		hj_str(&j, "bus", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	} else {
		hj_null(&j, "bus");
	}
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/vendor", dev->node);
	read_attr(path, attr, sizeof(attr));
	if (attr[0])
		hj_str(&j, "pci_vendor", attr);
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/device", dev->node);
	read_attr(path, attr, sizeof(attr));
	if (attr[0])
		hj_str(&j, "pci_device", attr);

	/*
	 * drm_dev_init() refuses a DRIVER_COMPUTE_ACCEL driver that is also
	 * DRIVER_RENDER or DRIVER_MODESET: the device has no card/render node.
	 */
	hj_arr(&j, "dri_nodes");
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/drm", dev->node);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (!strncmp(e->d_name, "card", 4) || !strncmp(e->d_name, "renderD", 7))
			hj_arr_str(&j, e->d_name);
	if (d)
		closedir(d);
	hj_close_arr(&j);
	hilt_obs(ctx, "accel.node", &j);
}

static void t_enumerate(struct hilt_ctx *ctx)
{
	each_accel(ctx, enumerate_one);
}

/* ---- VERSION ---- */

static void version_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	hilt_obs_version(ctx, dev);
}

static void t_version(struct hilt_ctx *ctx)
{
	each_accel(ctx, version_one);
}

/* ---- an accel node is no graphics node ---- */

static void kms_refused_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct drm_get_cap cap = { .capability = DRM_CAP_DUMB_BUFFER };
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 64, .bpp = 32 };
	int ret;

	/* drm_getcap(): a driver without DRIVER_MODESET (every accel driver) gets EOPNOTSUPP. */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_CAP, &cap);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_GET_CAP",
			  "DRM_CAP_DUMB_BUFFER (a KMS cap) on a compute accel node",
			  ret, errno, EOPNOTSUPP);
	/*
	 * CREATE_DUMB: ENOSYS from drm_mode_create_dumb() for a driver without
	 * dumb_create. An accel driver could in principle set one (none of 6.12
	 * does), so this is recorded, not judged, and a buffer made is freed.
	 */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb);
	if (!ret) {
		struct drm_mode_destroy_dumb destroy = { .handle = dumb.handle };

		hilt_diag(ctx, "%s: MODE_CREATE_DUMB made a dumb buffer (%u bytes) on an accel node",
			  dev->node, (unsigned)dumb.size);
		hilt_ioctl(dev->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	} else {
		hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_CREATE_DUMB", "64x64 32 bpp on a compute accel node",
				  ret, errno, HILT_ANY_ERRNO);
	}
}

static void t_kms_refused(struct hilt_ctx *ctx)
{
	each_accel(ctx, kms_refused_one);
}

/* ---- habanalabs INFO ---- */

static void hj_fw_str(struct hilt_json *j, const char *key, const __u8 *s, size_t max)
{
	hj_strn(j, key, (const char *)s, strnlen((const char *)s, max));
}

static void hl_info_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct hl_info_hw_ip_info hw;
	struct hl_info_args args;
	struct hilt_json j;
	int ret;

	if (strcmp(dev->driver, "habanalabs")) {
		hilt_skip(ctx, "%s is driven by %s, not habanalabs", dev->node,
			  dev->driver[0] ? dev->driver : "an unknown driver");
		return;
	}

	memset(&hw, 0, sizeof(hw));
	memset(&args, 0, sizeof(args));
	args.return_pointer = (__u64)(uintptr_t)&hw;
	args.return_size = sizeof(hw);
	args.op = HL_INFO_HW_IP_INFO;
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_HL_INFO, &args);
	if (!hilt_expect_ok(ctx, dev, "DRM_IOCTL_HL_INFO (HL_INFO_HW_IP_INFO)", ret, errno))
		return;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_uint(&j, "device_id", hw.device_id);
	hj_uint(&j, "revision_id", hw.revision_id);
	hj_fw_str(&j, "card_name", hw.card_name, sizeof(hw.card_name));
	hj_fw_str(&j, "cpucp_version", hw.cpucp_version, sizeof(hw.cpucp_version));
	hj_uint(&j, "sram_base_address", hw.sram_base_address);
	hj_uint(&j, "sram_size", hw.sram_size);
	hj_uint(&j, "dram_base_address", hw.dram_base_address);
	hj_uint(&j, "dram_size", hw.dram_size);
	hj_uint(&j, "dram_enabled", hw.dram_enabled);
	hj_uint(&j, "dram_page_size", hw.dram_page_size);
	hj_uint(&j, "reserved_dram_size", hw.reserved_dram_size);
	hj_uint(&j, "device_mem_alloc_default_page_size", hw.device_mem_alloc_default_page_size);
	hj_uint(&j, "num_of_events", hw.num_of_events);
	hj_uint(&j, "module_id", hw.module_id);
	hj_uint(&j, "server_type", hw.server_type);
	hj_uint(&j, "security_enabled", hw.security_enabled);
	hj_uint(&j, "tpc_enabled_mask_ext", hw.tpc_enabled_mask_ext);
	hj_uint(&j, "decoder_enabled_mask", hw.decoder_enabled_mask);
	hj_uint(&j, "edma_enabled_mask", hw.edma_enabled_mask);
	hj_uint(&j, "rotator_enabled_mask", hw.rotator_enabled_mask);
	hj_uint(&j, "first_available_interrupt_id", hw.first_available_interrupt_id);
	hj_uint(&j, "number_of_user_interrupts", hw.number_of_user_interrupts);
	hilt_obs(ctx, "accel.habanalabs-hw-ip-info", &j);

	/* _hl_info_ioctl(): non-zero padding is refused before the opcode is looked at. */
	memset(&args, 0, sizeof(args));
	args.return_pointer = (__u64)(uintptr_t)&hw;
	args.return_size = sizeof(hw);
	args.op = HL_INFO_HW_IP_INFO;
	args.pad = 1;
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_HL_INFO, &args);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_HL_INFO", "HL_INFO_HW_IP_INFO with pad = 1",
			  ret, errno, EINVAL);

	/* hw_ip_info(): no return buffer is EINVAL, not EFAULT. */
	memset(&args, 0, sizeof(args));
	args.return_size = sizeof(hw);
	args.op = HL_INFO_HW_IP_INFO;
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_HL_INFO, &args);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_HL_INFO", "HL_INFO_HW_IP_INFO with return_pointer 0",
			  ret, errno, EINVAL);
}

static void t_hl_info(struct hilt_ctx *ctx)
{
	struct hilt_dev *all;
	size_t n = hilt_devices(&all);
	char drivers[128] = "";

	if (!count_accel(NULL)) {
		hilt_skip(ctx, NO_ACCEL);
		return;
	}
	if (!count_accel("habanalabs")) {
		for (size_t i = 0; i < n; i++)
			if (all[i].kind == HILT_NODE_ACCEL && !strstr(drivers, all[i].driver))
				snprintf(drivers + strlen(drivers), sizeof(drivers) - strlen(drivers),
					 "%s%s", drivers[0] ? ", " : "", all[i].driver);
		hilt_skip(ctx, "no habanalabs accel device (accel drivers here: %s)", drivers);
		return;
	}
	hilt_each_device(ctx, 1u << HILT_NODE_ACCEL, hl_info_one);
}

static const struct hilt_case cases[] = {
	{ "enumerate", t_enumerate, "open(2)",
	  "every /dev/accel/accel* node opens, names its parent device and has no /dev/dri minor beside it",
	  "accel.node" },
	{ "version", t_version, "DRM_IOCTL_VERSION",
	  "VERSION on each accel node returns a driver name, date and description", "drm.version" },
	{ "kms-refused", t_kms_refused, "DRM_IOCTL_GET_CAP",
	  "an accel node refuses the KMS cap DRM_CAP_DUMB_BUFFER with EOPNOTSUPP (accel drivers are never KMS)",
	  "ioctl.errno" },
	{ "habanalabs-hw-ip-info", t_hl_info, "DRM_IOCTL_HL_INFO",
	  "HL_INFO_HW_IP_INFO describes each habanalabs device; bad padding and a missing buffer are EINVAL",
	  "accel.habanalabs-hw-ip-info,ioctl.errno" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "accel", cases, HILT_ARRAY_SIZE(cases));
}
