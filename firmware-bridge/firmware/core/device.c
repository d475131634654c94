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

static uint32_t align16(uint32_t v) { return (v + 15u) & ~15u; }

uint32_t cnas_dev_slot_offset(const cnas_device *d, uint8_t slot) {
    if (slot == 0) return 0;
    const cnas_model_slot *prev = &d->models[slot - 1];
    return align16(prev->offset + prev->bytes);
}

/* Drops the interpreters of slots 0..count-1 and forgets the allocation. */
static void release_slots(cnas_device *d, uint8_t count) {
    d->allocated = false;
    for (uint8_t s = 0; s < count; s++) d->backend->release(d->backend->ctx, s);
}

cnas_status cnas_dev_load_begin(cnas_device *d, uint8_t slot, uint32_t total, uint32_t crc, uint32_t *next) {
    if (slot >= CNAS_MAX_SLOTS) return fail(CNAS_ERR_BAD_PAYLOAD, CNAS_MAX_SLOTS, "no such slot");
    if (slot > d->n_loaded) return fail(CNAS_ERR_BAD_PAYLOAD, d->n_loaded, "load the slots before this one first");
    uint32_t offset = cnas_dev_slot_offset(d, slot);
    uint32_t room = offset < d->slot_bytes ? d->slot_bytes - offset : 0;
    if (total > room) return fail(CNAS_ERR_MODEL_TOO_LARGE, room, "model too large");
    /* this slot is about to be written and the ones after it lose their place, so nothing may run until
     * LOAD_END checks it again and ALLOC lays the arena out anew */
    release_slots(d, (uint8_t)(d->n_loaded > slot ? d->n_loaded : slot + 1u));
    d->n_loaded = slot;
    bool same = d->upload_known && d->upload_slot == slot && d->upload_offset == offset && d->upload_total == total &&
                d->upload_crc == crc;
    if (!same) {
        d->upload_known = true;
        d->upload_slot = slot;
        d->upload_offset = offset;
        d->upload_total = total;
        d->upload_crc = crc;
        d->upload_next = 0;
        d->upload_running_crc = 0;
    }
    *next = d->upload_next;
    return ok();
}

cnas_status cnas_dev_load_chunk(cnas_device *d, uint32_t offset, const uint8_t *data, uint32_t len, uint32_t *next) {
    if (!d->upload_known || d->n_loaded > d->upload_slot) return fail(CNAS_ERR_BAD_PAYLOAD, 0, "no upload in progress");
    if (offset != d->upload_next) return fail(CNAS_ERR_BAD_OFFSET, d->upload_next, "bad offset");
    if (len > d->upload_total - offset) return fail(CNAS_ERR_BAD_PAYLOAD, d->upload_total, "chunk past end of model");
    memcpy(d->slot + d->upload_offset + offset, data, len);
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
        d->n_loaded = d->upload_slot;
        return fail(CNAS_ERR_BAD_MODEL_CRC, computed, complete ? "model crc mismatch" : "upload incomplete");
    }
    cnas_model_slot *m = &d->models[d->upload_slot];
    m->offset = d->upload_offset;
    m->bytes = d->upload_total;
    m->crc = d->upload_running_crc;
    d->n_loaded = (uint8_t)(d->upload_slot + 1u);
    d->allocated = false;
    *bytes = m->bytes;
    *crc = m->crc;
    return ok();
}

/* Smallest part of the arena, from 16-aligned `start`, in which slot s allocates again: its reported use, then
 * growing head room, because TFLite Micro needs temporary memory while planning beyond what it reports after.
 * Falls back to the whole room (the next slots then find none left). */
