// SPDX-License-Identifier: MIT
/*
 * accel: DRM compute accelerator nodes (/dev/accel/accel*, drivers/accel/).
 *
 * DRM accel core is part of drm.ko, and drivers (habanalabs, intel_vpu,
 * qaic, amdxdna) bind to real devices only. hilt brings its own, vaccel
 * (suites/vaccel/), a virtual accelerator built for the kernel under test, so
 * the cases here run on any machine: the core's rules on every accel node,
 * vaccel's own UAPI in vaccel-cases.c. A machine with no accel node at all
 * (vaccel not built for its kernel) skips saying so.
 *
 * The rules the accel core applies (Linux 6.12):
 *  - drm_dev_init() refuses a driver that is DRIVER_COMPUTE_ACCEL and also
 *    DRIVER_RENDER or DRIVER_MODESET: an accel device has no card or render minor.
 *  - accel_open() (drivers/accel/drm_accel.c) opens the file through
 *    drm_open_helper(), which gives only primary clients a master
 *    (drm_master_open()): an accel client never has one.
 *  - drm_ioctl_permit() (drm_ioctl.c) restricts render clients to
 *    DRM_RENDER_ALLOW ioctls; an accel client is no render client, so that
 *    flag does not limit it, but DRM_MASTER ioctls are EACCES (no master), and
 *    the KMS ioctls refuse a driver without DRIVER_MODESET themselves
 *    (drm_getcap, drm_setclientcap, drm_mode_getresources: EOPNOTSUPP).
 *  - Not exercised here, on purpose: GET_MAGIC and GET_UNIQUE (flags 0, so
 *    an accel client passes drm_ioctl_permit()) dereference
 *    file_priv->master, which is NULL on an accel file: on Debian's
 *    6.12.117 either one oopses the kernel (NULL pointer dereference in
 *    drm_getunique(), and in idr_alloc_u32() under drm_getmagic()). The
 *    accel-oops suite (not run by default) shows it, each case alone in a
 *    fresh boot: hilt run --suite accel-oops.
 */
#define _GNU_SOURCE
#include "drm-util.h"
#include "hilt.h"
#include "habanalabs-uapi.h"
#include "vaccel-cases.h"
#include "../vaccel/user/vaccel-user.h"

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

/* Skips a case for want of an accel node, saying why vaccel is not there either when the image says. */
static void skip_no_accel(struct hilt_ctx *ctx)
{
	char reason[512];

	vac_unavailable(reason, sizeof(reason));
	if (reason[0])
		hilt_skip(ctx, "no /dev/accel node; vaccel is unavailable: %s", reason);
	else
		hilt_skip(ctx, NO_ACCEL);
}

/* Runs fn on every accel minor, or skips the case with the reason a person needs. */
static void each_accel(struct hilt_ctx *ctx, void (*fn)(struct hilt_ctx *, struct hilt_dev *))
{
	if (!count_accel(NULL)) {
		skip_no_accel(ctx);
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
	struct drm_set_client_cap ccap = { .capability = DRM_CLIENT_CAP_UNIVERSAL_PLANES, .value = 1 };
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 64, .bpp = 32 };
	struct drm_mode_card_res res;
	struct drm_mode_crtc crtc;
	int ret, err;

	/* drm_getcap(): a driver without DRIVER_MODESET (every accel driver) gets EOPNOTSUPP. */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_CAP, &cap);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_GET_CAP",
			  "DRM_CAP_DUMB_BUFFER (a KMS cap) on a compute accel node",
			  ret, errno, EOPNOTSUPP);
	/* drm_setclientcap(): every client cap is a KMS one; EOPNOTSUPP without DRIVER_MODESET. */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_SET_CLIENT_CAP, &ccap);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_SET_CLIENT_CAP",
			  "DRM_CLIENT_CAP_UNIVERSAL_PLANES on a compute accel node", ret, errno, EOPNOTSUPP);
	/* drm_mode_getresources(): flags 0, so permitted, then EOPNOTSUPP without DRIVER_MODESET. */
	memset(&res, 0, sizeof(res));
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_MODE_GETRESOURCES, &res);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_GETRESOURCES", "on a compute accel node", ret, errno, EOPNOTSUPP);
	/* MODE_SETCRTC is DRM_MASTER: drm_ioctl_permit() refuses an accel client, which has no master. */
	memset(&crtc, 0, sizeof(crtc));
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_MODE_SETCRTC, &crtc);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_SETCRTC", "a DRM_MASTER ioctl on a compute accel node", ret, errno, EACCES);
	/*
	 * CREATE_DUMB: ENOSYS from drm_mode_create_dumb() for a driver without
	 * dumb_create. An accel driver could in principle set one (none of 6.12
	 * does), so on other drivers what it does is recorded, not judged (a
	 * buffer made is freed at once); vaccel promises it has none.
	 */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_MODE_CREATE_DUMB, &dumb);
	err = ret ? errno : 0;
	if (!ret) {
		struct drm_mode_destroy_dumb destroy = { .handle = dumb.handle };

		hilt_ioctl(dev->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
	}
	if (!strcmp(dev->driver, VACCEL_DRIVER_NAME)) {
		if (!ret)
			hilt_fail(ctx, "vaccel has no dumb_create, yet MODE_CREATE_DUMB made a buffer");
		else
			hilt_expect_errno(ctx, dev, "DRM_IOCTL_MODE_CREATE_DUMB", "64x64 32 bpp on a compute accel node", ret, err, ENOSYS);
	} else {
		hilt_record_only(ctx, "%s (%s): MODE_CREATE_DUMB 64x64 32 bpp %s%s; whether an accel driver has dumb_create is its own choice",
				 dev->node, dev->driver, ret ? "refused with " : "made a buffer", ret ? hilt_errname(err) : "");
	}
}

