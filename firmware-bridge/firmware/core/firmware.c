#include "firmware.h"

#include "internal.h"
#include "text_out.h"

/* PROTOCOL.md: a board that gets no valid frame at the new rate within 2 s goes back to the old one. */
#define BAUD_FALLBACK_US 2000000u

static uint8_t model_slot[CNAS_MODEL_SLOT_BYTES] CNAS_ALIGN16;
static uint8_t tensor_arena[CNAS_ARENA_BYTES] CNAS_ALIGN16;

cnas_limits cnas_fw_compiled_limits(void) {
    cnas_limits l = {CNAS_MODEL_SLOT_BYTES, CNAS_ARENA_BYTES, CNAS_MAX_PAYLOAD};
    return l;
}

bool cnas_fw_init(cnas_fw *fw, const cnas_platform *platform, const cnas_backend *backend, cnas_limits limits) {
    if (limits.slot_bytes > CNAS_MODEL_SLOT_BYTES || limits.arena_bytes > CNAS_ARENA_BYTES ||
        limits.max_payload > CNAS_MAX_PAYLOAD || limits.max_payload < 256u) {
        return false;
    }
    fw->platform = platform;
    fw->limits = limits;
    fw->device.backend = backend;
    fw->baud = platform->boot_baud;
    cnas_fw_restart(fw);
    return true;
}

void cnas_fw_restart(cnas_fw *fw) {
    const cnas_platform *pf = fw->platform;
    cnas_dev_init(&fw->device, fw->device.backend, model_slot, fw->limits.slot_bytes, tensor_arena,
                  fw->limits.arena_bytes);
    cnas_link_init(&fw->link, fw->rx, fw->limits.max_payload + CNAS_FRAME_OVERHEAD);
    fw->has_last = false;
    fw->fallback_armed = false;
    fw->db_expected = 0;
    fw->db_len = 0;
    if (fw->baud != pf->boot_baud) {
        fw->baud = pf->boot_baud;
        pf->set_baud(pf->ctx, fw->baud);
    }
    cnas_out_line(pf, "m-cnas-firmware-[" CNAS_FIRMWARE_VERSION "]");
    cnas_out_line(pf, "m-init-done");
    cnas_out_line(pf, "m-ready");
}

void cnas_fw_switch_baud(cnas_fw *fw, uint32_t baud) {
    const cnas_platform *pf = fw->platform;
    fw->fallback_baud = fw->baud;
    fw->baud = baud;
    pf->set_baud(pf->ctx, baud);
    fw->fallback_armed = true;
    fw->switched_at_us = pf->micros(pf->ctx);
}

void cnas_fw_poll(cnas_fw *fw) {
    const cnas_platform *pf = fw->platform;
    if (!fw->fallback_armed || pf->micros(pf->ctx) - fw->switched_at_us < BAUD_FALLBACK_US) return;
    fw->fallback_armed = false;
    fw->baud = fw->fallback_baud;
    pf->set_baud(pf->ctx, fw->baud);
}

/* The frame's own seq when enough of it arrived to have one. */
static uint8_t seq_of(const cnas_link *l) { return l->frame_len >= 2 ? l->frame[1] : 0; }

void cnas_fw_feed(cnas_fw *fw, uint8_t byte) {
    cnas_link *l = &fw->link;
    switch (cnas_link_feed(l, byte)) {
    case CNAS_LINK_NONE:
        break;
    case CNAS_LINK_COMMAND:
        cnas_text_command(fw, l->text);
        break;
    case CNAS_LINK_FRAME_BROKEN:
        cnas_send_nak(fw, seq_of(l), CNAS_NAK_BAD_LENGTH);
        break;
    case CNAS_LINK_FRAME_TOO_LARGE:
        cnas_send_nak(fw, seq_of(l), CNAS_NAK_TOO_LARGE);
        break;
    case CNAS_LINK_FRAME_DONE: {
        uint8_t reason = cnas_frame_check(l->frame, l->frame_len);
        if (reason != 0) {
            cnas_send_nak(fw, seq_of(l), reason);
            break;
        }
        fw->fallback_armed = false; /* a valid frame proves the new rate works */
        cnas_dispatch(fw, l->frame, l->frame_len);
        break;
    }
    }
}
