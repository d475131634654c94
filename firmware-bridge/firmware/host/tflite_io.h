/* The inputs and outputs of a TFLite model's main subgraph (type, bytes, quantisation), read straight from the
 * flatbuffer: what the stand-in backend reports instead of made-up sizes, so early-exit pieces chain as on a
 * board. Portable C99 without libc I/O; every offset is bounds-checked against the model's size. */
#ifndef CNAS_TFLITE_IO_H
#define CNAS_TFLITE_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/cnas_backend.h"

typedef struct {
    uint8_t n_inputs;
    uint8_t n_outputs;
    cnas_tensor_info inputs[CNAS_MAX_IO];
    cnas_tensor_info outputs[CNAS_MAX_IO];
} tflite_io;

/* False when the bytes are not a readable schema-3 model, a tensor has a type without a fixed size or an
 * unknown dimension, or there are more than CNAS_MAX_IO inputs or outputs. */
bool tflite_io_read(const uint8_t *model, uint32_t bytes, tflite_io *io);

#endif
