/* setup() and loop() of the board firmware, shared by the PlatformIO build and the Arduino IDE sketch. */
#include <Arduino.h>

#include "../core/firmware.h"
#include "backend_tflm.h"
#include "platform_arduino.h"

/* The TFLite Micro library reaches the serial port through DebugLog. Only the Nano 33 BLE build of
 * tflite-micro-arduino-examples defines it (printing to Serial); elsewhere the logs are dropped so they
 * cannot be mistaken for protocol traffic. */
#if !defined(ARDUINO_ARDUINO_NANO33BLE) && !defined(ESP32)
extern "C" void DebugLog(const char *) {}
#endif

namespace {
cnas_fw firmware;
cnas_platform platform;
cnas_backend backend;
}  // namespace

void setup() {
    platform = cnas_arduino_platform();
    backend = cnas_tflm_backend();
    cnas_fw_init(&firmware, &platform, &backend, cnas_fw_compiled_limits());
}

void loop() {
    while (Serial.available() > 0) cnas_fw_feed(&firmware, static_cast<uint8_t>(Serial.read()));
    cnas_fw_poll(&firmware);
}
