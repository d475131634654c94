#include <string.h>

#include "ee_chain.h"
#include "internal.h"
#include "le.h"

enum {
    REQ_HELLO = 0x01,
    REQ_LOAD_BEGIN = 0x02,
    REQ_LOAD_CHUNK = 0x03,
    REQ_LOAD_END = 0x04,
    REQ_ALLOC = 0x05,
    REQ_SET_INPUT = 0x06,
    REQ_BENCH = 0x07,
    REQ_GET_OUTPUT = 0x08,
    REQ_RESET = 0x09,
    REQ_SET_BAUD = 0x0A,
    REQ_EE_INFER = 0x0B,
    RESP_NAK = 0xFE,
    RESP_ERROR = 0xFF,
};

/* BENCH response before the cycle counts: W, N, clock, timer, real. */
#define BENCH_HEAD 10u

/* HELLO flags */
#define HELLO_REAL_BACKEND 1u
#define HELLO_CYCLE_COUNTER 2u
#define HELLO_TEXT_MODE 4u
#define HELLO_EARLY_EXIT 8u

/* What to do once the response is on the wire. */
typedef enum { AFTER_NOTHING, AFTER_SWITCH_BAUD, AFTER_REBOOT } after_send;

typedef struct {
    cnas_fw *fw;
    const uint8_t *p; /* request payload */
    size_t n;
    uint8_t type;     /* response type: the request's | 0x80, or ERROR */
    cnas_writer w;    /* response payload */
    after_send after;
    uint32_t new_baud;
} exchange;

static void reply_status(exchange *x, cnas_status s) {
    x->type = RESP_ERROR;
    x->w.len = 0;
    cnas_w_u8(&x->w, s.code);
    cnas_w_u32(&x->w, s.detail);
    cnas_w_bytes(&x->w, s.msg, strlen(s.msg));
}

static void reply_error(exchange *x, uint8_t code, uint32_t detail, const char *msg) {
    cnas_status s = {code, detail, msg};
    reply_status(x, s);
}

/* Every request has a fixed length or a fixed head followed by data. */
static bool length_ok(exchange *x, size_t want, bool exact) {
    if (exact ? x->n == want : x->n >= want) return true;
    reply_error(x, CNAS_ERR_BAD_PAYLOAD, (uint32_t)want, "bad payload length");
    return false;
}

static void do_hello(exchange *x) {
    if (!length_ok(x, 1, true)) return;
    const cnas_platform *pf = x->fw->platform;
    const cnas_backend *be = x->fw->device.backend;
    uint8_t flags = (uint8_t)((be->is_real ? HELLO_REAL_BACKEND : 0u) |
                              (pf->timer_kind == CNAS_TIMER_CYCLE_COUNTER ? HELLO_CYCLE_COUNTER : 0u) |
                              HELLO_TEXT_MODE | HELLO_EARLY_EXIT);
    cnas_w_u8(&x->w, CNAS_PROTOCOL_VERSION);
    cnas_w_u8(&x->w, flags);
    cnas_w_u32(&x->w, pf->clock_hz);
    cnas_w_u32(&x->w, x->fw->limits.slot_bytes);
    cnas_w_u32(&x->w, x->fw->limits.arena_bytes);
    cnas_w_u16(&x->w, x->fw->limits.max_payload);
    cnas_w_str(&x->w, pf->board_id);
    cnas_w_str(&x->w, CNAS_FIRMWARE_VERSION);
    cnas_w_str(&x->w, be->tflm_version);
    cnas_w_str(&x->w, be->description);
    cnas_w_u8(&x->w, CNAS_MAX_SLOTS);
}

/* 8 bytes, or 9 with the slot index (early-exit networks); slot 0 when absent. */
static void do_load_begin(exchange *x) {
    if (x->n != 9 && !length_ok(x, 8, true)) return;
    uint8_t slot = x->n == 9 ? x->p[8] : 0;
    uint32_t next;
    cnas_status s = cnas_dev_load_begin(&x->fw->device, slot, cnas_get_u32(x->p), cnas_get_u32(x->p + 4), &next);
    if (s.code != CNAS_OK) {
        reply_status(x, s);
        return;
    }
    cnas_w_u32(&x->w, next);
}