static void t_kms_refused(struct hilt_ctx *ctx)
{
	each_accel(ctx, kms_refused_one);
}

/* ---- device: what stands behind an accel node, said honestly ---- */

/* The letters print_tainted() shows for the bits of /proc/sys/kernel/tainted. */
static void taint_letters(unsigned long t, char *out, size_t len)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXTN";
	size_t n = 0;

	for (size_t bit = 0; bit < sizeof(letters) - 1 && n + 1 < len; bit++)
		if (t & (1ul << bit))
			out[n++] = letters[bit];
	out[n] = '\0';
}

static void device_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	char path[PATH_MAX], link[PATH_MAX], module[64], version[64], srcversion[64], tainted[32], letters[32];
	bool virt = false;
	struct hilt_json j;
	ssize_t len;

	/* The module of the bound driver; a platform device without one (vaccel) goes by its DRM driver name. */
	snprintf(path, sizeof(path), "/sys/class/accel/%s/device/driver/module", dev->node);
	len = readlink(path, link, sizeof(link) - 1);
	if (len > 0) {
		link[len] = '\0';
		snprintf(module, sizeof(module), "%s", strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	} else {
		snprintf(module, sizeof(module), "%s", dev->driver);
	}
	snprintf(path, sizeof(path), "/sys/module/%s/version", module);
	read_attr(path, version, sizeof(version));
	snprintf(path, sizeof(path), "/sys/module/%s/srcversion", module);
	read_attr(path, srcversion, sizeof(srcversion));
	read_attr("/proc/sys/kernel/tainted", tainted, sizeof(tainted));
	taint_letters(strtoul(tainted, NULL, 10), letters, sizeof(letters));

	/*
	 * Every accel driver of Linux 6.12 (habanalabs, intel_vpu, qaic) binds
	 * real PCI devices; vaccel, hilt's own, says what it is through its UAPI.
	 */
	if (!strcmp(dev->driver, VACCEL_DRIVER_NAME)) {
		struct drm_vaccel_param p = { .param = VACCEL_PARAM_VIRTUAL };

		if (hilt_ioctl(dev->fd, DRM_IOCTL_VACCEL_GET_PARAM, &p)) {
			hilt_fail(ctx, "GET_PARAM(VACCEL_PARAM_VIRTUAL) on %s: %s", dev->node, hilt_errname(errno));
			return;
		}
		virt = p.value != 0;
	}

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_bool(&j, "virtual", virt);
	hj_str(&j, "module", module);
	hj_str(&j, "module_version", version);
	hj_str(&j, "srcversion", srcversion);
	hj_uint(&j, "kernel_taint", strtoul(tainted, NULL, 10));
	hj_str(&j, "kernel_taint_flags", letters);
	hilt_obs(ctx, "accel.device", &j);
	if (virt)
		hilt_diag(ctx, "virtual device: %s is %s %s, a test driver with no hardware behind it; the kernel is tainted '%s'",
			  dev->node, module, version[0] ? version : "(no version)", letters);
}

