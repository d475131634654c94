#include "standin_backend.h"

#include <string.h>

#include "../core/crc32.h"

/* The deterministic arena the stand-in reports for a model of m bytes whose inputs take i and outputs o bytes:
 *   used           = align16(2048 + m/4 + i + o)
 *   persistent     = align16(1024 + m/16)
 *   non-persistent = used - persistent
 * The inputs and then the outputs live at the start of the slot's arena, as TFLite Micro's planned head would
 * hold them. */
static uint32_t align16(uint32_t v) { return (v + 15u) & ~15u; }

/* Keeps the busy work from being optimised away. */
static volatile uint32_t busy_sink;

/* A model whose tensors cannot be read gets one int8 input and one int8 output of the configured sizes. */
static void configured_io(const standin *s, tflite_io *io) {
    memset(io, 0, sizeof *io);
    io->n_inputs = 1;
    io->n_outputs = 1;
    cnas_tensor_info in = {CNAS_TFLITE_INT8, s->input_bytes, 1.0f / 128.0f, 0};
    cnas_tensor_info out = {CNAS_TFLITE_INT8, s->output_bytes, 1.0f / 256.0f, -128};
    io->inputs[0] = in;
    io->outputs[0] = out;
}

static const char *standin_allocate(void *ctx, uint8_t slot, const uint8_t *model, uint32_t model_bytes,
                                    uint8_t *arena, uint32_t arena_bytes, cnas_alloc_info *info) {
    standin *s = ctx;
    standin_slot *m = &s->slots[slot];
    if (model_bytes < 8 || memcmp(model + 4, "TFL3", 4) != 0) return "invalid model";
    if (!tflite_io_read(model, model_bytes, &m->io)) configured_io(s, &m->io);
    uint32_t tensors = 0;
    for (uint8_t i = 0; i < m->io.n_inputs; i++) tensors += m->io.inputs[i].bytes;
    for (uint8_t i = 0; i < m->io.n_outputs; i++) tensors += m->io.outputs[i].bytes;
    uint32_t used = align16(2048u + model_bytes / 4u + tensors);
    if (tensors > arena_bytes || used > arena_bytes) return "arena too small";
    info->arena_used = used;
    info->persistent = align16(1024u + model_bytes / 16u);
    info->non_persistent = used - info->persistent;
    info->n_inputs = m->io.n_inputs;
    info->n_outputs = m->io.n_outputs;
    memcpy(info->inputs, m->io.inputs, sizeof info->inputs);
    memcpy(info->outputs, m->io.outputs, sizeof info->outputs);
    m->model = model;
    m->model_bytes = model_bytes;
    uint8_t *at = arena;
    for (uint8_t i = 0; i < m->io.n_inputs; i++) {
        m->inputs[i] = at;
        at += m->io.inputs[i].bytes;
    }
    for (uint8_t i = 0; i < m->io.n_outputs; i++) {
        m->outputs[i] = at;
        at += m->io.outputs[i].bytes;
    }
    return NULL;
}

static uint8_t *standin_input(void *ctx, uint8_t slot, uint8_t index) { return ((standin *)ctx)->slots[slot].inputs[index]; }

static uint8_t *standin_output(void *ctx, uint8_t slot, uint8_t index) {
    return ((standin *)ctx)->slots[slot].outputs[index];
}

static void standin_release(void *ctx, uint8_t slot) {
    (void)ctx;
    (void)slot; /* nothing refers back to the model */
}

/* Work proportional to the model size (one CRC pass over it), then outputs that depend only on the inputs: a
 * linear congruential sequence seeded with the inputs' CRC-32, one top byte per output byte. */
static const char *standin_invoke(void *ctx, uint8_t slot) {
    standin_slot *m = &((standin *)ctx)->slots[slot];
    busy_sink = cnas_crc32(0, m->model, m->model_bytes);
    uint32_t state = 0;
    for (uint8_t i = 0; i < m->io.n_inputs; i++) state = cnas_crc32(state, m->inputs[i], m->io.inputs[i].bytes);
    for (uint8_t o = 0; o < m->io.n_outputs; o++) {
        for (uint32_t k = 0; k < m->io.outputs[o].bytes; k++) {
            state = state * 1664525u + 1013904223u;
            m->outputs[o][k] = (uint8_t)(state >> 24);
        }
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
