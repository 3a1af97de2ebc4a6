// SPDX-License-Identifier: GPL-2.0
/*
 * vaccel: a virtual DRM compute accelerator, so that the accel and dma-buf
 * conformance suites of hilt have a device to talk to on any machine.
 *
 * One platform device, registered at load, carries one DRM device with
 * DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ: DRM core gives it a
 * /dev/accel/accel<N> minor and no card or render minor (drm_dev_init()
 * refuses an accel driver that is also DRIVER_RENDER or DRIVER_MODESET).
 * Buffers are shmem GEM objects; dma-bufs of other devices are imported as
 * a dynamic importer (vaccel_bo.c); jobs run on a DMA engine emulated by an
 * ordered workqueue (vaccel_job.c). The UAPI is vaccel_accel.h.
 *
 * Nothing here is hardware: GET_PARAM(VACCEL_PARAM_VIRTUAL) says so, and hilt
 * records it, so that no run on vaccel passes for a hardware certification.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/platform_device.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include "vaccel_accel.h"
#include "vaccel_drv.h"

#define DRIVER_DESC "Virtual compute accelerator for conformance testing (no hardware)"

static struct vaccel_device *vaccel;

static int vaccel_get_param_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	struct vaccel_device *vdev = to_vaccel(dev);
	struct drm_vaccel_param *args = data;

	if (args->index)
		return -EINVAL;
	switch (args->param) {
	case VACCEL_PARAM_VIRTUAL:
		args->value = 1;
		return 0;
	case VACCEL_PARAM_MAX_BO_SIZE:
		args->value = VACCEL_MAX_BO_SIZE;
		return 0;
	case VACCEL_PARAM_MAX_STALL_MS:
		args->value = VACCEL_MAX_STALL_MS;
		return 0;
	case VACCEL_PARAM_ENGINES:
		args->value = 1;
		return 0;
	case VACCEL_PARAM_JOBS_DONE:
		args->value = atomic64_read(&vdev->jobs_done);
		return 0;
	case VACCEL_PARAM_DEP_TIMEOUT_MS:
		args->value = VACCEL_DEP_TIMEOUT_MS;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * DRM_RENDER_ALLOW changes nothing on an accel minor (drm_ioctl_permit()
 * only restricts render clients), but says these are safe for any client.
 */
static const struct drm_ioctl_desc vaccel_ioctls[] = {
	DRM_IOCTL_DEF_DRV(VACCEL_GET_PARAM, vaccel_get_param_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VACCEL_BO_CREATE, vaccel_bo_create_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VACCEL_BO_INFO, vaccel_bo_info_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VACCEL_SUBMIT, vaccel_submit_ioctl, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(VACCEL_BO_WAIT, vaccel_bo_wait_ioctl, DRM_RENDER_ALLOW),
};

DEFINE_DRM_ACCEL_FOPS(vaccel_fops);

static const struct drm_driver vaccel_driver = {
	.driver_features = DRIVER_COMPUTE_ACCEL | DRIVER_GEM | DRIVER_SYNCOBJ | DRIVER_SYNCOBJ_TIMELINE,
	.ioctls = vaccel_ioctls,
	.num_ioctls = ARRAY_SIZE(vaccel_ioctls),
	.fops = &vaccel_fops,
	/* No dumb_create: an accel device has no scanout, and MODE_CREATE_DUMB stays ENOSYS. */
	.gem_create_object = vaccel_gem_create_object,
	.gem_prime_import = vaccel_gem_prime_import,
	.name = VACCEL_DRIVER_NAME,
	.desc = DRIVER_DESC,
	.date = "20251201",
	.major = VACCEL_DRIVER_MAJOR,
	.minor = VACCEL_DRIVER_MINOR,
	.patchlevel = VACCEL_DRIVER_PATCHLEVEL,
};

static int __init vaccel_init(void)
{
	struct platform_device *pdev;
	struct workqueue_struct *engine;
	int ret;

	pdev = platform_device_register_simple(VACCEL_DRIVER_NAME, -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);

	if (!devres_open_group(&pdev->dev, NULL, GFP_KERNEL)) {
		ret = -ENOMEM;
		goto out_unregister;
	}
	/* The engine reaches every page of the machine, as a 64-bit DMA master would. */
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto out_devres;

	engine = alloc_ordered_workqueue("vaccel-dma", 0);
	if (!engine) {
		ret = -ENOMEM;
		goto out_devres;
	}

	vaccel = devm_drm_dev_alloc(&pdev->dev, &vaccel_driver, struct vaccel_device, drm);
	if (IS_ERR(vaccel)) {
		ret = PTR_ERR(vaccel);
		goto out_engine;
	}
	vaccel->pdev = pdev;
	vaccel->engine = engine;
	mutex_init(&vaccel->submit_lock);
	spin_lock_init(&vaccel->fence_lock);
	vaccel->fence_context = dma_fence_context_alloc(1);
	vaccel->next_seqno = 1;
	atomic64_set(&vaccel->jobs_done, 0);

	ret = drm_dev_register(&vaccel->drm, 0);
	if (ret)
		goto out_engine;
	drm_info(&vaccel->drm, "virtual accelerator %d.%d.%d ready: no hardware behind it\n",
		 VACCEL_DRIVER_MAJOR, VACCEL_DRIVER_MINOR, VACCEL_DRIVER_PATCHLEVEL);
	return 0;

out_engine:
	destroy_workqueue(engine);
out_devres:
	devres_release_group(&pdev->dev, NULL);
out_unregister:
	platform_device_unregister(pdev);
	return ret;
}

static void __exit vaccel_exit(void)
{
	struct platform_device *pdev = vaccel->pdev;
	struct workqueue_struct *engine = vaccel->engine;

	drm_dev_unregister(&vaccel->drm);
	/* Every queued job holds its buffers; let them finish before the device goes. */
	destroy_workqueue(engine);
	devres_release_group(&pdev->dev, NULL);
	platform_device_unregister(pdev);
}

module_init(vaccel_init);
module_exit(vaccel_exit);

MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_AUTHOR("hilt");
MODULE_LICENSE("GPL");
MODULE_VERSION(__stringify(VACCEL_DRIVER_MAJOR) "." __stringify(VACCEL_DRIVER_MINOR) "." __stringify(VACCEL_DRIVER_PATCHLEVEL));
MODULE_IMPORT_NS(DMA_BUF);
