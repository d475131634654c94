/* The host build's inference backend. It is NOT TFLite Micro and says so (is_real = false): it reads the model's
 * input and output tensors from the flatbuffer, reports a made-up arena size and produces made-up outputs, all
 * deterministic, so the bridge can be tested end to end without a board. */
#ifndef CNAS_STANDIN_BACKEND_H
#define CNAS_STANDIN_BACKEND_H

#include <stdint.h>

#include "../core/cnas_backend.h"
#include "tflite_io.h"

typedef struct {
    const uint8_t *model;
    uint32_t model_bytes;
    tflite_io io;
    uint8_t *inputs[CNAS_MAX_IO];
    uint8_t *outputs[CNAS_MAX_IO];
} standin_slot;

typedef struct {
    /* The one int8 input and output of a model whose tensors cannot be read (test bytes with a TFL3 header). */
    uint32_t input_bytes;
    uint32_t output_bytes;
    standin_slot slots[CNAS_MAX_SLOTS];
} standin;

cnas_backend standin_backend(standin *s);

#endif
