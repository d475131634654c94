/* The inference backend the core drives: real TFLite Micro on boards, a declared stand-in on the host. */
#ifndef CNAS_BACKEND_H
#define CNAS_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "cnas_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TFLite TensorType codes the core itself interprets (to print MLPerf results). */
enum {
    CNAS_TFLITE_FLOAT32 = 0,
    CNAS_TFLITE_INT32 = 2,
    CNAS_TFLITE_UINT8 = 3,
    CNAS_TFLITE_INT16 = 7,
    CNAS_TFLITE_INT8 = 9,
};

typedef struct {
    uint8_t type;       /* TFLite TensorType */
    uint32_t bytes;
    float scale;        /* 0 when the tensor is not quantized */
    int32_t zero_point;
} cnas_tensor_info;

typedef struct {
    uint32_t arena_used;     /* arena_used_bytes() after AllocateTensors(), alignment slack included */
    uint32_t persistent;     /* tail */
    uint32_t non_persistent; /* head */
    uint8_t n_inputs;
    uint8_t n_outputs;
    cnas_tensor_info inputs[CNAS_MAX_IO];
    cnas_tensor_info outputs[CNAS_MAX_IO];
} cnas_alloc_info;

/* Every call names a slot (0..CNAS_MAX_SLOTS-1): the backend keeps one interpreter per slot, so the pieces of an
 * early-exit network stay allocated side by side. A single model is slot 0. */
typedef struct {
    void *ctx;
    /* Builds the slot's interpreter for its model inside the given part of the arena. Returns NULL on success,
     * else the cause: "arena too small", "unsupported operator <NAME>" or "invalid model". Called again for a
     * slot that is already allocated, it rebuilds it (the core does so to shrink a slot's part of the arena). */
    const char *(*allocate)(void *ctx, uint8_t slot, const uint8_t *model, uint32_t model_bytes, uint8_t *arena,
                            uint32_t arena_bytes, cnas_alloc_info *info);
    /* Tensor buffers of the slot's last successful allocation. */
    uint8_t *(*input)(void *ctx, uint8_t slot, uint8_t index);
    uint8_t *(*output)(void *ctx, uint8_t slot, uint8_t index);
    /* Drops the slot's interpreter. Called before its model is overwritten, because tearing an interpreter
     * down reads the model it was built from. */
    void (*release)(void *ctx, uint8_t slot);
    /* One inference of the slot's model; NULL on success, else why it failed. */
    const char *(*invoke)(void *ctx, uint8_t slot);
    bool is_real;            /* true only for genuine TFLite Micro */
    const char *description;
    const char *tflm_version; /* "none" when there is no TFLite Micro */
} cnas_backend;

#ifdef __cplusplus
}
#endif

#endif
