// cnas board firmware, Arduino IDE entry point.
//
// The Arduino IDE compiles only what is inside the sketch folder, so this folder is not built as it
// stands: run `make -C firmware-bridge/firmware arduino-sketch` and open
// firmware-bridge/firmware/build/arduino/cnas_firmware/cnas_firmware.ino, whose src/ then holds copies of
// core/, cortexm/ and tflm/. setup() and loop() are in src/tflm/arduino_main.cpp.
//
// Needs the Arduino_TensorFlowLite library (tflite-micro-arduino-examples, see README.md); on ESP32
// boards TensorFlowLite_ESP32 instead. The generated copy of cnas_config.h carries the board's sizes:
// make arduino-sketch SLOT=<model slot bytes> ARENA=<arena bytes> PAYLOAD=<max payload> DB=<db bytes>
// (the defaults fit the Nano 33 BLE Sense).
