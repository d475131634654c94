#include "tensor.h"

#include <string.h>

uint32_t cnas_tensor_element_bytes(uint8_t type) {
    switch (type) {
    case CNAS_TFLITE_FLOAT32:
    case CNAS_TFLITE_INT32: return 4;
    case CNAS_TFLITE_INT16: return 2;
    default: return 1;
    }
}

float cnas_tensor_value(const cnas_tensor_info *t, const uint8_t *p, uint32_t i) {
    float f32;
    int32_t i32;
    int16_t i16;
    float raw;
    switch (t->type) {
    case CNAS_TFLITE_FLOAT32:
        memcpy(&f32, p + 4u * i, 4);
        return f32;
    case CNAS_TFLITE_INT32:
        memcpy(&i32, p + 4u * i, 4);
        raw = (float)i32;
        break;
    case CNAS_TFLITE_INT16:
        memcpy(&i16, p + 2u * i, 2);
        raw = (float)i16;
        break;
    case CNAS_TFLITE_INT8:
        raw = (float)(int8_t)p[i];
        break;
    default:
        raw = (float)p[i];
        break;
    }
    return t->scale == 0.0f ? raw : (raw - (float)t->zero_point) * t->scale;
}
