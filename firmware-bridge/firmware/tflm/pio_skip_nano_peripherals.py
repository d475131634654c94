# PlatformIO pre-script for boards other than the Nano 33 BLE. tflite-micro-arduino-examples ships the Nano's
# peripheral drivers (src/peripherals: nRF52840 I2S, an #error "unsupported board" anywhere else) and its
# serial test harness next to TFLite Micro; leaving them out of the build leaves TFLite Micro intact.
Import("env")  # noqa: F821 (provided by PlatformIO's SCons)

NANO_ONLY = ("/src/peripherals/", "/src/test_over_serial/")


def skip_nano_only(node):
    path = node.srcnode().get_abspath().replace("\\", "/")
    return None if any(part in path for part in NANO_ONLY) else node


env.AddBuildMiddleware(skip_nano_only)  # noqa: F821
