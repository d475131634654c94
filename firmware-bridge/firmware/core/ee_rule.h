/* Early-exit rules (PROTOCOL.md, EE_INFER), as the host's src/nn/exits/rules.ts defines them: a sample leaves at
 * the first exit whose score reaches that exit's threshold; the final exit takes every sample left. */
#ifndef CNAS_EE_RULE_H
#define CNAS_EE_RULE_H

#include <stdint.h>

#include "cnas_backend.h"

enum {
    CNAS_EE_MAX_SOFTMAX = 0,  /* top softmax probability of the class logits */
    CNAS_EE_SCORE_MARGIN = 1, /* EDANAS: softmax top-1 minus top-2 */
    CNAS_EE_CUMULATIVE = 2,   /* NACHOS: probability of having left by this exit, from the confidence logits */
    CNAS_EE_RULES = 3,
};

/* What the rules read from one exit's output. */
typedef struct {
    uint16_t top1;    /* index of the largest class logit */
    float p1;         /* its softmax probability */
    float p2;         /* the second largest softmax probability; 0 with one class */
    float confidence; /* NACHOS's b = sigmoid(confidence logit); 1 for an output without one */
} cnas_ee_logits;

/* Reads an exit's output: its first `classes` values are class logits; a value after them is a confidence
 * logit (cbnmobilenetv3's intermediate exits). Needs 1 <= classes <= the output's elements. */
void cnas_ee_read_logits(const cnas_tensor_info *t, const uint8_t *data, uint32_t classes, cnas_ee_logits *out);

/* The cumulative rule's state across the exits of one sample. */
typedef struct {
    float left; /* probability of having left by the last exit scored */
    float stay; /* product of (1 - b) over the exits scored */
} cnas_ee_state;

void cnas_ee_state_init(cnas_ee_state *s);

/* The exit's score under `rule`, advancing the state (the cumulative rule needs every earlier exit). */
float cnas_ee_score(uint8_t rule, const cnas_ee_logits *l, cnas_ee_state *s);

#endif
