/* What the portable core needs from a board: the only way it reaches the serial port, clocks and reset. */
#ifndef CNAS_PLATFORM_H
#define CNAS_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How BENCH cycle counts are obtained (the BENCH response's timer field). */
enum {
    CNAS_TIMER_CYCLE_COUNTER = 0,
    CNAS_TIMER_MICROS_SCALED = 1,
    CNAS_TIMER_HOST_CLOCK = 2,
};

typedef struct {
    void *ctx;
    /* Sends every byte before returning: SET_BAUD switches rate right after its response. */
    void (*write)(void *ctx, const uint8_t *data, size_t len);
    /* Free-running 32-bit counters; the core only takes differences, so wrap-around is harmless. */
    uint32_t (*micros)(void *ctx);
    uint32_t (*cycles)(void *ctx);
    bool (*baud_supported)(void *ctx, uint32_t baud);
    void (*set_baud)(void *ctx, uint32_t baud);
    /* Restarts the board. A platform that can only restart the core returns, and the core restarts itself. */
    void (*reboot)(void *ctx);
    /* Called with each valid request's type before it runs; NULL when unused (the host's fault injection). */
    void (*on_request)(void *ctx, uint8_t type);
    uint32_t clock_hz;
    uint8_t timer_kind;
    uint32_t boot_baud;
    const char *board_id;
} cnas_platform;

#ifdef __cplusplus
}
#endif

#endif