static void do_load_chunk(exchange *x) {
    if (!length_ok(x, 4, false)) return;
    uint32_t next;
    cnas_status s = cnas_dev_load_chunk(&x->fw->device, cnas_get_u32(x->p), x->p + 4, (uint32_t)(x->n - 4), &next);
    if (s.code != CNAS_OK) {
        reply_status(x, s);
        return;
    }
    cnas_w_u32(&x->w, next);
}

static void do_load_end(exchange *x) {
    if (!length_ok(x, 0, true)) return;
    uint32_t bytes, crc;
    cnas_status s = cnas_dev_load_end(&x->fw->device, &bytes, &crc);
    if (s.code != CNAS_OK) {
        reply_status(x, s);
        return;
    }
    cnas_w_u32(&x->w, bytes);
    cnas_w_u32(&x->w, crc);
}

static void do_alloc(exchange *x) {
    if (!length_ok(x, 0, true)) return;
    cnas_status s = cnas_dev_alloc(&x->fw->device);
    if (s.code != CNAS_OK) {
        reply_status(x, s);
        return;
    }
    const cnas_alloc_info *a = &x->fw->device.alloc;
    cnas_w_u32(&x->w, a->arena_used);
    cnas_w_u32(&x->w, a->persistent);
    cnas_w_u32(&x->w, a->non_persistent);
    cnas_w_u8(&x->w, a->n_inputs);
    cnas_w_u8(&x->w, a->n_outputs);
    for (uint8_t i = 0; i < a->n_inputs; i++) {
        cnas_w_u8(&x->w, a->inputs[i].type);
        cnas_w_u32(&x->w, a->inputs[i].bytes);
    }
    for (uint8_t i = 0; i < a->n_outputs; i++) {
        cnas_w_u8(&x->w, a->outputs[i].type);
        cnas_w_u32(&x->w, a->outputs[i].bytes);
    }
    /* one model answers as before slots existed; several add each slot's arena */
    const cnas_device *d = &x->fw->device;
    if (d->n_loaded < 2) return;
    cnas_w_u8(&x->w, d->n_loaded);
    for (uint8_t s = 0; s < d->n_loaded; s++) cnas_w_u32(&x->w, d->models[s].alloc.arena_used);
}

static void do_set_input(exchange *x) {
    if (!length_ok(x, 5, false)) return;
    uint32_t written;
    cnas_status s = cnas_dev_set_input(&x->fw->device, x->p[0], cnas_get_u32(x->p + 1), x->p + 5,
                                       (uint32_t)(x->n - 5), &written);
    if (s.code != CNAS_OK) {
        reply_status(x, s);
        return;
    }
    cnas_w_u32(&x->w, written);
}

/* One inference; on failure the response becomes its ERROR. */
static bool invoke_ok(exchange *x, uint32_t run) {
    cnas_status s = cnas_dev_invoke(&x->fw->device, 0, run);
    if (s.code == CNAS_OK) return true;
    reply_status(x, s);
    return false;
}

static void do_bench(exchange *x) {
    if (!length_ok(x, 4, true)) return;
    if (!x->fw->device.allocated) {
        reply_error(x, CNAS_ERR_NOT_ALLOCATED, 0, "not allocated");
        return;
    }
    const cnas_platform *pf = x->fw->platform;
    uint16_t warmups = cnas_get_u16(x->p);
    uint16_t runs = cnas_get_u16(x->p + 2);
    /* lowered before running, so every run that is timed is also reported */
    uint32_t fit = (x->fw->limits.max_payload - BENCH_HEAD) / 4u;
    if (runs > fit) runs = (uint16_t)fit;
    for (uint32_t i = 0; i < warmups; i++) {
        if (!invoke_ok(x, i)) return;
    }
    cnas_w_u16(&x->w, warmups);
    cnas_w_u16(&x->w, runs);
    cnas_w_u32(&x->w, pf->clock_hz);
    cnas_w_u8(&x->w, pf->timer_kind);
    cnas_w_u8(&x->w, x->fw->device.backend->is_real ? 1u : 0u);
    for (uint32_t i = 0; i < runs; i++) {
        uint32_t start = pf->cycles(pf->ctx);
        bool ok = invoke_ok(x, warmups + i);
        uint32_t stop = pf->cycles(pf->ctx);
        if (!ok) return;
        cnas_w_u32(&x->w, stop - start);
    }
}

