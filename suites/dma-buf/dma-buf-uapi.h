/* SPDX-License-Identifier: MIT */
/*
 * dma-buf UAPI newer than some distributions' headers. Values copied from
 * the kernel's include/uapi/linux/dma-buf.h; each block is used only when
 * <linux/dma-buf.h> lacks it (Debian 12's linux-libc-dev 6.1 has them all,
 * older ones do not).
 */
#ifndef HILT_DMA_BUF_UAPI_H
#define HILT_DMA_BUF_UAPI_H

#include <linux/types.h>
#include <linux/dma-buf.h>

/* Linux 5.8 (DMA_BUF_SET_NAME_A/B: one ioctl number per pointer width). */
#ifndef DMA_BUF_NAME_LEN
#define DMA_BUF_NAME_LEN	32
#endif
#ifndef DMA_BUF_SET_NAME_A
#define DMA_BUF_SET_NAME_A	_IOW(DMA_BUF_BASE, 1, __u32)
#define DMA_BUF_SET_NAME_B	_IOW(DMA_BUF_BASE, 1, __u64)
#endif

/* Linux 6.0: sync_file export and import. */
#ifndef DMA_BUF_IOCTL_EXPORT_SYNC_FILE
struct dma_buf_export_sync_file {
	__u32 flags;	/* DMA_BUF_SYNC_READ, _WRITE or both */
	__s32 fd;	/* out: the sync_file */
};
#define DMA_BUF_IOCTL_EXPORT_SYNC_FILE	_IOWR(DMA_BUF_BASE, 2, struct dma_buf_export_sync_file)
#endif
#ifndef DMA_BUF_IOCTL_IMPORT_SYNC_FILE
struct dma_buf_import_sync_file {
	__u32 flags;	/* DMA_BUF_SYNC_READ, _WRITE or both */
	__s32 fd;	/* in: the sync_file */
};
#define DMA_BUF_IOCTL_IMPORT_SYNC_FILE	_IOW(DMA_BUF_BASE, 3, struct dma_buf_import_sync_file)
#endif

#endif
