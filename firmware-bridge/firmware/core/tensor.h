/* Reading tensor elements as real numbers, whatever their TFLite type and quantisation. */
#ifndef CNAS_TENSOR_H
#define CNAS_TENSOR_H

#include <stdint.h>

#include "cnas_backend.h"

/* Bytes of one element (1 for a type the core does not interpret). */
uint32_t cnas_tensor_element_bytes(uint8_t type);

/* The value of element i, dequantized when the tensor is quantized: (q - zero_point) * scale. */
float cnas_tensor_value(const cnas_tensor_info *t, const uint8_t *data, uint32_t i);

#endif
