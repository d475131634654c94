/* The host build's inference backend. It is NOT TFLite Micro and says so (is_real = false): it checks the
 * model's identifier, reports a made-up arena size and produces made-up outputs, all deterministic, so the
 * bridge can be tested end to end without a board. */
#ifndef CNAS_STANDIN_BACKEND_H
#define CNAS_STANDIN_BACKEND_H

#include <stdint.h>

#include "../core/cnas_backend.h"

typedef struct {
    uint32_t input_bytes;
    uint32_t output_bytes;
    const uint8_t *model;
    uint32_t model_bytes;
    uint8_t *input;
    uint8_t *output;
} standin;

cnas_backend standin_backend(standin *s);

#endif
