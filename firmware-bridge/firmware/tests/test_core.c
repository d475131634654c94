/* Unit test of the portable core: codecs, the link state machine, and whole exchanges through the
 * firmware object with a fake platform that records every byte the board sends. */
#include <stdio.h>
#include <string.h>

#include "../core/cobs.h"
#include "../core/crc32.h"
#include "../core/firmware.h"
#include "../core/le.h"
#include "../core/link.h"
#include "harness.h"

/* ---- fake backend: one int8 input and output of 4 bytes, output = input + 1 ---- */

static uint8_t *fake_arena;
static int invocations;

static const char *fake_allocate(void *ctx, uint8_t slot, const uint8_t *model, uint32_t n, uint8_t *arena,
                                 uint32_t arena_bytes, cnas_alloc_info *info) {
    (void)ctx;
    (void)slot;
    (void)arena_bytes;
    if (n < 8 || memcmp(model + 4, "TFL3", 4) != 0) return "invalid model";
    fake_arena = arena;
    info->arena_used = 96;
    info->persistent = 64;
    info->non_persistent = 32;
    info->n_inputs = 1;
    info->n_outputs = 1;
    cnas_tensor_info t = {CNAS_TFLITE_INT8, 4, 0.5f, 0};
    info->inputs[0] = t;
    info->outputs[0] = t;
    return NULL;
}
static uint8_t *fake_input(void *ctx, uint8_t s, uint8_t i) { (void)ctx; (void)s; (void)i; return fake_arena; }
static uint8_t *fake_output(void *ctx, uint8_t s, uint8_t i) { (void)ctx; (void)s; (void)i; return fake_arena + 4; }
static int releases;
static void fake_release(void *ctx, uint8_t s) { (void)ctx; (void)s; releases++; }
static const char *fake_invoke(void *ctx, uint8_t s) {
    (void)ctx;
    (void)s;
    invocations++;
    for (int i = 0; i < 4; i++) fake_arena[4 + i] = (uint8_t)(fake_arena[i] + 1);
    return NULL;
}

static const cnas_backend backend = {NULL, fake_allocate, fake_input, fake_output, fake_release, fake_invoke, false, "fake", "none"};

/* ---- tests ---- */

static void test_crc(void) {
    const uint8_t *s = (const uint8_t *)"123456789";
    CHECK(cnas_crc32(0, s, 9) == 0xCBF43926u);
    CHECK(cnas_crc32(cnas_crc32(0, s, 4), s + 4, 5) == 0xCBF43926u);
    CHECK(cnas_crc32(0, s, 0) == 0);
}

static void round_trip(const uint8_t *src, size_t n) {
    static uint8_t enc[2048], dec[2048];
    size_t e = cnas_cobs_encode(src, n, enc);
    CHECK(e <= CNAS_COBS_MAX_ENCODED(n));
    CHECK(memchr(enc, 0, e) == NULL);
    bool complete;
    size_t d = decode(enc, e, dec, &complete);
    CHECK(complete);
    CHECK(d == n && memcmp(dec, src, n) == 0);
}

static void test_cobs(void) {
    static uint8_t buf[1200];
    round_trip(buf, 0);
    round_trip(buf, 1); /* a lone zero */
    round_trip(buf, 2);
    size_t lengths[] = {253, 254, 255, 256, 508, 509, 1100};
    for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
        for (size_t i = 0; i < lengths[k]; i++) buf[i] = (uint8_t)(i % 255u + 1u);
        round_trip(buf, lengths[k]);
        buf[lengths[k] / 2] = 0;
        buf[lengths[k] - 1] = 0;
        round_trip(buf, lengths[k]);
    }
    uint8_t enc[300];
    for (size_t i = 0; i < 254; i++) buf[i] = 7;
    CHECK(cnas_cobs_encode(buf, 254, enc) == 256 && enc[0] == 0xFF);
    const uint8_t known[] = {0x11, 0x22, 0x00, 0x33};
    const uint8_t known_enc[] = {0x03, 0x11, 0x22, 0x02, 0x33};
    CHECK(cnas_cobs_encode(known, 4, enc) == 5 && memcmp(enc, known_enc, 5) == 0);
}

