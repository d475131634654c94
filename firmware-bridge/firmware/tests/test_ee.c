/* Unit test of early-exit inference: where LOAD_BEGIN places slots, how ALLOC splits the arena, the exit rules,
 * EE_INFER's chain and response, and the stand-in's reading of a TFLite flatbuffer. */
#include <math.h>
#include <string.h>

#include "../core/crc32.h"
#include "../core/ee_rule.h"
#include "../core/fmath.h"
#include "../core/le.h"
#include "../host/standin_backend.h"
#include "../host/tflite_io.h"
#include "harness.h"

/* ---- a backend whose pieces compute something checkable ----
 * Model byte 8 says what a piece is: 'S' segment (4 int8 in, 4 int8 out, out = in + 1), 'E' exit (3 class logits
 * [in0, 0, 0], plus a confidence logit in1 when byte 9 is 1), 'F' final (logits [0, in0, 0]). Byte 10 'q' gives
 * the piece an input scale of 0.25 instead of the segments' 0.5. A slot reports 64 arena bytes but needs 96 to
 * allocate, as TFLite Micro needs temporary memory beyond what it reports. */

#define PIECE_IO 16u

static uint8_t *bufs[CNAS_MAX_SLOTS];
static uint8_t kinds[CNAS_MAX_SLOTS];
static uint8_t invoked[64];
static size_t n_invoked;

static const char *piece_allocate(void *ctx, uint8_t slot, const uint8_t *model, uint32_t n, uint8_t *arena,
                                  uint32_t arena_bytes, cnas_alloc_info *info) {
    (void)ctx;
    if (n < 11 || memcmp(model + 4, "TFL3", 4) != 0) return "invalid model";
    if (arena_bytes < 96) return "arena too small";
    kinds[slot] = model[8];
    bufs[slot] = arena;
    info->arena_used = 64;
    info->persistent = 48;
    info->non_persistent = 16;
    info->n_inputs = 1;
    info->n_outputs = 1;
    cnas_tensor_info in = {CNAS_TFLITE_INT8, 4, model[10] == 'q' ? 0.25f : 0.5f, 0};
    cnas_tensor_info seg = {CNAS_TFLITE_INT8, 4, 0.5f, 0};
    cnas_tensor_info logits = {CNAS_TFLITE_INT8, model[9] == 1 ? 4u : 3u, 1.0f, 0};
    info->inputs[0] = in;
    info->outputs[0] = model[8] == 'S' ? seg : logits;
    return NULL;
}
static uint8_t *piece_input(void *ctx, uint8_t s, uint8_t i) { (void)ctx; (void)i; return bufs[s]; }
static uint8_t *piece_output(void *ctx, uint8_t s, uint8_t i) { (void)ctx; (void)i; return bufs[s] + PIECE_IO; }
static void piece_release(void *ctx, uint8_t s) { (void)ctx; (void)s; }
static const char *piece_invoke(void *ctx, uint8_t s) {
    (void)ctx;
    invoked[n_invoked++] = s;
    uint8_t *in = bufs[s], *out = bufs[s] + PIECE_IO;
    memset(out, 0, PIECE_IO);
    if (kinds[s] == 'S') {
        for (int i = 0; i < 4; i++) out[i] = (uint8_t)(in[i] + 1);
    } else if (kinds[s] == 'E') {
        out[0] = in[0];
        out[3] = in[1];
    } else {
        out[1] = in[0];
    }
    return NULL;
}

static const cnas_backend pieces = {NULL, piece_allocate, piece_input, piece_output, piece_release, piece_invoke,
                                    false, "pieces", "none"};

static uint8_t seq = 100;

static void put_u32s(uint8_t *p, uint32_t a, uint32_t b) {
    cnas_put_u32(p, a);
    cnas_put_u32(p + 4, b);
}

