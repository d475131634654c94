/* Early-exit inference over the loaded slots (PROTOCOL.md, EE_INFER). By convention slots 2k and 2k+1 hold
 * segment_k and exit_k, the last slot the final piece: segment_k's output feeds exit_k and the next backbone
 * piece (slot 2k+2), and the sample stops at the first exit whose score reaches its threshold. */
#ifndef CNAS_EE_CHAIN_H
#define CNAS_EE_CHAIN_H

#include <stdint.h>

#include "cnas_platform.h"
#include "device.h"

#define CNAS_EE_MAX_EXITS ((CNAS_MAX_SLOTS + 1u) / 2u)
#define CNAS_EE_MAX_PIECES (2u * CNAS_EE_MAX_EXITS - 1u)

typedef struct {
    uint8_t exits; /* E, the final exit included */
    uint8_t rule;  /* CNAS_EE_* */
    float thresholds[CNAS_EE_MAX_EXITS - 1u]; /* one per early exit */
} cnas_ee_request;

typedef struct {
    uint8_t exit;   /* the exit taken: 0..E-1 */
    uint8_t pieces; /* pieces run: 2 * exit + 2 for an early exit (its segments and heads), 2E - 1 for the final */
    uint32_t total_cycles; /* the sum of the pieces' */
    uint32_t cycles[CNAS_EE_MAX_PIECES];
    float scores[CNAS_EE_MAX_EXITS]; /* the score of every exit head run */
    uint16_t top1;
    const cnas_tensor_info *logits_info; /* output 0 of the exit taken */
    const uint8_t *logits;
} cnas_ee_result;

/* Whether the loaded, allocated slots form the chain the request describes; checked before anything runs. */
cnas_status cnas_ee_check(const cnas_device *d, const cnas_ee_request *req);

/* Runs one sample from what SET_INPUT wrote to slot 0. Piece i's cycles run from the end of piece i-1 to the end
 * of its own hand-off (backbone: copying its output on) or rule evaluation (exit), so they add up to the total. */
cnas_status cnas_ee_run(cnas_device *d, const cnas_platform *pf, const cnas_ee_request *req, cnas_ee_result *res);

#endif