static void test_link(void) {
    static uint8_t frame[64];
    cnas_link l;
    cnas_link_init(&l, frame, sizeof frame);
    const char *cmd = "db load 4%";
    cnas_link_event ev = CNAS_LINK_NONE;
    for (const char *c = cmd; *c; c++) ev = cnas_link_feed(&l, (uint8_t)*c);
    CHECK(ev == CNAS_LINK_COMMAND && strcmp(l.text, "db load 4") == 0);
    /* garbage drops the text buffer: only what follows it is a command */
    const uint8_t noisy[] = {'n', 'a', 0xFF, 'n', 'a', 'm', 'e', '%'};
    for (size_t i = 0; i < sizeof noisy; i++) ev = cnas_link_feed(&l, noisy[i]);
    CHECK(ev == CNAS_LINK_COMMAND && strcmp(l.text, "name") == 0);
    /* a line longer than 80 characters is dropped whole */
    for (int i = 0; i < 81; i++) CHECK(cnas_link_feed(&l, 'x') == CNAS_LINK_NONE);
    CHECK(cnas_link_feed(&l, '%') == CNAS_LINK_NONE);
    CHECK(cnas_link_feed(&l, 'a') == CNAS_LINK_NONE && cnas_link_feed(&l, '%') == CNAS_LINK_COMMAND);
    /* 80 characters exactly still make a command */
    for (int i = 0; i < 80; i++) cnas_link_feed(&l, 'y');
    CHECK(cnas_link_feed(&l, '%') == CNAS_LINK_COMMAND && strlen(l.text) == 80);
    /* a frame, with a doubled delimiter before it and text before that */
    const uint8_t wire[] = {'n', 'a', 0x00, 0x00, 0x03, 0x11, 0x22, 0x02, 0x33, 0x00};
    for (size_t i = 0; i < sizeof wire; i++) ev = cnas_link_feed(&l, wire[i]);
    CHECK(ev == CNAS_LINK_FRAME_DONE && l.frame_len == 4 && l.frame[2] == 0 && l.frame[3] == 0x33);
    CHECK(l.state == CNAS_LINK_TEXT);
    /* a code byte promising more than arrives */
    const uint8_t broken[] = {0x00, 0x05, 0x11, 0x00};
    for (size_t i = 0; i < sizeof broken; i++) ev = cnas_link_feed(&l, broken[i]);
    CHECK(ev == CNAS_LINK_FRAME_BROKEN);
    /* overflow drops the frame and goes back to text; the rest of it is garbage there */
    CHECK(cnas_link_feed(&l, 0x00) == CNAS_LINK_NONE);
    CHECK(cnas_link_feed(&l, 0x50) == CNAS_LINK_NONE);
    ev = CNAS_LINK_NONE;
    for (int i = 0; i < 70 && ev == CNAS_LINK_NONE; i++) ev = cnas_link_feed(&l, 0x41);
    CHECK(ev == CNAS_LINK_FRAME_TOO_LARGE && l.state == CNAS_LINK_TEXT);
}

static void test_boot(void) {
    sent_len = 0;
    cnas_limits limits = cnas_fw_compiled_limits();
    limits.max_payload = 300;
    limits.slot_bytes = 64;
    CHECK(cnas_fw_init(&fw, &platform, &backend, limits));
    CHECK(text_is("m-cnas-firmware-[1.0.0]\r\nm-init-done\r\nm-ready\r\n"));
    limits.max_payload = 255;
    CHECK(!cnas_fw_init(&fw, &platform, &backend, limits));
    limits.max_payload = 300;
    CHECK(cnas_fw_init(&fw, &platform, &backend, limits));
    sent_len = 0;
}

static void test_hello(void) {
    const uint8_t v = 1;
    send_request(0x01, 7, &v, 1);
    CHECK(take_reply() == 0x81 && reply[1] == 7);
    const uint8_t *p = P();
    CHECK(p[0] == 1 && p[1] == (2 | 4 | 8));
    CHECK(cnas_get_u32(p + 2) == 80000000u && cnas_get_u32(p + 6) == 64 && cnas_get_u32(p + 10) == CNAS_ARENA_BYTES);
    CHECK(cnas_get_u16(p + 14) == 300);
    CHECK(p[16] == 10 && memcmp(p + 17, "test-board", 10) == 0);
    CHECK(p[27] == 5 && memcmp(p + 28, "1.0.0", 5) == 0);
    CHECK(p[33] == 4 && memcmp(p + 34, "none", 4) == 0);
    CHECK(p[38] == 4 && memcmp(p + 39, "fake", 4) == 0);
    CHECK(p[43] == CNAS_MAX_SLOTS && reply_payload == 44); /* the trailing max slots of early-exit firmware */
}

static void put_u32s(uint8_t *p, uint32_t a, uint32_t b) {
    cnas_put_u32(p, a);
    cnas_put_u32(p + 4, b);
}

static const uint8_t model[16] = {0x1C, 0, 0, 0, 'T', 'F', 'L', '3', 1, 2, 3, 4, 5, 6, 7, 8};

