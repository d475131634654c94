#include "link.h"

static void drop_text(cnas_link *l) {
    l->text_len = 0;
    l->text_overflow = false;
}

static void enter_frame(cnas_link *l) {
    l->state = CNAS_LINK_FRAME;
    l->encoded_len = 0;
    l->frame_len = 0;
    cnas_cobs_decoder_reset(&l->cobs);
}

void cnas_link_init(cnas_link *l, uint8_t *frame_buf, size_t frame_cap) {
    l->frame = frame_buf;
    l->frame_cap = frame_cap;
    l->state = CNAS_LINK_TEXT;
    drop_text(l);
    l->encoded_len = 0;
    l->frame_len = 0;
}

static cnas_link_event feed_text(cnas_link *l, uint8_t byte) {
    if (byte == 0x00) {
        drop_text(l);
        enter_frame(l);
        return CNAS_LINK_NONE;
    }
    if (byte == '%') {
        bool whole = !l->text_overflow;
        l->text[l->text_len] = '\0';
        drop_text(l);
        return whole ? CNAS_LINK_COMMAND : CNAS_LINK_NONE;
    }
    if (byte < 0x20 || byte > 0x7E) {
        /* garbage from a wrong device or a line-ending: never let it reach the parser */
        drop_text(l);
        return CNAS_LINK_NONE;
    }
    if (l->text_len == CNAS_TEXT_MAX) {
        l->text_overflow = true; /* keep dropping until '%' so the too-long line is lost whole */
        return CNAS_LINK_NONE;
    }
    l->text[l->text_len++] = (char)byte;
    return CNAS_LINK_NONE;
}

static cnas_link_event feed_frame(cnas_link *l, uint8_t byte) {
    if (byte == 0x00) {
        if (l->encoded_len == 0) return CNAS_LINK_NONE; /* an opening delimiter */
        l->state = CNAS_LINK_TEXT;
        return cnas_cobs_decoder_complete(&l->cobs) ? CNAS_LINK_FRAME_DONE : CNAS_LINK_FRAME_BROKEN;
    }
    l->encoded_len++;
    uint8_t out;
    if (!cnas_cobs_decoder_push(&l->cobs, byte, &out)) return CNAS_LINK_NONE;
    if (l->frame_len == l->frame_cap) {
        l->state = CNAS_LINK_TEXT;
        return CNAS_LINK_FRAME_TOO_LARGE;
    }
    l->frame[l->frame_len++] = out;
    return CNAS_LINK_NONE;
}

cnas_link_event cnas_link_feed(cnas_link *l, uint8_t byte) {
    return l->state == CNAS_LINK_TEXT ? feed_text(l, byte) : feed_frame(l, byte);
}