/* LOAD_BEGIN (with the slot byte), one LOAD_CHUNK, LOAD_END; the type of the first reply that is not a success. */
static uint8_t upload(uint8_t slot, const uint8_t *model, uint32_t n) {
    uint8_t p[256];
    put_u32s(p, n, cnas_crc32(0, model, n));
    p[8] = slot;
    send_request(0x02, seq++, p, 9);
    uint8_t t = take_reply();
    if (t != 0x82) return t;
    cnas_put_u32(p, 0);
    memcpy(p + 4, model, n);
    send_request(0x03, seq++, p, 4 + n);
    if ((t = take_reply()) != 0x83) return t;
    send_request(0x04, seq++, NULL, 0);
    return take_reply();
}

static void piece_model(uint8_t *m, uint32_t n, uint8_t kind, uint8_t confidence, uint8_t scale) {
    memset(m, 0, n);
    memcpy(m + 4, "TFL3", 4);
    m[8] = kind;
    m[9] = confidence;
    m[10] = scale;
}

static void init_fw(uint32_t slot_bytes) {
    cnas_limits limits = cnas_fw_compiled_limits();
    limits.max_payload = 300;
    limits.slot_bytes = slot_bytes;
    CHECK(cnas_fw_init(&fw, &platform, &pieces, limits));
    sent_len = 0;
}

static void test_slot_placement(void) {
    init_fw(100);
    uint8_t m[64];
    piece_model(m, 20, 'S', 0, 0);
    /* an 8-byte LOAD_BEGIN still means slot 0 */
    uint8_t p[9];
    put_u32s(p, 20, cnas_crc32(0, m, 20));
    send_request(0x02, seq++, p, 8);
    CHECK(take_reply() == 0x82 && fw.device.upload_slot == 0);
    CHECK(upload(0, m, 20) == 0x84 && fw.device.n_loaded == 1);
    CHECK(upload(1, m, 30) == 0x84 && fw.device.n_loaded == 2);
    CHECK(fw.device.models[1].offset == 32); /* 20 rounded up to 16 */
    /* slot 3 before slot 2 */
    put_u32s(p, 10, 0);
    p[8] = 3;
    send_request(0x02, seq++, p, 9);
    CHECK(take_reply() == 0xFF && P()[0] == 2 && cnas_get_u32(P() + 1) == 2);
    /* slot 2 starts at 64: 36 bytes are left of the 100 */
    put_u32s(p, 40, 0);
    p[8] = 2;
    send_request(0x02, seq++, p, 9);
    CHECK(take_reply() == 0xFF && P()[0] == 3 && cnas_get_u32(P() + 1) == 36);
    CHECK(fw.device.n_loaded == 2); /* a refused upload changes nothing */
    CHECK(upload(2, m, 36) == 0x84 && fw.device.models[2].offset == 64 && fw.device.n_loaded == 3);
    /* past the compiled slots */
    p[8] = CNAS_MAX_SLOTS;
    send_request(0x02, seq++, p, 9);
    CHECK(take_reply() == 0xFF && P()[0] == 2);
    /* a 10-byte LOAD_BEGIN is malformed */
    uint8_t ten[10] = {0};
    send_request(0x02, seq++, ten, 10);
    CHECK(take_reply() == 0xFF && P()[0] == 2);
    /* reloading slot 0 empties the slots after it */
    CHECK(upload(0, m, 20) == 0x84 && fw.device.n_loaded == 1);
    CHECK(upload(1, m, 20) == 0x84 && fw.device.models[1].offset == 32);
}

/* Loads segment_0, exit_0, segment_1, exit_1, final; the exits get `confidence` and `scale` as bytes 9 and 10. */
static void load_chain(uint8_t confidence, uint8_t scale) {
    init_fw(1024);
    uint8_t m[16];
    const uint8_t order[] = {'S', 'E', 'S', 'E', 'F'};
    for (uint8_t s = 0; s < 5; s++) {
        piece_model(m, sizeof m, order[s], order[s] == 'E' ? confidence : 0, order[s] == 'E' ? scale : 0);
        CHECK(upload(s, m, sizeof m) == 0x84);
    }
}

