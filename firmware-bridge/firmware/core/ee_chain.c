#include "ee_chain.h"

#include <string.h>

#include "ee_rule.h"
#include "tensor.h"

static cnas_status ok(void) {
    cnas_status s = {CNAS_OK, 0, NULL};
    return s;
}

static cnas_status bad(uint32_t detail, const char *msg) {
    cnas_status s = {CNAS_ERR_BAD_PAYLOAD, detail, msg};
    return s;
}

static const cnas_tensor_info *output_of(const cnas_device *d, uint8_t slot) { return &d->models[slot].alloc.outputs[0]; }
static const cnas_tensor_info *input_of(const cnas_device *d, uint8_t slot) { return &d->models[slot].alloc.inputs[0]; }

static bool same_quantisation(const cnas_tensor_info *a, const cnas_tensor_info *b) {
    return a->scale == b->scale && a->zero_point == b->zero_point;
}

/* A backbone piece's output can feed a piece's input: the same bytes, and the same quantisation unless both are
 * int8 (then it is requantised on the way). */
static bool chains(const cnas_tensor_info *from, const cnas_tensor_info *to) {
    if (from->type != to->type || from->bytes != to->bytes) return false;
    return same_quantisation(from, to) || from->type == CNAS_TFLITE_INT8;
}

static uint32_t elements(const cnas_tensor_info *t) { return t->bytes / cnas_tensor_element_bytes(t->type); }

/* The final exit has exactly the class logits. */
static uint32_t classes_of(const cnas_device *d) { return elements(output_of(d, (uint8_t)(d->n_loaded - 1u))); }

cnas_status cnas_ee_check(const cnas_device *d, const cnas_ee_request *req) {
    if (!d->allocated) {
        cnas_status s = {CNAS_ERR_NOT_ALLOCATED, 0, "not allocated"};
        return s;
    }
    if (req->exits < 2 || req->exits > CNAS_EE_MAX_EXITS) return bad(CNAS_EE_MAX_EXITS, "exits must be 2..max");
    if (req->rule >= CNAS_EE_RULES) return bad(req->rule, "unknown exit rule");
    if (d->n_loaded != 2u * req->exits - 1u) return bad(d->n_loaded, "loaded slots are not 2 * exits - 1");
    for (uint8_t s = 0; s < d->n_loaded; s++) {
        if (d->models[s].alloc.n_inputs == 0 || d->models[s].alloc.n_outputs == 0) return bad(s, "slot without input or output");
    }
    uint32_t classes = classes_of(d);
    if (classes == 0 || classes > 0xFFFFu) return bad(classes, "final output is not class logits");
    for (uint8_t k = 0; k + 1u < req->exits; k++) {
        uint8_t seg = (uint8_t)(2u * k);
        if (!chains(output_of(d, seg), input_of(d, (uint8_t)(seg + 1u))) ||
            !chains(output_of(d, seg), input_of(d, (uint8_t)(seg + 2u)))) {
            return bad(seg, "pieces do not chain: output and inputs differ in type or size");
        }
        if (elements(output_of(d, (uint8_t)(seg + 1u))) < classes) return bad(seg + 1u, "exit has fewer outputs than classes");
    }
    return ok();
}

static int8_t requantise(int8_t q, const cnas_tensor_info *from, const cnas_tensor_info *to) {
    float v = ((float)q - (float)from->zero_point) * from->scale / to->scale + (float)to->zero_point;
    int32_t r = (int32_t)(v + (v >= 0.0f ? 0.5f : -0.5f));
    return (int8_t)(r < -128 ? -128 : r > 127 ? 127 : r);
}

static void hand_off(cnas_device *d, uint8_t from, uint8_t to) {
    const cnas_backend *b = d->backend;
    const cnas_tensor_info *out = output_of(d, from);
    const cnas_tensor_info *in = input_of(d, to);
    const uint8_t *src = b->output(b->ctx, from, 0);
    uint8_t *dst = b->input(b->ctx, to, 0);
    if (same_quantisation(out, in)) {
        memcpy(dst, src, in->bytes);
        return;
    }
    for (uint32_t i = 0; i < in->bytes; i++) dst[i] = (uint8_t)requantise((int8_t)src[i], out, in);
}

typedef struct {
    const cnas_platform *pf;
    cnas_ee_result *res;
    uint32_t last;
} stopwatch;

static void lap(stopwatch *w) {
    uint32_t now = w->pf->cycles(w->pf->ctx);
    w->res->cycles[w->res->pieces++] = now - w->last;
    w->res->total_cycles += now - w->last;
    w->last = now;
}

/* Scores exit k's head (in `slot`); true when the sample leaves there. */
static bool decide(cnas_device *d, const cnas_ee_request *req, uint8_t k, uint8_t slot, cnas_ee_state *st,
                   cnas_ee_result *res) {
    const cnas_backend *b = d->backend;
    cnas_ee_logits l;
    cnas_ee_read_logits(output_of(d, slot), b->output(b->ctx, slot, 0), classes_of(d), &l);
    res->scores[k] = cnas_ee_score(req->rule, &l, st);
    res->top1 = l.top1;
    res->exit = k;
    res->logits_info = output_of(d, slot);
    res->logits = b->output(b->ctx, slot, 0);
    return k + 1u == req->exits || res->scores[k] >= req->thresholds[k];
}

cnas_status cnas_ee_run(cnas_device *d, const cnas_platform *pf, const cnas_ee_request *req, cnas_ee_result *res) {
    cnas_status s = cnas_ee_check(d, req);
    if (s.code != CNAS_OK) return s;
    memset(res, 0, sizeof *res);
    cnas_ee_state st;
    cnas_ee_state_init(&st);
    stopwatch w = {pf, res, pf->cycles(pf->ctx)};
    for (uint8_t k = 0; k < req->exits; k++) {
        uint8_t seg = (uint8_t)(2u * k);
        s = cnas_dev_invoke(d, seg, res->pieces);
        if (s.code != CNAS_OK) return s;
        bool final = k + 1u == req->exits;
        if (final) {
            decide(d, req, k, seg, &st, res);
            lap(&w);
            return ok();
        }
        hand_off(d, seg, (uint8_t)(seg + 1u));
        hand_off(d, seg, (uint8_t)(seg + 2u));
        lap(&w);
        s = cnas_dev_invoke(d, (uint8_t)(seg + 1u), res->pieces);
        if (s.code != CNAS_OK) return s;
        bool leave = decide(d, req, k, (uint8_t)(seg + 1u), &st, res);
        lap(&w);
        if (leave) return ok();
    }
    return ok();
}