static void w_f32(cnas_writer *w, float v) {
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    cnas_w_u32(w, bits);
}

/* u8 E, u8 rule, then E-1 float32 thresholds. */
static void do_ee_infer(exchange *x) {
    if (!length_ok(x, 2, false)) return;
    cnas_ee_request req;
    req.exits = x->p[0];
    req.rule = x->p[1];
    if (req.exits < 2 || req.exits > CNAS_EE_MAX_EXITS) {
        reply_error(x, CNAS_ERR_BAD_PAYLOAD, CNAS_EE_MAX_EXITS, "exits must be 2..max");
        return;
    }
    if (!length_ok(x, 2u + 4u * (req.exits - 1u), true)) return;
    for (uint8_t k = 0; k + 1u < req.exits; k++) {
        uint32_t bits = cnas_get_u32(x->p + 2 + 4u * k);
        memcpy(&req.thresholds[k], &bits, sizeof bits);
    }
    cnas_ee_result r;
    const cnas_platform *pf = x->fw->platform;
    cnas_status s = cnas_ee_run(&x->fw->device, pf, &req, &r);
    if (s.code != CNAS_OK) {
        reply_status(x, s);
        return;
    }
    cnas_w_u8(&x->w, r.exit);
    cnas_w_u8(&x->w, r.pieces);
    cnas_w_u32(&x->w, pf->clock_hz);
    cnas_w_u8(&x->w, pf->timer_kind);
    cnas_w_u8(&x->w, x->fw->device.backend->is_real ? 1u : 0u);
    cnas_w_u32(&x->w, r.total_cycles);
    for (uint8_t i = 0; i < r.pieces; i++) cnas_w_u32(&x->w, r.cycles[i]);
    for (uint8_t k = 0; k <= r.exit; k++) w_f32(&x->w, r.scores[k]);
    cnas_w_u16(&x->w, r.top1);
    cnas_w_u8(&x->w, r.logits_info->type);
    /* the logits when they fit the frame, else only the top-1 class above */
    size_t room = x->w.cap - x->w.len - 2u;
    uint16_t n = r.logits_info->bytes <= room ? (uint16_t)r.logits_info->bytes : 0u;
    cnas_w_u16(&x->w, n);
    cnas_w_bytes(&x->w, r.logits, n);
}

static void do_get_output(exchange *x) {
    if (!length_ok(x, 7, true)) return;
    const uint8_t *data;
    uint32_t total;
    cnas_status s = cnas_dev_output(&x->fw->device, x->p[0], &data, &total);
    if (s.code != CNAS_OK) {
        reply_status(x, s);
        return;
    }
    uint32_t offset = cnas_get_u32(x->p + 1);
    if (offset > total) {
        reply_error(x, CNAS_ERR_BAD_PAYLOAD, total, "offset past end of output");
        return;
    }
    uint32_t n = cnas_get_u16(x->p + 5);
    if (n > total - offset) n = total - offset;
    if (n > x->fw->limits.max_payload - 4u) n = x->fw->limits.max_payload - 4u;
    cnas_w_u32(&x->w, total);
    cnas_w_bytes(&x->w, data + offset, n);
}

static void do_reset(exchange *x) {
    if (!length_ok(x, 0, true)) return;
    x->after = AFTER_REBOOT;
}