static uint32_t shrink(cnas_device *d, uint8_t s, uint32_t start, uint32_t room) {
    const cnas_backend *b = d->backend;
    cnas_model_slot *m = &d->models[s];
    for (uint32_t margin = 0; align16(m->alloc.arena_used) + margin < room; margin = margin == 0 ? 64u : margin * 4u) {
        uint32_t part = align16(m->alloc.arena_used) + margin;
        cnas_alloc_info info;
        memset(&info, 0, sizeof info);
        if (b->allocate(b->ctx, s, d->slot + m->offset, m->bytes, d->arena + start, part, &info) == NULL) {
            m->alloc = info;
            return part;
        }
    }
    b->allocate(b->ctx, s, d->slot + m->offset, m->bytes, d->arena + start, room, &m->alloc);
    return room;
}

/* Every loaded slot gets its own interpreter. Slot s takes what slot s-1 left of the arena: it allocates in all
 * of it, then again in the smallest part that suffices, so the next slot gets the rest. One slot alone keeps the
 * whole arena, as before slots existed. ALLOC reports the sums of the slots' arena figures. */
cnas_status cnas_dev_alloc(cnas_device *d) {
    if (d->n_loaded == 0) return fail(CNAS_ERR_NO_MODEL, 0, "no model loaded");
    release_slots(d, d->n_loaded);
    memset(&d->alloc, 0, sizeof d->alloc);
    const cnas_backend *b = d->backend;
    uint32_t start = 0;
    for (uint8_t s = 0; s < d->n_loaded; s++) {
        cnas_model_slot *m = &d->models[s];
        memset(&m->alloc, 0, sizeof m->alloc);
        uint32_t room = start < d->arena_bytes ? d->arena_bytes - start : 0;
        const char *cause = b->allocate(b->ctx, s, d->slot + m->offset, m->bytes, d->arena + start, room, &m->alloc);
        if (cause != NULL) {
            release_slots(d, s);
            return fail(CNAS_ERR_ALLOC_FAILED, d->arena_bytes, cause);
        }
        uint32_t part = s + 1u < d->n_loaded ? shrink(d, s, start, room) : room;
        m->arena_offset = start;
        m->arena_bytes = part;
        start += part;
        d->alloc.arena_used += m->alloc.arena_used;
        d->alloc.persistent += m->alloc.persistent;
        d->alloc.non_persistent += m->alloc.non_persistent;
    }
    const cnas_alloc_info *first = &d->models[0].alloc;
    d->alloc.n_inputs = first->n_inputs;
    d->alloc.n_outputs = first->n_outputs;
    memcpy(d->alloc.inputs, first->inputs, sizeof d->alloc.inputs);
    memcpy(d->alloc.outputs, first->outputs, sizeof d->alloc.outputs);
    /* PROTOCOL.md: BENCH runs on zeros until SET_INPUT writes something */
    for (uint8_t i = 0; i < d->alloc.n_inputs; i++) {
        memset(b->input(b->ctx, 0, i), 0, d->alloc.inputs[i].bytes);
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
    memcpy(d->backend->input(d->backend->ctx, 0, index) + offset, data, len);
    if (offset + len > d->input_written[index]) d->input_written[index] = offset + len;
    *written = d->input_written[index];
    return ok();
}

cnas_status cnas_dev_output(const cnas_device *d, uint8_t index, const uint8_t **data, uint32_t *bytes) {
    if (!d->allocated) return fail(CNAS_ERR_NOT_ALLOCATED, 0, "not allocated");
    if (index >= d->alloc.n_outputs) return fail(CNAS_ERR_BAD_PAYLOAD, d->alloc.n_outputs, "no such output");
    *data = d->backend->output(d->backend->ctx, 0, index);
    *bytes = d->alloc.outputs[index].bytes;
    return ok();
}

cnas_status cnas_dev_invoke(cnas_device *d, uint8_t slot, uint32_t run) {
    if (!d->allocated) return fail(CNAS_ERR_NOT_ALLOCATED, 0, "not allocated");
    if (slot >= d->n_loaded) return fail(CNAS_ERR_BAD_PAYLOAD, d->n_loaded, "no such slot");
    const char *cause = d->backend->invoke(d->backend->ctx, slot);
    return cause == NULL ? ok() : fail(CNAS_ERR_INVOKE_FAILED, run, cause);
}
