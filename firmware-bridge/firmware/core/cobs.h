/* Consistent Overhead Byte Stuffing: removes every 0x00 from a frame so that 0x00 can delimit frames. */
#ifndef CNAS_COBS_H
#define CNAS_COBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Worst-case encoded size of n bytes: one code byte per started run of 254 bytes. */
#define CNAS_COBS_MAX_ENCODED(n) ((n) + (n) / 254u + 1u)

/* Encodes len bytes of src into dst (CNAS_COBS_MAX_ENCODED(len) bytes); returns the encoded length. */
size_t cnas_cobs_encode(const uint8_t *src, size_t len, uint8_t *dst);

/* Decodes one byte at a time so the receiver needs no buffer for the encoded form, only for the frame. */
typedef struct {
    uint8_t code;    /* code byte of the current block; 0 before the first one */
    uint8_t left;    /* data bytes still to come in the current block */
} cnas_cobs_decoder;

void cnas_cobs_decoder_reset(cnas_cobs_decoder *d);

/* Feeds one encoded byte (never 0x00, the delimiter); returns true when *out holds a decoded byte. */
bool cnas_cobs_decoder_push(cnas_cobs_decoder *d, uint8_t in, uint8_t *out);

/* At the closing delimiter: whether the encoded bytes formed complete blocks. */
bool cnas_cobs_decoder_complete(const cnas_cobs_decoder *d);

#endif
