/* SPDX-License-Identifier: MIT */
/* prime's cases with vaccel as the importer or the exporter (vaccel-prime.c); the table is in prime.c. */
#ifndef PRIME_VACCEL_PRIME_H
#define PRIME_VACCEL_PRIME_H

#include <stdbool.h>

#include "hilt.h"
#include "../vaccel/user/vaccel-user.h"

void t_vaccel_import(struct hilt_ctx *ctx);
void t_vaccel_export(struct hilt_ctx *ctx);

/* Whether err is a refusal a driver limitation explains, for a valid foreign dma-buf (prime.c). */
bool cross_refusal_ok(int err);

#endif