static void test_alloc_split(void) {
    load_chain(0, 0);
    send_request(0x05, seq++, NULL, 0);
    CHECK(take_reply() == 0x85);
    const uint8_t *p = P();
    CHECK(cnas_get_u32(p) == 5 * 64 && cnas_get_u32(p + 4) == 5 * 48 && cnas_get_u32(p + 8) == 5 * 16);
    CHECK(p[12] == 1 && p[13] == 1 && p[14] == CNAS_TFLITE_INT8 && cnas_get_u32(p + 15) == 4);
    CHECK(p[24] == 5 && reply_payload == 25 + 5 * 4);
    for (int s = 0; s < 5; s++) CHECK(cnas_get_u32(p + 25 + 4 * s) == 64);
    /* 64 bytes failed, 64 + 64 allocated: each slot takes 128, the last one the rest */
    for (int s = 0; s < 4; s++) CHECK(fw.device.models[s].arena_offset == 128u * (uint32_t)s && fw.device.models[s].arena_bytes == 128);
    CHECK(fw.device.models[4].arena_bytes == CNAS_ARENA_BYTES - 512);
}

static void set_input(int8_t a, int8_t b) {
    uint8_t p[9] = {0, 0, 0, 0, 0, (uint8_t)a, (uint8_t)b, 0, 0};
    send_request(0x06, seq++, p, 9);
    CHECK(take_reply() == 0x86);
}

/* EE_INFER with E = 3; returns the reply type. */
static uint8_t ee_infer(uint8_t rule, float t0, float t1) {
    uint8_t p[10] = {3, rule};
    uint32_t bits;
    memcpy(&bits, &t0, 4);
    cnas_put_u32(p + 2, bits);
    memcpy(&bits, &t1, 4);
    cnas_put_u32(p + 6, bits);
    n_invoked = 0;
    send_request(0x0B, seq++, p, sizeof p);
    return take_reply();
}

