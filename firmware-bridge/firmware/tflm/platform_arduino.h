/* The core's platform on Arduino cores (STM32duino, Arduino mbed, Arduino-ESP32): Serial, micros(), the
 * CPU's cycle counter and the core's reset. */
#ifndef CNAS_PLATFORM_ARDUINO_H
#define CNAS_PLATFORM_ARDUINO_H

#include "../core/cnas_platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opens Serial at the boot baud and starts the cycle counter. */
cnas_platform cnas_arduino_platform(void);

#ifdef __cplusplus
}
#endif

#endif