static void test_load(void) {
    uint8_t p[32];
    uint32_t crc = cnas_crc32(0, model, sizeof model);
    put_u32s(p, 65, crc);
    send_request(0x02, 1, p, 8);
    CHECK(take_reply() == 0xFF && P()[0] == 3 && cnas_get_u32(P() + 1) == 64);
    send_request(0x05, 2, NULL, 0);
    CHECK(take_reply() == 0xFF && P()[0] == 5);

    put_u32s(p, sizeof model, crc);
    int released = releases;
    send_request(0x02, 3, p, 8);
    CHECK(take_reply() == 0x82 && cnas_get_u32(P()) == 0);
    CHECK(releases == released + 1); /* the backend lets go of the old model before it is overwritten */
    cnas_put_u32(p, 0);
    memcpy(p + 4, model, 10);
    send_request(0x03, 4, p, 14);
    CHECK(take_reply() == 0x83 && cnas_get_u32(P()) == 10);
    /* a chunk at the wrong offset names the right one */
    cnas_put_u32(p, 4);
    send_request(0x03, 5, p, 8);
    CHECK(take_reply() == 0xFF && P()[0] == 9 && cnas_get_u32(P() + 1) == 10);
    /* the same upload announced again resumes */
    put_u32s(p, sizeof model, crc);
    send_request(0x02, 6, p, 8);
    CHECK(take_reply() == 0x82 && cnas_get_u32(P()) == 10);
    cnas_put_u32(p, 10);
    memcpy(p + 4, model + 10, 6);
    send_request(0x03, 7, p, 10);
    CHECK(take_reply() == 0x83 && cnas_get_u32(P()) == 16);
    send_request(0x04, 8, NULL, 0);
    CHECK(take_reply() == 0x84 && cnas_get_u32(P()) == 16 && cnas_get_u32(P() + 4) == crc);
    /* profile names the loaded model */
    feed_text("profile%");
    char expect[128];
    snprintf(expect, sizeof expect, "m-profile-[cnas firmware 1.0.0]\r\nm-model-[%08x]\r\nm-ready\r\n", (unsigned)crc);
    CHECK(text_is(expect));
}

static void test_bad_crc_upload(void) {
    uint8_t p[16];
    put_u32s(p, 4, 0x12345678u);
    send_request(0x02, 20, p, 8);
    CHECK(take_reply() == 0x82);
    put_u32s(p, 0, 0xAABBCCDDu);
    send_request(0x03, 21, p, 8);
    CHECK(take_reply() == 0x83);
    send_request(0x04, 22, NULL, 0);
    CHECK(take_reply() == 0xFF && P()[0] == 4);
    send_request(0x05, 23, NULL, 0);
    CHECK(take_reply() == 0xFF && P()[0] == 5);
}

static void test_run(void) {
    send_request(0x05, 30, NULL, 0);
    CHECK(take_reply() == 0x85);
    const uint8_t alloc[] = {96, 0, 0, 0, 64, 0, 0, 0, 32, 0, 0, 0, 1, 1, 9, 4, 0, 0, 0, 9, 4, 0, 0, 0};
    CHECK(reply_payload == sizeof alloc && memcmp(P(), alloc, sizeof alloc) == 0);
    uint8_t p[16] = {0, 1, 0, 0, 0, 10, 20, 30};
    send_request(0x06, 31, p, 8);
    CHECK(take_reply() == 0x86 && cnas_get_u32(P()) == 4);
    p[1] = 2; /* offset 2 + 3 bytes overruns the 4-byte input */
    send_request(0x06, 32, p, 8);
    CHECK(take_reply() == 0xFF && P()[0] == 2 && cnas_get_u32(P() + 1) == 4);

    /* BENCH asks for more runs than fit: (300 - 10) / 4 = 72 */
    const uint8_t bench[] = {2, 0, 0xFF, 0xFF};
    invocations = 0;
    send_request(0x07, 33, bench, 4);
    CHECK(take_reply() == 0x87);
    CHECK(cnas_get_u16(P()) == 2 && cnas_get_u16(P() + 2) == 72 && cnas_get_u32(P() + 4) == 80000000u);
    CHECK(P()[8] == 0 && P()[9] == 0 && reply_payload == 10 + 72 * 4);
    CHECK(cnas_get_u32(P() + 10) == 1000u && invocations == 74);

    /* a retried request is answered from memory, not run again */
    send_request(0x07, 33, bench, 4);
    CHECK(take_reply() == 0x87 && invocations == 74 && reply_payload == 10 + 72 * 4);

    const uint8_t get[] = {0, 1, 0, 0, 0, 100, 0};
    send_request(0x08, 34, get, 7);
    CHECK(take_reply() == 0x88 && cnas_get_u32(P()) == 4 && reply_payload == 7);
    CHECK(P()[4] == 11 && P()[5] == 21 && P()[6] == 31);
}

