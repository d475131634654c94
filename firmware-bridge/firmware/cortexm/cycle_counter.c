#include "cycle_counter.h"

#include <stdbool.h>
#include <stddef.h>

#include "../core/cnas_platform.h"

/* ARMv6-M and ARMv8-M Baseline have no DWT cycle counter, so the register code is not even compiled; nor
 * is it where an Arduino sketch folder carries this file to a non-Arm board. */
#if defined(__arm__) && !defined(__ARM_ARCH_6M__) && !defined(__ARM_ARCH_8M_BASE__)
#define HAS_DWT 1
/* Addresses from the Armv7-M Architecture Reference Manual; no CMSIS header needed. */
#define DEMCR (*(volatile uint32_t *)0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL (*(volatile uint32_t *)0xE0001000u)
#define DWT_CTRL_CYCCNTENA (1u << 0)
#define DWT_CTRL_NOCYCCNT (1u << 25)
#define DWT_CYCCNT (*(volatile uint32_t *)0xE0001004u)
#define DWT_LAR (*(volatile uint32_t *)0xE0001FB0u)
#define DWT_LAR_KEY 0xC5ACCE55u
#endif

#ifdef HAS_DWT
static bool use_dwt;
#endif
static uint32_t (*fallback_micros)(void);
static uint32_t cycles_per_us;

uint8_t cnas_cm_cycles_init(uint32_t (*micros)(void), uint32_t clock_hz) {
    fallback_micros = micros;
    /* whole MHz keep the scaled count consistent across the 32-bit wrap of micros() */
    cycles_per_us = clock_hz / 1000000u;
#ifdef HAS_DWT
    DEMCR |= DEMCR_TRCENA;
    /* the Cortex-M7 ignores DWT writes until unlocked; elsewhere LAR is absent and the write is ignored */
    DWT_LAR = DWT_LAR_KEY;
    if ((DWT_CTRL & DWT_CTRL_NOCYCCNT) == 0) {
        DWT_CYCCNT = 0;
        DWT_CTRL |= DWT_CTRL_CYCCNTENA;
        use_dwt = true;
        return CNAS_TIMER_CYCLE_COUNTER;
    }
#endif
    return CNAS_TIMER_MICROS_SCALED;
}

uint32_t cnas_cm_cycles(void) {
#ifdef HAS_DWT
    if (use_dwt) return DWT_CYCCNT;
#endif
    return fallback_micros() * cycles_per_us;
}
