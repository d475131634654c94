/* The model slot and its life cycle (upload with resume, allocation, inputs, invocation), shared by the
 * binary commands and the MLPerf text commands. */
#ifndef CNAS_DEVICE_H
#define CNAS_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "cnas_backend.h"

/* ERROR codes of PROTOCOL.md. */
enum {
    CNAS_OK = 0,
    CNAS_ERR_UNKNOWN_COMMAND = 1,
    CNAS_ERR_BAD_PAYLOAD = 2,
    CNAS_ERR_MODEL_TOO_LARGE = 3,
    CNAS_ERR_BAD_MODEL_CRC = 4,
    CNAS_ERR_NO_MODEL = 5,
    CNAS_ERR_ALLOC_FAILED = 6,
    CNAS_ERR_NOT_ALLOCATED = 7,
    CNAS_ERR_INVOKE_FAILED = 8,
    CNAS_ERR_BAD_OFFSET = 9,
    CNAS_ERR_UNSUPPORTED_BAUD = 10,
};

typedef struct {
    uint8_t code; /* CNAS_OK or an ERROR code */
    uint32_t detail;
    const char *msg;
} cnas_status;

/* One model of the slot region. Slot s starts where slot s-1 ends, rounded up to 16 bytes. */
typedef struct {
    uint32_t offset;       /* into the slot region */
    uint32_t bytes;        /* valid while the slot is loaded */
    uint32_t crc;
    uint32_t arena_offset; /* its part of the arena, valid while allocated */
    uint32_t arena_bytes;
    cnas_alloc_info alloc;
} cnas_model_slot;

typedef struct {
    const cnas_backend *backend;
    uint8_t *slot;         /* the slot region, every model slot inside it */
    uint32_t slot_bytes;
    uint8_t *arena;
    uint32_t arena_bytes;
    /* The upload the region holds bytes of: valid while `upload_known`, complete when next == total. */
    bool upload_known;
    uint8_t upload_slot;
    uint32_t upload_offset;
    uint32_t upload_total;
    uint32_t upload_crc;
    uint32_t upload_next;
    uint32_t upload_running_crc;
    /* Slots 0..n_loaded-1 hold complete models; loading slot s empties every slot from s on. */
    uint8_t n_loaded;
    bool allocated;       /* every loaded slot is */
    cnas_alloc_info alloc; /* the totals ALLOC reports, with slot 0's tensors */
    cnas_model_slot models[CNAS_MAX_SLOTS];
    uint32_t input_written[CNAS_MAX_IO];
} cnas_device;

void cnas_dev_init(cnas_device *d, const cnas_backend *backend, uint8_t *slot, uint32_t slot_bytes,
                   uint8_t *arena, uint32_t arena_bytes);
/* Where slot s would start: right after slot s-1, 16-byte aligned. Only meaningful when slots 0..s-1 are loaded. */
uint32_t cnas_dev_slot_offset(const cnas_device *d, uint8_t slot);
cnas_status cnas_dev_load_begin(cnas_device *d, uint8_t slot, uint32_t total, uint32_t crc, uint32_t *next);
cnas_status cnas_dev_load_chunk(cnas_device *d, uint32_t offset, const uint8_t *data, uint32_t len, uint32_t *next);
cnas_status cnas_dev_load_end(cnas_device *d, uint32_t *bytes, uint32_t *crc);
/* Allocates every loaded slot, each in its own part of the arena (see device.c). */
cnas_status cnas_dev_alloc(cnas_device *d);
/* SET_INPUT, GET_OUTPUT, BENCH and the text mode work on slot 0. */
cnas_status cnas_dev_set_input(cnas_device *d, uint8_t index, uint32_t offset, const uint8_t *data, uint32_t len,
                               uint32_t *written);
cnas_status cnas_dev_output(const cnas_device *d, uint8_t index, const uint8_t **data, uint32_t *bytes);
cnas_status cnas_dev_invoke(cnas_device *d, uint8_t slot, uint32_t run);

#endif
