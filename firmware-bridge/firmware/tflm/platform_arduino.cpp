#include "platform_arduino.h"

#include <Arduino.h>

#if !defined(ESP32)
#include "../cortexm/cycle_counter.h"
#endif

/* Board profiles (platformio.ini) set these; the defaults suit a sketch built in the Arduino IDE. */
#ifndef CNAS_BOOT_BAUD
#define CNAS_BOOT_BAUD 115200u
#endif
#ifndef CNAS_BOARD_ID
#define CNAS_BOARD_ID "arduino"
#endif
/* Rates a USB-UART bridge or USB CDC port is expected to take; SET_BAUD refuses others. */
#define CNAS_MIN_BAUD 1200u
#define CNAS_MAX_BAUD 2000000u

namespace {

void serial_write(void *, const uint8_t *data, size_t len) { Serial.write(data, len); }

uint32_t board_micros(void *) { return micros(); }

#if defined(ESP32)
uint32_t board_cycles(void *) { return ESP.getCycleCount(); } /* Xtensa CCOUNT, a true cycle counter */
#else
/* the Cortex-M0/M0+ fallback scales this to cycles */
uint32_t micros_fn(void) { return micros(); }

uint32_t board_cycles(void *) { return cnas_cm_cycles(); }
#endif

bool baud_supported(void *, uint32_t baud) { return baud >= CNAS_MIN_BAUD && baud <= CNAS_MAX_BAUD; }

void set_baud(void *, uint32_t baud) {
    Serial.flush(); /* the SET_BAUD response must leave at the old rate */
    Serial.end();
    Serial.begin(baud);
}

void reboot(void *) {
    Serial.flush();
#if defined(ESP32)
    ESP.restart();
#else
    NVIC_SystemReset();
#endif
}

}  // namespace

cnas_platform cnas_arduino_platform(void) {
    Serial.begin(CNAS_BOOT_BAUD);
    cnas_platform p;
    p.ctx = nullptr;
    p.write = serial_write;
    p.micros = board_micros;
    p.cycles = board_cycles;
    p.baud_supported = baud_supported;
    p.set_baud = set_baud;
    p.reboot = reboot;
    p.on_request = nullptr;
#if defined(ESP32)
    p.clock_hz = getCpuFrequencyMhz() * 1000000u;
    p.timer_kind = CNAS_TIMER_CYCLE_COUNTER;
#else
    p.clock_hz = SystemCoreClock;
    p.timer_kind = cnas_cm_cycles_init(micros_fn, p.clock_hz);
#endif
    p.boot_baud = CNAS_BOOT_BAUD;
    p.board_id = CNAS_BOARD_ID;
    return p;
}
