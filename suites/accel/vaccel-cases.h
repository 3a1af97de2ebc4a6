/* SPDX-License-Identifier: MIT */
/* The accel suite's cases on vaccel (vaccel-cases.c); the case table is in accel.c. */
#ifndef ACCEL_VACCEL_CASES_H
#define ACCEL_VACCEL_CASES_H

#include "hilt.h"

void vaccel_param(struct hilt_ctx *ctx);
void vaccel_bo_create(struct hilt_ctx *ctx);
void vaccel_bo_lifetime(struct hilt_ctx *ctx);
void vaccel_jobs(struct hilt_ctx *ctx);
void vaccel_job_errors(struct hilt_ctx *ctx);
void vaccel_import(struct hilt_ctx *ctx);
void vaccel_implicit_sync(struct hilt_ctx *ctx);
void vaccel_export_fence(struct hilt_ctx *ctx);
void vaccel_in_syncobj(struct hilt_ctx *ctx);

#endif
