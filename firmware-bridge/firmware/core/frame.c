#include "frame.h"

#include <string.h>

#include "crc32.h"
#include "le.h"

uint8_t cnas_frame_check(const uint8_t *frame, size_t len) {
    if (len < CNAS_FRAME_OVERHEAD) return CNAS_NAK_BAD_LENGTH;
    /* CRC first: a corrupted length byte is then reported as the corruption it is */
    size_t body = len - 4u;
    if (cnas_crc32(0, frame, body) != cnas_get_u32(frame + body)) return CNAS_NAK_BAD_CRC;
    if (cnas_get_u16(frame + 2) != len - CNAS_FRAME_OVERHEAD) return CNAS_NAK_BAD_LENGTH;
    return 0;
}

size_t cnas_frame_seal(uint8_t *frame, uint8_t type, uint8_t seq, size_t payload_len) {
    frame[0] = type;
    frame[1] = seq;
    cnas_put_u16(frame + 2, (uint16_t)payload_len);
    size_t body = CNAS_FRAME_HEADER + payload_len;
    cnas_put_u32(frame + body, cnas_crc32(0, frame, body));
    return body + 4u;
}

void cnas_w_bytes(cnas_writer *w, const void *data, size_t n) {
    if (n > w->cap - w->len) n = w->cap - w->len;
    memcpy(w->buf + w->len, data, n);
    w->len += n;
}

void cnas_w_u8(cnas_writer *w, uint8_t v) { cnas_w_bytes(w, &v, 1); }

void cnas_w_u16(cnas_writer *w, uint16_t v) {
    uint8_t b[2];
    cnas_put_u16(b, v);
    cnas_w_bytes(w, b, 2);
}

void cnas_w_u32(cnas_writer *w, uint32_t v) {
    uint8_t b[4];
    cnas_put_u32(b, v);
    cnas_w_bytes(w, b, 4);
}

void cnas_w_str(cnas_writer *w, const char *s) {
    size_t n = strlen(s);
    size_t room = w->cap - w->len;
    if (room == 0) return;
    if (n > room - 1u) n = room - 1u;
    if (n > 255u) n = 255u;
    cnas_w_u8(w, (uint8_t)n);
    cnas_w_bytes(w, s, n);
}
