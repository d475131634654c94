/* What the core's unit tests share: a check counter, a fake platform that records every byte the board sends,
 * and helpers to send request frames to the firmware object and take its replies apart. */
#ifndef CNAS_TEST_HARNESS_H
#define CNAS_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/firmware.h"

extern int failures;

#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                       \
        }                                                                     \
    } while (0)

/* The fake platform: 80 MHz cycle counter that advances 1000 cycles per reading, bauds 115200 and 921600. */
extern uint8_t sent[1 << 16];
extern size_t sent_len;
extern uint32_t fake_us;
extern uint32_t fake_cycles;
extern uint32_t baud_now;
extern int reboots;
extern const cnas_platform platform;

/* The firmware under test. */
extern cnas_fw fw;

/* COBS-decodes n bytes (no delimiters) into out; *complete says whether the last block was whole. */
size_t decode(const uint8_t *enc, size_t n, uint8_t *out, bool *complete);

void feed(const uint8_t *d, size_t n);
void feed_text(const char *s);
void send_request(uint8_t type, uint8_t seq, const uint8_t *payload, size_t n);

/* The one frame the board sent since the last call, checked for framing and CRC; returns its type. */
extern uint8_t reply[CNAS_FRAME_MAX];
extern size_t reply_payload;
uint8_t take_reply(void);
const uint8_t *P(void);

/* Whether the board sent exactly this text since the last call. */
bool text_is(const char *expected);

#endif
