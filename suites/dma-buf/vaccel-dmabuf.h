/* SPDX-License-Identifier: MIT */
/* dma-buf's cases with vaccel's jobs on the reservation object (vaccel-dmabuf.c); the table is in dma-buf.c. */
#ifndef DMABUF_VACCEL_DMABUF_H
#define DMABUF_VACCEL_DMABUF_H

#include "hilt.h"
#include "../vaccel/user/vaccel-user.h"

void t_vaccel_implicit_sync(struct hilt_ctx *ctx);
void t_vaccel_export_sync_file(struct hilt_ctx *ctx);
void t_vaccel_move_notify(struct hilt_ctx *ctx);

#endif