static void t_device(struct hilt_ctx *ctx)
{
	each_accel(ctx, device_one);
}

/* ---- what the core answers for every driver ---- */

static void cap_obs(struct hilt_ctx *ctx, struct hilt_dev *dev, const char *name, uint64_t id)
{
	struct drm_get_cap cap = { .capability = id };
	struct hilt_json j;
	int ret = hilt_ioctl(dev->fd, DRM_IOCTL_GET_CAP, &cap);
	int err = ret ? errno : 0;

	hj_begin(&j);
	hj_dev(&j, dev);
	hj_str(&j, "cap", name);
	hj_uint(&j, "id", id);
	hj_int(&j, "errno", err);
	hj_str(&j, "errname", hilt_errname(err));
	if (ret)
		hj_null(&j, "value");
	else
		hj_uint(&j, "value", cap.value);
	hilt_obs(ctx, "drm.cap", &j);
	if (ret)
		hilt_fail(ctx, "GET_CAP(%s) on %s: %s; drm_getcap() answers it for every driver", name, dev->node, hilt_errname(err));
}

static void core_caps_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	/* drm_getcap() answers these before it looks for DRIVER_MODESET. */
	cap_obs(ctx, dev, "DRM_CAP_PRIME", DRM_CAP_PRIME);
	cap_obs(ctx, dev, "DRM_CAP_TIMESTAMP_MONOTONIC", DRM_CAP_TIMESTAMP_MONOTONIC);
	cap_obs(ctx, dev, "DRM_CAP_SYNCOBJ", DRM_CAP_SYNCOBJ);
	cap_obs(ctx, dev, "DRM_CAP_SYNCOBJ_TIMELINE", DRM_CAP_SYNCOBJ_TIMELINE);
}

static void t_core_caps(struct hilt_ctx *ctx)
{
	each_accel(ctx, core_caps_one);
}

/* ---- no master on an accel node ---- */

static void master_refused_one(struct hilt_ctx *ctx, struct hilt_dev *dev)
{
	struct drm_auth auth = { .magic = 1 };
	int ret;

	/*
	 * drm_setmaster_ioctl(): as root the permission check passes; nobody is
	 * master of the device (it has no primary node) and the file has no
	 * master to become (file_priv->master is NULL): EINVAL.
	 */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_SET_MASTER, NULL);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_SET_MASTER", "on a compute accel node (no master to become)", ret, errno, EINVAL);
	/* drm_dropmaster_ioctl(): not the current master: EINVAL. */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_DROP_MASTER, NULL);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_DROP_MASTER", "on a compute accel node (never master)", ret, errno, EINVAL);
	/* AUTH_MAGIC is DRM_MASTER: drm_ioctl_permit() says EACCES before drm_authmagic() runs. */
	ret = hilt_ioctl(dev->fd, DRM_IOCTL_AUTH_MAGIC, &auth);
	hilt_expect_errno(ctx, dev, "DRM_IOCTL_AUTH_MAGIC", "a DRM_MASTER ioctl on a compute accel node", ret, errno, EACCES);
}

