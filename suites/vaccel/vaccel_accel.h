/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * vaccel: a virtual DRM compute accelerator for conformance testing.
 *
 * The user API of the vaccel test driver (suites/vaccel/), shaped like the
 * accel drivers of Linux 6.12 (ivpu_accel.h, qaic_accel.h, habanalabs_accel.h):
 * buffer objects created with flags and queried for a map offset, dma-bufs
 * imported as device buffers, and jobs run by the device's one DMA engine,
 * which copies or fills between buffers.
 *
 * Importing is DRM_IOCTL_PRIME_FD_TO_HANDLE: vaccel attaches to the dma-buf as
 * a dynamic importer (dma_buf_dynamic_attach() with a move_notify callback)
 * and never keeps a mapping between jobs. A job maps the attachment
 * (dma_buf_map_attachment()) and reads or writes through the DMA addresses of
 * its sg_table, as a device would. vaccel's own buffers are shmem GEM objects
 * the engine reaches the same way, through their DMA-mapped sg_table.
 *
 * Jobs follow implicit synchronisation as a real engine does: a job waits for
 * the write fences of the buffer it reads and for every fence of the buffer it
 * writes (unless VACCEL_SUBMIT_NO_IMPLICIT), and adds its own fence to both
 * reservation objects at submit time (read usage on the source, write usage on
 * the destination). The fence is handed out as a sync_file, signalled into a
 * syncobj, or both. A job can be held back stall_ms before it runs, so that its
 * fence is observably pending.
 *
 * Every struct is validated before anything else happens; the errno of each
 * refusal is written next to the field it checks. Reserved fields (pad) must
 * be zero (EINVAL), unknown flags are EINVAL, unknown handles ENOENT.
 */
#ifndef VACCEL_ACCEL_H
#define VACCEL_ACCEL_H

#ifdef __KERNEL__
#include <drm/drm.h>
#else
#include "drm.h"
#endif

