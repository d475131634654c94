#include "standin_backend.h"

#include <string.h>

#include "../core/crc32.h"

/* The deterministic arena the stand-in reports for a model of m bytes with input i and output o bytes:
 *   used           = align16(2048 + m/4 + i + o)
 *   persistent     = align16(1024 + m/16)
 *   non-persistent = used - persistent
 * The input and output live at the start of the arena, as TFLite Micro's planned head would hold them. */
static uint32_t align16(uint32_t v) { return (v + 15u) & ~15u; }

/* Keeps the busy work from being optimised away. */
static volatile uint32_t busy_sink;

static const char *standin_allocate(void *ctx, const uint8_t *model, uint32_t model_bytes, uint8_t *arena,
                                    uint32_t arena_bytes, cnas_alloc_info *info) {
    standin *s = ctx;
    if (model_bytes < 8 || memcmp(model + 4, "TFL3", 4) != 0) return "invalid model";
    uint32_t used = align16(2048u + model_bytes / 4u + s->input_bytes + s->output_bytes);
    if (used > arena_bytes) return "arena too small";
    info->arena_used = used;
    info->persistent = align16(1024u + model_bytes / 16u);
    info->non_persistent = used - info->persistent;
    info->n_inputs = 1;
    info->n_outputs = 1;
    cnas_tensor_info in = {CNAS_TFLITE_INT8, s->input_bytes, 1.0f / 128.0f, 0};
    cnas_tensor_info out = {CNAS_TFLITE_INT8, s->output_bytes, 1.0f / 256.0f, -128};
    info->inputs[0] = in;
    info->outputs[0] = out;
    s->model = model;
    s->model_bytes = model_bytes;
    s->input = arena;
    s->output = arena + s->input_bytes;
    return NULL;
}

static uint8_t *standin_input(void *ctx, uint8_t index) {
    (void)index;
    return ((standin *)ctx)->input;
}

static uint8_t *standin_output(void *ctx, uint8_t index) {
    (void)index;
    return ((standin *)ctx)->output;
}

static void standin_release(void *ctx) { (void)ctx; /* nothing refers back to the model */ }

/* Work proportional to the model size (one CRC pass over it), then outputs that depend only on the input:
 * a linear congruential sequence seeded with the input's CRC-32, one top byte per output byte. */
static const char *standin_invoke(void *ctx) {
    standin *s = ctx;
    busy_sink = cnas_crc32(0, s->model, s->model_bytes);
    uint32_t state = cnas_crc32(0, s->input, s->input_bytes);
    for (uint32_t k = 0; k < s->output_bytes; k++) {
        state = state * 1664525u + 1013904223u;
        s->output[k] = (uint8_t)(state >> 24);
    }
    return NULL;
}

cnas_backend standin_backend(standin *s) {
    cnas_backend b = {
        .ctx = s,
        .allocate = standin_allocate,
        .input = standin_input,
        .output = standin_output,
        .release = standin_release,
        .invoke = standin_invoke,
        .is_real = false,
        .description = "stand-in (host build, timings are not real)",
        .tflm_version = "none",
    };
    return b;
}
