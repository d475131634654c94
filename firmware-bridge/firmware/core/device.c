#include "device.h"

#include <string.h>

#include "crc32.h"

static cnas_status ok(void) {
    cnas_status s = {CNAS_OK, 0, NULL};
    return s;
}

static cnas_status fail(uint8_t code, uint32_t detail, const char *msg) {
    cnas_status s = {code, detail, msg};
    return s;
}

void cnas_dev_init(cnas_device *d, const cnas_backend *backend, uint8_t *slot, uint32_t slot_bytes,
                   uint8_t *arena, uint32_t arena_bytes) {
    memset(d, 0, sizeof *d);
    d->backend = backend;
    d->slot = slot;
    d->slot_bytes = slot_bytes;
    d->arena = arena;
    d->arena_bytes = arena_bytes;
}

cnas_status cnas_dev_load_begin(cnas_device *d, uint32_t total, uint32_t crc, uint32_t *next) {
    if (total > d->slot_bytes) return fail(CNAS_ERR_MODEL_TOO_LARGE, d->slot_bytes, "model too large");
    /* the slot is about to be written, so nothing in it may run until LOAD_END checks it again */
    d->loaded = false;
    d->allocated = false;
    d->backend->release(d->backend->ctx);
    if (!(d->upload_known && d->upload_total == total && d->upload_crc == crc)) {
        d->upload_known = true;
        d->upload_total = total;
        d->upload_crc = crc;
        d->upload_next = 0;
        d->upload_running_crc = 0;
    }
    *next = d->upload_next;
    return ok();
}

cnas_status cnas_dev_load_chunk(cnas_device *d, uint32_t offset, const uint8_t *data, uint32_t len, uint32_t *next) {
    if (!d->upload_known || d->loaded) return fail(CNAS_ERR_BAD_PAYLOAD, 0, "no upload in progress");
    if (offset != d->upload_next) return fail(CNAS_ERR_BAD_OFFSET, d->upload_next, "bad offset");
    if (len > d->upload_total - offset) return fail(CNAS_ERR_BAD_PAYLOAD, d->upload_total, "chunk past end of model");
    memcpy(d->slot + offset, data, len);
    /* CRC as the bytes arrive, so LOAD_END answers at once even for a slot of megabytes */
    d->upload_running_crc = cnas_crc32(d->upload_running_crc, data, len);
    d->upload_next += len;
    *next = d->upload_next;
    return ok();
}

cnas_status cnas_dev_load_end(cnas_device *d, uint32_t *bytes, uint32_t *crc) {
    if (!d->upload_known) return fail(CNAS_ERR_BAD_MODEL_CRC, 0, "no upload in progress");
    bool complete = d->upload_next == d->upload_total;
    bool matches = d->upload_running_crc == d->upload_crc;
    if (!complete || !matches) {
        uint32_t computed = d->upload_running_crc;
        d->upload_known = false;
        d->loaded = false;
        return fail(CNAS_ERR_BAD_MODEL_CRC, computed, complete ? "model crc mismatch" : "upload incomplete");
    }
    d->loaded = true;
    d->allocated = false;
    *bytes = d->upload_total;
    *crc = d->upload_running_crc;
    return ok();
}

cnas_status cnas_dev_alloc(cnas_device *d) {
    if (!d->loaded) return fail(CNAS_ERR_NO_MODEL, 0, "no model loaded");
    d->allocated = false;
    memset(&d->alloc, 0, sizeof d->alloc);
    const cnas_backend *b = d->backend;
    const char *cause = b->allocate(b->ctx, d->slot, d->upload_total, d->arena, d->arena_bytes, &d->alloc);
    if (cause != NULL) return fail(CNAS_ERR_ALLOC_FAILED, d->arena_bytes, cause);
    /* PROTOCOL.md: BENCH runs on zeros until SET_INPUT writes something */
    for (uint8_t i = 0; i < d->alloc.n_inputs; i++) {
        memset(b->input(b->ctx, i), 0, d->alloc.inputs[i].bytes);
        d->input_written[i] = 0;
    }
    d->allocated = true;
    return ok();
}

cnas_status cnas_dev_set_input(cnas_device *d, uint8_t index, uint32_t offset, const uint8_t *data, uint32_t len,
                               uint32_t *written) {
    if (!d->allocated) return fail(CNAS_ERR_NOT_ALLOCATED, 0, "not allocated");
    if (index >= d->alloc.n_inputs) return fail(CNAS_ERR_BAD_PAYLOAD, d->alloc.n_inputs, "no such input");
    uint32_t size = d->alloc.inputs[index].bytes;
    if (offset > size || len > size - offset) return fail(CNAS_ERR_BAD_PAYLOAD, size, "past end of input");
    memcpy(d->backend->input(d->backend->ctx, index) + offset, data, len);
    if (offset + len > d->input_written[index]) d->input_written[index] = offset + len;
    *written = d->input_written[index];
    return ok();
}

cnas_status cnas_dev_output(const cnas_device *d, uint8_t index, const uint8_t **data, uint32_t *bytes) {
    if (!d->allocated) return fail(CNAS_ERR_NOT_ALLOCATED, 0, "not allocated");
    if (index >= d->alloc.n_outputs) return fail(CNAS_ERR_BAD_PAYLOAD, d->alloc.n_outputs, "no such output");
    *data = d->backend->output(d->backend->ctx, index);
    *bytes = d->alloc.outputs[index].bytes;
    return ok();
}

cnas_status cnas_dev_invoke(cnas_device *d, uint32_t run) {
    if (!d->allocated) return fail(CNAS_ERR_NOT_ALLOCATED, 0, "not allocated");
    const char *cause = d->backend->invoke(d->backend->ctx);
    return cause == NULL ? ok() : fail(CNAS_ERR_INVOKE_FAILED, run, cause);
}
