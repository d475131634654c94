#include "cobs.h"

size_t cnas_cobs_encode(const uint8_t *src, size_t len, uint8_t *dst) {
    size_t code_at = 0; /* where the current block's code byte goes */
    size_t out = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == 0) {
            dst[code_at] = code;
            code_at = out++;
            code = 1;
            continue;
        }
        dst[out++] = src[i];
        if (++code == 0xFFu) {
            /* a full block of 254 data bytes carries no implied zero */
            dst[code_at] = code;
            code_at = out++;
            code = 1;
        }
    }
    dst[code_at] = code;
    return out;
}

void cnas_cobs_decoder_reset(cnas_cobs_decoder *d) {
    d->code = 0;
    d->left = 0;
}

bool cnas_cobs_decoder_push(cnas_cobs_decoder *d, uint8_t in, uint8_t *out) {
    if (d->left > 0) {
        d->left--;
        *out = in;
        return true;
    }
    /* a block that ended short of 254 data bytes stood for a zero, unless it was the last block */
    bool zero = d->code != 0 && d->code != 0xFFu;
    d->code = in;
    d->left = (uint8_t)(in - 1u);
    *out = 0;
    return zero;
}

bool cnas_cobs_decoder_complete(const cnas_cobs_decoder *d) {
    return d->code != 0 && d->left == 0;
}