static void t_master_refused(struct hilt_ctx *ctx)
{
	each_accel(ctx, master_refused_one);
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
		skip_no_accel(ctx);
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

#define K_PERMIT "drm_ioctl(), drm_ioctl_permit()"

static const struct hilt_case cases[] = {
	{ "enumerate", t_enumerate, "open(2)",
	  "every /dev/accel/accel* node opens, names its parent device and has no /dev/dri minor beside it",
	  "accel.node", "accel_open(), drm_dev_init()" },
	{ "version", t_version, "DRM_IOCTL_VERSION",
	  "VERSION on each accel node returns a driver name, date and description", "drm.version",
	  "drm_version()" },
	{ "core-caps", t_core_caps, "DRM_IOCTL_GET_CAP",
	  "GET_CAP answers PRIME, TIMESTAMP_MONOTONIC, SYNCOBJ and SYNCOBJ_TIMELINE on each accel node, as drm_getcap() does for every driver",
	  "drm.cap", "drm_getcap()" },
	{ "kms-refused", t_kms_refused, "DRM_IOCTL_GET_CAP",
	  "an accel node refuses KMS: GET_CAP(DUMB_BUFFER), SET_CLIENT_CAP and MODE_GETRESOURCES with EOPNOTSUPP, MODE_SETCRTC (DRM_MASTER) with EACCES, MODE_CREATE_DUMB with ENOSYS on vaccel (recorded on other drivers)",
	  "ioctl.errno", "drm_getcap(), drm_setclientcap(), drm_mode_getresources(), drm_mode_create_dumb(), " K_PERMIT },
	{ "master-refused", t_master_refused, "DRM_IOCTL_SET_MASTER",
	  "an accel file has no master: SET_MASTER and DROP_MASTER are EINVAL, AUTH_MAGIC (DRM_MASTER) EACCES",
	  "ioctl.errno", "drm_setmaster_ioctl(), drm_dropmaster_ioctl(), " K_PERMIT },
	{ "device", t_device, "DRM_IOCTL_VACCEL_GET_PARAM",
	  "each accel node's module, its version and whether it is virtual (vaccel says so: VACCEL_PARAM_VIRTUAL = 1) are recorded with the kernel's taint, so no run on a virtual device passes for hardware",
	  "accel.device", "vaccel_get_param_ioctl()" },
	{ "vaccel-param", vaccel_param, "DRM_IOCTL_VACCEL_GET_PARAM",
	  "GET_PARAM answers its parameters; an unknown one or a non-zero index is EINVAL; a driver ioctl past the table is EINVAL, a foreign ioctl type ENOTTY",
	  "ioctl.errno", "vaccel_get_param_ioctl(), drm_ioctl()" },
	{ "vaccel-bo-create", vaccel_bo_create, "DRM_IOCTL_VACCEL_BO_CREATE",
	  "buffers are page-rounded, zeroed, mappable when asked; size 0, unknown flags, reserved bits are EINVAL, too large E2BIG, an unknown handle ENOENT; a short (older) struct is zero-extended",
	  "vaccel.bo,ioctl.errno", "vaccel_bo_create_ioctl(), vaccel_bo_info_ioctl(), drm_gem_shmem_create(), drm_ioctl()" },
	{ "vaccel-bo-lifetime", vaccel_bo_lifetime, "DRM_IOCTL_GEM_CLOSE",
	  "a mapping, an exported dma-buf and queued jobs each keep a buffer alive after GEM_CLOSE; the closed handle is ENOENT, closing it again EINVAL",
	  "vaccel.lifetime,ioctl.errno", "drm_gem_close_ioctl(), drm_gem_prime_export(), vaccel_gem_prime_import(), " VAC_K_SUBMIT },
	{ "vaccel-jobs", vaccel_jobs, "DRM_IOCTL_VACCEL_SUBMIT",
	  "FILL and COPY (unaligned, across pages, within one buffer) land exactly; fences come as sync_files and in syncobjs, in seqno order; a stalled job is pending and BO_WAIT 0 is ETIMEDOUT until its stall has passed in jiffies, and ends no sooner",
	  "vaccel.job,ioctl.errno", VAC_K_SUBMIT ", vaccel_engine_run(), vaccel_bo_wait_ioctl()" },
	{ "vaccel-job-errors", vaccel_job_errors, "DRM_IOCTL_VACCEL_SUBMIT",
	  "SUBMIT refuses each malformed job with the errno vaccel_accel.h defines (reserved fields, flags, ops, sizes, ranges, overlaps, handles, syncobjs) and runs the valid twin; BO_WAIT likewise",
	  "ioctl.errno", "vaccel_submit_ioctl(), vaccel_bo_wait_ioctl()" },
	{ "vaccel-in-syncobj", vaccel_in_syncobj, "DRM_IOCTL_VACCEL_SUBMIT",
	  "a job whose in_syncobj holds a pending vgem fence (moved over as a sync_file) waits for it, then runs",
	  "vaccel.in-syncobj", VAC_K_SUBMIT ", drm_syncobj_find_fence()" },
	{ "habanalabs-hw-ip-info", t_hl_info, "DRM_IOCTL_HL_INFO",
	  "HL_INFO_HW_IP_INFO describes each habanalabs device; bad padding and a missing buffer are EINVAL",
	  "accel.habanalabs-hw-ip-info,ioctl.errno", "_hl_info_ioctl(), hw_ip_info()" },
};

int main(int argc, char **argv)
{
	return hilt_main(argc, argv, "accel", cases, HILT_ARRAY_SIZE(cases));
}