static void test_errors(void) {
    send_request(0x42, 40, NULL, 0);
    CHECK(take_reply() == 0xFF && P()[0] == 1 && cnas_get_u32(P() + 1) == 0x42);
    send_request(0x01, 41, NULL, 0);
    CHECK(take_reply() == 0xFF && P()[0] == 2);
    /* a corrupted frame is NAKed with reason 1 and its seq */
    const uint8_t frame[] = {0x01, 42, 1, 0, 1, 0xDE, 0xAD, 0xBE, 0xEF};
    uint8_t wire[16];
    wire[0] = 0;
    size_t e = cnas_cobs_encode(frame, sizeof frame, wire + 1);
    wire[e + 1] = 0;
    feed(wire, e + 2);
    CHECK(take_reply() == 0xFE && reply[1] == 42 && P()[0] == 1);
    /* too short to be a frame */
    const uint8_t tiny[] = {0x00, 0x02, 0x01, 0x00};
    feed(tiny, sizeof tiny);
    CHECK(take_reply() == 0xFE && P()[0] == 2);
    /* larger than the receive buffer */
    static uint8_t big[400];
    memset(big, 0x41, sizeof big);
    big[0] = 0;
    feed(big, sizeof big);
    CHECK(take_reply() == 0xFE && P()[0] == 3);
    /* the NAKs did not replace the stored response: the last request is still replayed */
    send_request(0x01, 41, NULL, 0);
    CHECK(take_reply() == 0xFF && P()[0] == 2);
}

static void test_baud(void) {
    uint8_t p[4];
    cnas_put_u32(p, 14400);
    send_request(0x0A, 50, p, 4);
    CHECK(take_reply() == 0xFF && P()[0] == 10);
    cnas_put_u32(p, 921600);
    fake_us = 1000;
    send_request(0x0A, 51, p, 4);
    CHECK(take_reply() == 0x8A && cnas_get_u32(P()) == 921600u && baud_now == 921600u);
    fake_us += 1999999u;
    cnas_fw_poll(&fw);
    CHECK(baud_now == 921600u);
    fake_us += 1u;
    cnas_fw_poll(&fw);
    CHECK(baud_now == 115200u);
    /* confirmed by a valid frame in time: stays */
    send_request(0x0A, 52, p, 4);
    CHECK(take_reply() == 0x8A && baud_now == 921600u);
    const uint8_t v = 1;
    send_request(0x01, 53, &v, 1);
    CHECK(take_reply() == 0x81);
    fake_us += 5000000u;
    cnas_fw_poll(&fw);
    CHECK(baud_now == 921600u);
}

static void test_text(void) {
    feed_text("name%");
    CHECK(text_is("m-name-dut-[test-board]\r\nm-ready\r\n"));
    feed_text("bogus arg%");
    CHECK(text_is("e-[Unknown command: bogus]\r\nm-ready\r\n"));
    feed_text("db load 4%");
    CHECK(text_is("m-[Expecting 4 bytes]\r\nm-ready\r\n"));
    feed_text("db 0102%");
    CHECK(text_is("m-ready\r\n"));
    feed_text("db 0A0b%");
    CHECK(text_is("m-load-done\r\nm-ready\r\n"));
    feed_text("db print%");
    CHECK(text_is("m-buffer-01-02-0a-0b\r\nm-ready\r\n"));
    fake_us = 500;
    feed_text("infer 3 1%");
    CHECK(text_is("m-warmup-start-1\r\nm-warmup-done\r\nm-infer-start-3\r\nm-lap-us-500\r\nm-lap-us-500\r\n"
                  "m-infer-done\r\nm-results-[1.000,1.500,5.500,6.000]\r\nm-ready\r\n"));
    feed_text("timestamp%");
    CHECK(text_is("m-lap-us-500\r\nm-ready\r\n"));
}

static void test_reset(void) {
    send_request(0x09, 60, NULL, 0);
    CHECK(sent_len > 0);
    size_t frame_end = 1;
    while (frame_end < sent_len && sent[frame_end] != 0) frame_end++;
    const char *banner = "m-cnas-firmware-[1.0.0]\r\nm-init-done\r\nm-ready\r\n";
    CHECK(sent_len == frame_end + 1 + strlen(banner));
    CHECK(memcmp(sent + frame_end + 1, banner, strlen(banner)) == 0);
    CHECK(reboots == 1);
    sent_len = frame_end + 1;
    CHECK(take_reply() == 0x89 && reply_payload == 0);
    send_request(0x05, 61, NULL, 0);
    CHECK(take_reply() == 0xFF && P()[0] == 5);
}

int main(void) {
    test_crc();
    test_cobs();
    test_link();
    test_boot();
    test_hello();
    test_load();
    test_bad_crc_upload();
    test_load();
    test_run();
    test_errors();
    test_baud();
    test_text();
    test_reset();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("core tests passed\n");
    return 0;
}
