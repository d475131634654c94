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

typedef struct {
    const cnas_backend *backend;
    uint8_t *slot;
    uint32_t slot_bytes;
    uint8_t *arena;
    uint32_t arena_bytes;
    /* The upload the slot holds bytes of: valid while `upload_known`, complete when next == total. */
    bool upload_known;
    uint32_t upload_total;
    uint32_t upload_crc;
    uint32_t upload_next;
    uint32_t upload_running_crc;
    bool loaded;
    bool allocated;
    cnas_alloc_info alloc;
    uint32_t input_written[CNAS_MAX_IO];
} cnas_device;

void cnas_dev_init(cnas_device *d, const cnas_backend *backend, uint8_t *slot, uint32_t slot_bytes,
                   uint8_t *arena, uint32_t arena_bytes);
cnas_status cnas_dev_load_begin(cnas_device *d, uint32_t total, uint32_t crc, uint32_t *next);
cnas_status cnas_dev_load_chunk(cnas_device *d, uint32_t offset, const uint8_t *data, uint32_t len, uint32_t *next);
cnas_status cnas_dev_load_end(cnas_device *d, uint32_t *bytes, uint32_t *crc);
cnas_status cnas_dev_alloc(cnas_device *d);
cnas_status cnas_dev_set_input(cnas_device *d, uint8_t index, uint32_t offset, const uint8_t *data, uint32_t len,
                               uint32_t *written);
cnas_status cnas_dev_output(const cnas_device *d, uint8_t index, const uint8_t **data, uint32_t *bytes);
cnas_status cnas_dev_invoke(cnas_device *d, uint32_t run);

#endif
