/* Cycle timing on Arm Cortex-M: the DWT cycle counter where the core has one, otherwise the board's
 * microsecond clock scaled to cycles (Cortex-M0/M0+/M23 have no CYCCNT). */
#ifndef CNAS_CYCLE_COUNTER_H
#define CNAS_CYCLE_COUNTER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Starts the counter and returns the timer kind it gives (CNAS_TIMER_CYCLE_COUNTER or
 * CNAS_TIMER_MICROS_SCALED). micros and clock_hz are used only by the fallback. */
uint8_t cnas_cm_cycles_init(uint32_t (*micros)(void), uint32_t clock_hz);

/* Free-running 32-bit cycle count; take differences only. */
uint32_t cnas_cm_cycles(void);

#ifdef __cplusplus
}
#endif

#endif
