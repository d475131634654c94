/* The receive state machine of PROTOCOL.md, board side: splits the byte stream into text commands (ended
 * by '%') and COBS frames (between 0x00 delimiters), so both protocols share one serial link. */
#ifndef CNAS_LINK_H
#define CNAS_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cobs.h"

/* MLPerf Tiny's command buffer size (EE_CMD_SIZE). */
#define CNAS_TEXT_MAX 80u

typedef enum { CNAS_LINK_TEXT, CNAS_LINK_FRAME } cnas_link_state;

typedef enum {
    CNAS_LINK_NONE,          /* nothing complete yet */
    CNAS_LINK_COMMAND,       /* text holds a NUL-terminated command */
    CNAS_LINK_FRAME_DONE,    /* frame[0 .. frame_len) holds a decoded frame, not yet checked */
    CNAS_LINK_FRAME_BROKEN,  /* the encoded bytes were not whole COBS blocks */
    CNAS_LINK_FRAME_TOO_LARGE
} cnas_link_event;

typedef struct {
    cnas_link_state state;
    char text[CNAS_TEXT_MAX + 1];
    size_t text_len;
    bool text_overflow;
    cnas_cobs_decoder cobs;
    size_t encoded_len;
    uint8_t *frame;
    size_t frame_cap;
    size_t frame_len;
} cnas_link;

void cnas_link_init(cnas_link *l, uint8_t *frame_buf, size_t frame_cap);

/* Consumes one received byte; frame and text stay valid until the next call. */
cnas_link_event cnas_link_feed(cnas_link *l, uint8_t byte);

#endif
