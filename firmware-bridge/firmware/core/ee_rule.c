#include "ee_rule.h"

#include "fmath.h"
#include "tensor.h"

void cnas_ee_read_logits(const cnas_tensor_info *t, const uint8_t *data, uint32_t classes, cnas_ee_logits *out) {
    /* softmax is monotonic: the top two probabilities belong to the top two logits */
    uint32_t best = 0;
    float first = cnas_tensor_value(t, data, 0);
    float second = 0.0f;
    bool has_second = false;
    for (uint32_t i = 1; i < classes; i++) {
        float v = cnas_tensor_value(t, data, i);
        if (v > first) {
            second = first;
            first = v;
            best = i;
            has_second = true;
        } else if (!has_second || v > second) {
            second = v;
            has_second = true;
        }
    }
    /* shifted by the largest logit, so no term overflows */
    float sum = 0.0f;
    for (uint32_t i = 0; i < classes; i++) sum += cnas_expf(cnas_tensor_value(t, data, i) - first);
    out->top1 = (uint16_t)best;
    out->p1 = 1.0f / sum;
    out->p2 = has_second ? cnas_expf(second - first) / sum : 0.0f;
    uint32_t elements = t->bytes / cnas_tensor_element_bytes(t->type);
    out->confidence = elements > classes ? 1.0f / (1.0f + cnas_expf(-cnas_tensor_value(t, data, classes))) : 1.0f;
}

void cnas_ee_state_init(cnas_ee_state *s) {
    s->left = 0.0f;
    s->stay = 1.0f;
}

float cnas_ee_score(uint8_t rule, const cnas_ee_logits *l, cnas_ee_state *s) {
    switch (rule) {
    case CNAS_EE_MAX_SOFTMAX: return l->p1;
    case CNAS_EE_SCORE_MARGIN: return l->p1 - l->p2;
    default:
        /* c_i = c_{i-1} + b_i prod_{j<i} (1 - b_j) */
        s->left += l->confidence * s->stay;
        s->stay *= 1.0f - l->confidence;
        return s->left;
    }
}
