#include "harness.h"

#include <stdio.h>
#include <string.h>

#include "../core/cobs.h"
#include "../core/crc32.h"
#include "../core/le.h"

int failures;

uint8_t sent[1 << 16];
size_t sent_len;
uint32_t fake_us;
uint32_t fake_cycles;
uint32_t baud_now = 115200;
int reboots;

static void fake_write(void *ctx, const uint8_t *d, size_t n) {
    (void)ctx;
    memcpy(sent + sent_len, d, n);
    sent_len += n;
}
static uint32_t fake_micros(void *ctx) { (void)ctx; return fake_us; }
static uint32_t fake_cycles_fn(void *ctx) { (void)ctx; return fake_cycles += 1000u; }
static bool fake_baud_ok(void *ctx, uint32_t b) { (void)ctx; return b == 115200u || b == 921600u; }
static void fake_set_baud(void *ctx, uint32_t b) { (void)ctx; baud_now = b; }
static void fake_reboot(void *ctx) { (void)ctx; reboots++; }

const cnas_platform platform = {
    NULL, fake_write, fake_micros, fake_cycles_fn, fake_baud_ok, fake_set_baud, fake_reboot, NULL,
    80000000u, CNAS_TIMER_CYCLE_COUNTER, 115200u, "test-board",
};

size_t decode(const uint8_t *enc, size_t n, uint8_t *out, bool *complete) {
    cnas_cobs_decoder d;
    cnas_cobs_decoder_reset(&d);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b;
        if (cnas_cobs_decoder_push(&d, enc[i], &b)) out[len++] = b;
    }
    *complete = cnas_cobs_decoder_complete(&d);
    return len;
}

cnas_fw fw;

void feed(const uint8_t *d, size_t n) {
    for (size_t i = 0; i < n; i++) cnas_fw_feed(&fw, d[i]);
}

void feed_text(const char *s) { feed((const uint8_t *)s, strlen(s)); }

void send_request(uint8_t type, uint8_t seq, const uint8_t *payload, size_t n) {
    static uint8_t frame[CNAS_FRAME_MAX], wire[CNAS_WIRE_MAX];
    if (n > 0) memcpy(frame + 4, payload, n);
    size_t len = cnas_frame_seal(frame, type, seq, n);
    wire[0] = 0;
    size_t e = cnas_cobs_encode(frame, len, wire + 1);
    wire[e + 1] = 0;
    feed(wire, e + 2);
}

/* The one frame the board sent since the last call, checked for framing and CRC. */
uint8_t reply[CNAS_FRAME_MAX];
size_t reply_payload;

uint8_t take_reply(void) {
    CHECK(sent_len >= 4 && sent[0] == 0 && sent[sent_len - 1] == 0);
    CHECK(memchr(sent + 1, 0, sent_len - 2) == NULL);
    bool complete;
    size_t n = decode(sent + 1, sent_len - 2, reply, &complete);
    CHECK(complete);
    CHECK(n >= 8 && cnas_get_u16(reply + 2) == n - 8);
    CHECK(cnas_crc32(0, reply, n - 4) == cnas_get_u32(reply + n - 4));
    reply_payload = n - 8;
    sent_len = 0;
    return reply[0];
}

const uint8_t *P(void) { return reply + 4; }

bool text_is(const char *expected) {
    bool same = sent_len == strlen(expected) && memcmp(sent, expected, sent_len) == 0;
    if (!same) fprintf(stderr, "got text: %.*s\n", (int)sent_len, (const char *)sent);
    sent_len = 0;
    return same;
}
