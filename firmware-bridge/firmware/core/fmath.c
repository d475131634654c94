#include "fmath.h"

#include <stdint.h>
#include <string.h>

float cnas_expf(float x) {
    if (x < -87.0f) return 0.0f;
    if (x > 88.0f) x = 88.0f;
    /* x = n ln2 + r with |r| <= ln2/2; ln2 split in two so that n ln2 loses no bits of r */
    float t = x * 1.44269504f;
    int32_t n = (int32_t)(t + (t >= 0.0f ? 0.5f : -0.5f));
    float r = x - (float)n * 0.693145752f - (float)n * 1.42860682e-6f;
    /* Taylor series to r^7: the first term left out is below 6e-9 for |r| <= 0.35 */
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (1.0f / 6.0f + r * (1.0f / 24.0f + r * (1.0f / 120.0f +
              r * (1.0f / 720.0f + r * (1.0f / 5040.0f)))))));
    /* 2^n from its exponent bits: n is -126..127 in the range above, a normal float */
    uint32_t bits = (uint32_t)(n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}