#if defined(__cplusplus)
extern "C" {
#endif

#define VACCEL_DRIVER_NAME	"vaccel"
#define VACCEL_DRIVER_MAJOR	1
#define VACCEL_DRIVER_MINOR	0
#define VACCEL_DRIVER_PATCHLEVEL 0

#define DRM_VACCEL_GET_PARAM	0x00
#define DRM_VACCEL_BO_CREATE	0x01
#define DRM_VACCEL_BO_INFO	0x02
#define DRM_VACCEL_SUBMIT	0x03
#define DRM_VACCEL_BO_WAIT	0x04

#define DRM_IOCTL_VACCEL_GET_PARAM \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VACCEL_GET_PARAM, struct drm_vaccel_param)
#define DRM_IOCTL_VACCEL_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VACCEL_BO_CREATE, struct drm_vaccel_bo_create)
#define DRM_IOCTL_VACCEL_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VACCEL_BO_INFO, struct drm_vaccel_bo_info)
#define DRM_IOCTL_VACCEL_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VACCEL_SUBMIT, struct drm_vaccel_submit)
#define DRM_IOCTL_VACCEL_BO_WAIT \
	DRM_IOW(DRM_COMMAND_BASE + DRM_VACCEL_BO_WAIT, struct drm_vaccel_bo_wait)

/* GET_PARAM parameters. */
#define VACCEL_PARAM_VIRTUAL		0 /* 1: no hardware behind this device, ever */
#define VACCEL_PARAM_MAX_BO_SIZE	1 /* largest BO_CREATE size, bytes */
#define VACCEL_PARAM_MAX_STALL_MS	2 /* largest drm_vaccel_submit.stall_ms */
#define VACCEL_PARAM_ENGINES		3 /* DMA engines (1: jobs run in submission order) */
#define VACCEL_PARAM_JOBS_DONE		4 /* jobs this device has completed since load */
#define VACCEL_PARAM_DEP_TIMEOUT_MS	5 /* a job whose dependencies take longer fails with ETIMEDOUT */

struct drm_vaccel_param {
	__u32 param;	/* VACCEL_PARAM_*; unknown: EINVAL */
	__u32 index;	/* must be 0: EINVAL */
	__u64 value;	/* out */
};

/* BO_CREATE flags. */
#define VACCEL_BO_MAPPABLE	0x00000001 /* BO_INFO hands out a map offset for mmap(2) on the accel fd */
#define VACCEL_BO_WC		0x00000002 /* CPU mappings are write-combined */
#define VACCEL_BO_CREATE_FLAGS	(VACCEL_BO_MAPPABLE | VACCEL_BO_WC)
/* BO_INFO only: never accepted by BO_CREATE (EINVAL). */
#define VACCEL_BO_IMPORTED	0x80000000 /* a dma-buf of another device (or driver) */
#define VACCEL_BO_EXPORTER_DYNAMIC 0x40000000 /* ...whose exporter can move it (dma_buf_is_dynamic()) */

struct drm_vaccel_bo_create {
	__u64 size;	/* in: bytes, 1..MAX_BO_SIZE (0: EINVAL, larger: E2BIG); out: rounded up to pages */
	__u32 flags;	/* in: VACCEL_BO_CREATE_FLAGS; anything else EINVAL */
	__u32 handle;	/* out: GEM handle */
};

struct drm_vaccel_bo_info {
	__u32 handle;		/* in: unknown: ENOENT */
	__u32 flags;		/* out: creation flags, or VACCEL_BO_IMPORTED[|EXPORTER_DYNAMIC] */
	__u64 size;		/* out */
	__u64 mmap_offset;	/* out: for mmap(2) on the accel fd; 0 unless VACCEL_BO_MAPPABLE */
	__u32 move_count;	/* out: move_notify calls an imported buffer has received */
	__u32 pad;		/* must be 0: EINVAL */
};

/* SUBMIT operations. */
#define VACCEL_OP_COPY	1 /* src_handle[src_offset..+size) -> dst_handle[dst_offset..+size) */
#define VACCEL_OP_FILL	2 /* dst_handle[dst_offset..+size) = fill_value repeated (offset and size multiples of 4) */

/* SUBMIT flags. */
#define VACCEL_SUBMIT_OUT_SYNC_FILE	0x00000001 /* out_fence_fd: a sync_file of the job's fence */
#define VACCEL_SUBMIT_NO_IMPLICIT	0x00000002 /* wait for no reservation fence (still adds its own) */
#define VACCEL_SUBMIT_FLAGS		(VACCEL_SUBMIT_OUT_SYNC_FILE | VACCEL_SUBMIT_NO_IMPLICIT)

#define VACCEL_MAX_STALL_MS	10000

/*
 * Checks, in this order: flags and pad (EINVAL); op (EINVAL); fields the op
 * does not use must be 0 (EINVAL); size 0 (EINVAL); stall_ms > MAX_STALL_MS
 * (EINVAL); handles (ENOENT); ranges outside their buffer, or wrapping
 * (EINVAL); FILL alignment (EINVAL); a COPY whose ranges overlap in one buffer
 * (EINVAL); in_syncobj unknown (ENOENT) or without a fence (EINVAL);
 * out_syncobj unknown (ENOENT).
 */
struct drm_vaccel_submit {
	__u32 op;		/* VACCEL_OP_* */
	__u32 flags;		/* VACCEL_SUBMIT_* */
	__u32 src_handle;	/* COPY: source buffer; FILL: must be 0 */
	__u32 dst_handle;	/* destination buffer */
	__u64 src_offset;	/* COPY: byte offset in src; FILL: must be 0 */
	__u64 dst_offset;	/* byte offset in dst */
	__u64 size;		/* bytes */
	__u32 fill_value;	/* FILL: the 32-bit pattern, little-endian in memory; COPY: must be 0 */
	__u32 stall_ms;		/* the engine holds the job this long before it runs */
	__u32 in_syncobj;	/* 0, or a syncobj whose fence the job also waits for */
	__u32 out_syncobj;	/* 0, or a syncobj that receives the job's fence */
	__s32 out_fence_fd;	/* out: sync_file fd with VACCEL_SUBMIT_OUT_SYNC_FILE, else -1 */
	__u32 pad;		/* must be 0 */
	__u64 seqno;		/* out: the job fence's seqno on the engine's timeline */
};

struct drm_vaccel_bo_wait {
	__u32 handle;		/* unknown: ENOENT */
	__u32 flags;		/* must be 0: EINVAL */
	__s64 timeout_ns;	/* relative; 0 polls; negative: EINVAL. Still busy after it: ETIMEDOUT */
};

#if defined(__cplusplus)
}
#endif

#endif /* VACCEL_ACCEL_H */