static void do_set_baud(exchange *x) {
    if (!length_ok(x, 4, true)) return;
    const cnas_platform *pf = x->fw->platform;
    uint32_t baud = cnas_get_u32(x->p);
    if (!pf->baud_supported(pf->ctx, baud)) {
        reply_error(x, CNAS_ERR_UNSUPPORTED_BAUD, x->fw->baud, "unsupported baud");
        return;
    }
    cnas_w_u32(&x->w, baud);
    x->after = AFTER_SWITCH_BAUD;
    x->new_baud = baud;
}

static void execute(exchange *x, uint8_t request) {
    switch (request) {
    case REQ_HELLO: do_hello(x); break;
    case REQ_LOAD_BEGIN: do_load_begin(x); break;
    case REQ_LOAD_CHUNK: do_load_chunk(x); break;
    case REQ_LOAD_END: do_load_end(x); break;
    case REQ_ALLOC: do_alloc(x); break;
    case REQ_SET_INPUT: do_set_input(x); break;
    case REQ_BENCH: do_bench(x); break;
    case REQ_GET_OUTPUT: do_get_output(x); break;
    case REQ_RESET: do_reset(x); break;
    case REQ_SET_BAUD: do_set_baud(x); break;
    case REQ_EE_INFER: do_ee_infer(x); break;
    default: reply_error(x, CNAS_ERR_UNKNOWN_COMMAND, request, "unknown command"); break;
    }
}

/* Frames go out as 0x00 COBS(frame) 0x00. */
static size_t to_wire(const uint8_t *frame, size_t len, uint8_t *wire) {
    wire[0] = 0x00;
    size_t n = cnas_cobs_encode(frame, len, wire + 1);
    wire[n + 1] = 0x00;
    return n + 2;
}

void cnas_send_nak(cnas_fw *fw, uint8_t seq, uint8_t reason) {
    /* sent from its own small buffers: a NAK must not replace the stored response of the last request */
    uint8_t frame[CNAS_FRAME_OVERHEAD + 1];
    uint8_t wire[CNAS_COBS_MAX_ENCODED(sizeof frame) + 2];
    frame[CNAS_FRAME_HEADER] = reason;
    size_t len = cnas_frame_seal(frame, RESP_NAK, seq, 1);
    fw->platform->write(fw->platform->ctx, wire, to_wire(frame, len, wire));
}

void cnas_dispatch(cnas_fw *fw, const uint8_t *frame, size_t len) {
    const cnas_platform *pf = fw->platform;
    uint8_t type = frame[0];
    uint8_t seq = frame[1];
    if (pf->on_request != NULL) pf->on_request(pf->ctx, type);
    /* HELLO opens every session and is idempotent: never a replay, so a new host cannot get an old answer */
    if (type != REQ_HELLO && fw->has_last && type == fw->last_type && seq == fw->last_seq) {
        pf->write(pf->ctx, fw->last_wire, fw->last_wire_len);
        return;
    }
    exchange x;
    x.fw = fw;
    x.p = frame + CNAS_FRAME_HEADER;
    x.n = len - CNAS_FRAME_OVERHEAD;
    x.type = (uint8_t)(type | 0x80u);
    x.w.buf = fw->response + CNAS_FRAME_HEADER;
    x.w.cap = fw->limits.max_payload;
    x.w.len = 0;
    x.after = AFTER_NOTHING;
    x.new_baud = 0;
    execute(&x, type);
    size_t out = cnas_frame_seal(fw->response, x.type, seq, x.w.len);
    fw->last_wire_len = to_wire(fw->response, out, fw->last_wire);
    fw->has_last = true;
    fw->last_type = type;
    fw->last_seq = seq;
    pf->write(pf->ctx, fw->last_wire, fw->last_wire_len);
    if (x.after == AFTER_SWITCH_BAUD) cnas_fw_switch_baud(fw, x.new_baud);
    if (x.after == AFTER_REBOOT) {
        pf->reboot(pf->ctx);
        cnas_fw_restart(fw); /* reached only on platforms whose reboot returns */
    }
}
