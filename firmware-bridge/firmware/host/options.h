/* Command line of the host build. */
#ifndef CNAS_HOST_OPTIONS_H
#define CNAS_HOST_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/firmware.h"

typedef struct {
    const char *device;
    const char *board_id;
    uint32_t baud;
    cnas_limits limits;
    uint32_t input_bytes;
    uint32_t output_bytes;
    uint32_t banner_delay_ms;
    bool hang_on_bench;
} host_options;

/* Fills opts from argv; on a bad command line prints why and the usage to stderr and returns false. */
bool host_options_parse(int argc, char **argv, host_options *opts);

#endif