static float f32_at(const uint8_t *p) {
    uint32_t bits = cnas_get_u32(p);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static float margin_of(float x) { return (float)((exp(x) - 1.0) / (exp(x) + 2.0)); }

/* The response's fixed head, then per piece cycles and per head scores; returns where top-1 starts. */
static size_t check_head(uint8_t exit, uint8_t pieces) {
    const uint8_t *p = P();
    CHECK(p[0] == exit && p[1] == pieces);
    CHECK(cnas_get_u32(p + 2) == 80000000u && p[6] == CNAS_TIMER_CYCLE_COUNTER && p[7] == 0);
    uint32_t sum = 0;
    for (int i = 0; i < pieces; i++) {
        CHECK(cnas_get_u32(p + 12 + 4 * i) == 1000u); /* the fake counter advances 1000 per reading */
        sum += cnas_get_u32(p + 12 + 4 * i);
    }
    CHECK(cnas_get_u32(p + 8) == sum);
    CHECK(n_invoked == pieces);
    for (size_t i = 0; i < n_invoked; i++) CHECK(invoked[i] == i);
    return 12u + 4u * pieces + 4u * (exit + 1u);
}

static void test_ee_infer(void) {
    load_chain(0, 0);
    CHECK(ee_infer(1, 0.5f, 0.5f) == 0xFF && P()[0] == 7); /* not allocated */
    send_request(0x05, seq++, NULL, 0);
    CHECK(take_reply() == 0x85);

    /* segment_0 gives 4: margin 0.947 leaves at exit 0 */
    set_input(3, 0);
    CHECK(ee_infer(1, 0.9f, 0.9f) == 0x8B);
    size_t at = check_head(0, 2);
    CHECK(fabsf(f32_at(P() + 12 + 8) - margin_of(4.0f)) < 1e-5f);
    CHECK(cnas_get_u16(P() + at) == 0 && P()[at + 2] == CNAS_TFLITE_INT8 && cnas_get_u16(P() + at + 3) == 3);
    CHECK(P()[at + 5] == 4 && P()[at + 6] == 0 && reply_payload == at + 5 + 3);

    /* 1 then 2: margins 0.364 and 0.680 */
    set_input(0, 0);
    CHECK(ee_infer(1, 0.9f, 0.5f) == 0x8B);
    check_head(1, 4);
    CHECK(fabsf(f32_at(P() + 12 + 16) - margin_of(1.0f)) < 1e-5f && fabsf(f32_at(P() + 12 + 20) - margin_of(2.0f)) < 1e-5f);
    CHECK(ee_infer(1, 0.9f, 0.9f) == 0x8B);
    at = check_head(2, 5);
    CHECK(cnas_get_u16(P() + at) == 1 && P()[at + 5 + 1] == 2); /* the final piece saw segment_1's output, 2 */

    /* max softmax of [4, 0, 0] is 0.9647 */
    set_input(3, 0);
    CHECK(ee_infer(0, 0.97f, 0.5f) == 0x8B);
    check_head(1, 4);
    CHECK(fabsf(f32_at(P() + 12 + 16) - (float)(exp(4.0) / (exp(4.0) + 2.0))) < 1e-5f);

    /* malformed requests */
    uint8_t p[10] = {2, 1, 0, 0, 0, 0};
    send_request(0x0B, seq++, p, 6);
    CHECK(take_reply() == 0xFF && P()[0] == 2 && cnas_get_u32(P() + 1) == 5); /* 5 slots are not 2 exits */
    CHECK(ee_infer(3, 0.5f, 0.5f) == 0xFF && P()[0] == 2);
    send_request(0x0B, seq++, p, 5);
    CHECK(take_reply() == 0xFF && P()[0] == 2);
}

static void test_cumulative_and_requantised(void) {
    /* exits with a confidence logit, fed through a requantising hand-off (0.5 -> 0.25 doubles the int8 value) */
    load_chain(1, 'q');
    send_request(0x05, seq++, NULL, 0);
    CHECK(take_reply() == 0x85);
    set_input(0, -2);
    /* exit 0 sees [2, 0, 0] and confidence logit -2: b0 = 0.119; exit 1 sees confidence 0: c1 = b0 + 0.5 (1 - b0) */
    double b0 = 1.0 / (1.0 + exp(2.0));
    double c1 = b0 + 0.5 * (1.0 - b0);
    CHECK(ee_infer(2, 0.2f, (float)c1 - 0.01f) == 0x8B);
    size_t at = check_head(1, 4);
    CHECK(fabsf(f32_at(P() + 12 + 16) - (float)b0) < 1e-5f && fabsf(f32_at(P() + 12 + 20) - (float)c1) < 1e-5f);
    CHECK(cnas_get_u16(P() + at + 3) == 4 && P()[at + 5] == 4 && P()[at + 5 + 3] == 0); /* (1+1) * 2, conf (-2+2)*2 */
    CHECK(ee_infer(2, 0.2f, (float)c1 + 0.01f) == 0x8B);
    check_head(2, 5);
    CHECK(fabsf(f32_at(P() + 12 + 28) - 1.0f) < 1e-6f); /* the final exit's b is 1 */
}

static void test_rules(void) {
    float worst = 0.0f;
    for (float x = -86.0f; x <= 88.0f; x += 0.0137f) {
        float rel = fabsf(cnas_expf(x) - (float)exp(x)) / (float)exp(x);
        if (rel > worst) worst = rel;
    }
    CHECK(worst < 1e-6f);
    CHECK(cnas_expf(-100.0f) == 0.0f);

    float logits[4] = {1.0f, 3.0f, 2.0f, 0.5f};
    cnas_tensor_info t = {CNAS_TFLITE_FLOAT32, sizeof logits, 0.0f, 0};
    cnas_ee_logits l;
    cnas_ee_read_logits(&t, (const uint8_t *)logits, 3, &l);
    double sum = exp(-2.0) + 1.0 + exp(-1.0);
    CHECK(l.top1 == 1 && fabsf(l.p1 - (float)(1.0 / sum)) < 1e-6f && fabsf(l.p2 - (float)(exp(-1.0) / sum)) < 1e-6f);
    CHECK(fabsf(l.confidence - (float)(1.0 / (1.0 + exp(-0.5)))) < 1e-6f);
    cnas_ee_state st;
    cnas_ee_state_init(&st);
    CHECK(cnas_ee_score(CNAS_EE_MAX_SOFTMAX, &l, &st) == l.p1);
    CHECK(cnas_ee_score(CNAS_EE_SCORE_MARGIN, &l, &st) == l.p1 - l.p2);
    float c0 = cnas_ee_score(CNAS_EE_CUMULATIVE, &l, &st);
    float c1 = cnas_ee_score(CNAS_EE_CUMULATIVE, &l, &st);
    CHECK(fabsf(c0 - l.confidence) < 1e-7f && fabsf(c1 - (l.confidence + l.confidence * (1.0f - l.confidence))) < 1e-6f);
    /* int8 logits dequantise before the softmax; no confidence column means b = 1 */
    const uint8_t q[3] = {(uint8_t)(int8_t)-3, 7, (uint8_t)(int8_t)-3};
    cnas_tensor_info ti = {CNAS_TFLITE_INT8, 3, 0.25f, -3};
    cnas_ee_read_logits(&ti, q, 3, &l);
    CHECK(l.top1 == 1 && fabsf(l.p1 - (float)(exp(2.5) / (exp(2.5) + 2.0))) < 1e-6f && l.confidence == 1.0f);
}

/* ---- a hand-built TFLite flatbuffer ----
 * Written forwards: every table's vtable right before it, every referenced object after, so uoffsets are
 * positive as the format requires. Every field slot is 4 bytes wide. */

static uint8_t fb[512];
static uint32_t fb_n;

static uint32_t emit32(uint32_t v) {
    fb_n = (fb_n + 3u) & ~3u;
    cnas_put_u32(fb + fb_n, v);
    fb_n += 4;
    return fb_n - 4;
}

static void link_to(uint32_t at, uint32_t target) { cnas_put_u32(fb + at, target - at); }

/* A table whose fields i with mask bit i set are present; field i is at the returned position + 4 + 4i. */
static uint32_t emit_table(uint32_t fields, uint32_t mask) {
    fb_n = (fb_n + 3u) & ~3u;
    uint32_t vtable = fb_n;
    cnas_put_u16(fb + fb_n, (uint16_t)(4u + 2u * fields));
    cnas_put_u16(fb + fb_n + 2, (uint16_t)(4u + 4u * fields));
    fb_n += 4;
    for (uint32_t i = 0; i < fields; i++, fb_n += 2) cnas_put_u16(fb + fb_n, (mask >> i) & 1u ? (uint16_t)(4u + 4u * i) : 0u);
    uint32_t table = emit32(0);
    cnas_put_u32(fb + table, table - vtable);
    for (uint32_t i = 0; i < fields; i++) emit32(0);
    return table;
}

static uint32_t field_at(uint32_t table, uint32_t i) { return table + 4u + 4u * i; }

static uint32_t emit_vector(const uint32_t *words, uint32_t n) {
    uint32_t v = emit32(n);
    for (uint32_t i = 0; i < n; i++) emit32(words[i]);
    return v;
}

/* Tensor 0: int8 [1, 4, 4, 3], scale 0.5, zero point -3; tensor 1: float32 [1, 10]. Input 0, output 1. */
static uint32_t build_model(void) {
    memset(fb, 0, sizeof fb);
    fb_n = 8;
    memcpy(fb + 4, "TFL3", 4);
    uint32_t model = emit_table(3, 0x5);
    link_to(0, model);
    cnas_put_u32(fb + field_at(model, 0), 3);
    uint32_t one = 0;
    uint32_t graphs = emit_vector(&one, 1);
    link_to(field_at(model, 2), graphs);
    uint32_t graph = emit_table(3, 0x7);
    link_to(graphs + 4, graph);
    uint32_t tensors = emit_vector((const uint32_t[]){0, 0}, 2);
    link_to(field_at(graph, 0), tensors);
    uint32_t zero = 0, first = 1;
    link_to(field_at(graph, 1), emit_vector(&zero, 1));
    link_to(field_at(graph, 2), emit_vector(&first, 1));
    uint32_t t0 = emit_table(5, 0x13);
    link_to(tensors + 4, t0);
    link_to(field_at(t0, 0), emit_vector((const uint32_t[]){1, 4, 4, 3}, 4));
    cnas_put_u32(fb + field_at(t0, 1), CNAS_TFLITE_INT8);
    uint32_t quant = emit_table(4, 0xC);
    link_to(field_at(t0, 4), quant);
    float half = 0.5f;
    uint32_t bits;
    memcpy(&bits, &half, 4);
    link_to(field_at(quant, 2), emit_vector(&bits, 1));
    /* one int64 zero point, -3 */
    uint32_t zero_points = emit32(1);
    emit32((uint32_t)-3);
    emit32(0xFFFFFFFFu);
    link_to(field_at(quant, 3), zero_points);
    uint32_t t1 = emit_table(5, 0x3);
    link_to(tensors + 8, t1);
    link_to(field_at(t1, 0), emit_vector((const uint32_t[]){1, 10}, 2));
    cnas_put_u32(fb + field_at(t1, 1), CNAS_TFLITE_FLOAT32);
    return fb_n;
}

static void test_tflite_io(void) {
    uint32_t n = build_model();
    tflite_io io;
    CHECK(tflite_io_read(fb, n, &io));
    CHECK(io.n_inputs == 1 && io.n_outputs == 1);
    CHECK(io.inputs[0].type == CNAS_TFLITE_INT8 && io.inputs[0].bytes == 48);
    CHECK(io.inputs[0].scale == 0.5f && io.inputs[0].zero_point == -3);
    CHECK(io.outputs[0].type == CNAS_TFLITE_FLOAT32 && io.outputs[0].bytes == 40 && io.outputs[0].scale == 0.0f);
    /* every truncation is refused, never read past */
    int accepted = 0;
    for (uint32_t len = 0; len < n; len++) accepted += tflite_io_read(fb, len, &io);
    CHECK(accepted == 0);
    /* a corrupted byte anywhere either reads or is refused; it never reads out of bounds (run under a sanitizer) */
    for (uint32_t i = 8; i < n; i++) {
        uint8_t saved = fb[i];
        fb[i] = 0xFF;
        (void)tflite_io_read(fb, n, &io);
        fb[i] = saved;
    }
    /* a schema version other than 3 */
    cnas_put_u32(fb + field_at(cnas_get_u32(fb), 0), 2);
    CHECK(!tflite_io_read(fb, n, &io));

    /* the stand-in reports the model's tensors, and its configured ones for bytes it cannot read */
    n = build_model();
    static standin s;
    s.input_bytes = 7;
    s.output_bytes = 5;
    cnas_backend b = standin_backend(&s);
    static uint8_t arena[8192];
    cnas_alloc_info info;
    CHECK(b.allocate(b.ctx, 2, fb, n, arena, sizeof arena, &info) == NULL);
    CHECK(info.inputs[0].bytes == 48 && info.outputs[0].bytes == 40 && info.outputs[0].type == CNAS_TFLITE_FLOAT32);
    CHECK(info.arena_used == ((2048u + n / 4u + 88u + 15u) & ~15u));
    CHECK(b.input(b.ctx, 2, 0) == arena && b.output(b.ctx, 2, 0) == arena + 48);
    uint8_t junk[64] = {0x1C, 0, 0, 0, 'T', 'F', 'L', '3', 0xEE};
    CHECK(b.allocate(b.ctx, 0, junk, sizeof junk, arena, sizeof arena, &info) == NULL);
    CHECK(info.inputs[0].bytes == 7 && info.outputs[0].bytes == 5 && info.outputs[0].zero_point == -128);
}

int main(void) {
    test_slot_placement();
    test_alloc_split();
    test_ee_infer();
    test_cumulative_and_requantised();
    test_rules();
    test_tflite_io();
    if (failures != 0) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    printf("early-exit tests passed\n");
    return 0;
}
