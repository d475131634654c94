/* The firmware as one object: feed it received bytes, poll it from the main loop, and it answers through
 * the platform. One instance per board; its buffers are static and sized by cnas_config.h. */
#ifndef CNAS_FIRMWARE_H
#define CNAS_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cnas_backend.h"
#include "cnas_config.h"
#include "cnas_platform.h"
#include "cobs.h"
#include "device.h"
#include "frame.h"
#include "link.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Run-time limits, at most the compiled sizes: a host build shrinks them from the command line. */
typedef struct {
    uint32_t slot_bytes;
    uint32_t arena_bytes;
    uint16_t max_payload;
} cnas_limits;

#define CNAS_FRAME_MAX (CNAS_MAX_PAYLOAD + CNAS_FRAME_OVERHEAD)
/* 0x00, COBS(frame), 0x00 */
#define CNAS_WIRE_MAX (CNAS_COBS_MAX_ENCODED(CNAS_FRAME_MAX) + 2u)

typedef struct {
    const cnas_platform *platform;
    cnas_limits limits;
    cnas_link link;
    cnas_device device;
    /* duplicate detection: the last executed request and its response as it went on the wire */
    bool has_last;
    uint8_t last_type;
    uint8_t last_seq;
    size_t last_wire_len;
    /* baud negotiation */
    uint32_t baud;
    uint32_t fallback_baud;
    bool fallback_armed;
    uint32_t switched_at_us;
    /* MLPerf `db` buffer */
    uint32_t db_expected;
    uint32_t db_len;
    uint8_t db[CNAS_DB_BYTES];
    uint8_t rx[CNAS_FRAME_MAX];
    uint8_t response[CNAS_FRAME_MAX];
    uint8_t last_wire[CNAS_WIRE_MAX];
} cnas_fw;

/* Binds the platform and backend and starts the firmware (boot banner included). Returns false when the
 * limits exceed the compiled sizes or max_payload is below 256. */
bool cnas_fw_init(cnas_fw *fw, const cnas_platform *platform, const cnas_backend *backend, cnas_limits limits);

/* Forgets every model, upload and request, as after a power-on, and prints the boot banner. */
void cnas_fw_restart(cnas_fw *fw);

void cnas_fw_feed(cnas_fw *fw, uint8_t byte);

/* Call often from the main loop: it times the SET_BAUD fallback. */
void cnas_fw_poll(cnas_fw *fw);

/* The limits the core is compiled for. */
cnas_limits cnas_fw_compiled_limits(void);

#ifdef __cplusplus
}
#endif

#endif
