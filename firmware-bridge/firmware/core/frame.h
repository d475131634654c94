/* Frame layout of PROTOCOL.md: type, seq, u16 payload length, payload, CRC-32 of everything before it. */
#ifndef CNAS_FRAME_H
#define CNAS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CNAS_FRAME_HEADER 4u
#define CNAS_FRAME_OVERHEAD 8u /* header + CRC */

enum {
    CNAS_NAK_BAD_CRC = 1,
    CNAS_NAK_BAD_LENGTH = 2,
    CNAS_NAK_TOO_LARGE = 3,
};

/* 0 when a decoded frame is sound, else the NAK reason. */
uint8_t cnas_frame_check(const uint8_t *frame, size_t len);

/* Fills in the header and CRC around payload_len bytes already at frame + 4; returns the frame length. */
size_t cnas_frame_seal(uint8_t *frame, uint8_t type, uint8_t seq, size_t payload_len);

/* Appends fields to a payload without ever writing past its capacity. */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
} cnas_writer;

void cnas_w_u8(cnas_writer *w, uint8_t v);
void cnas_w_u16(cnas_writer *w, uint16_t v);
void cnas_w_u32(cnas_writer *w, uint32_t v);
void cnas_w_bytes(cnas_writer *w, const void *data, size_t n);
/* u8 length + bytes, shortened to what is left of the payload and to 255 bytes. */
void cnas_w_str(cnas_writer *w, const char *s);

#endif
