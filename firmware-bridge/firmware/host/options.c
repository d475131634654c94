#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: cnas-firmware DEVICE [options]\n"
    "  DEVICE                     serial device or pty, e.g. one end of a socat pty pair\n"
    "  --board-id NAME            board id reported by HELLO and `name` (default host-standin)\n"
    "  --baud N                   boot baud (default 115200; a pty ignores it)\n"
    "  --slot-bytes N             model slot size, at most the compiled %u\n"
    "  --arena-bytes N            tensor arena size, at most the compiled %u\n"
    "  --max-payload N            frame payload size, 256 to the compiled %u\n"
    "  --input-bytes N            the stand-in's int8 input for a model whose tensors cannot be read (3072)\n"
    "  --output-bytes N           the stand-in's int8 output for such a model (default 10)\n"
    "  --reset-banner-delay-ms N  wait N ms (dropping input) before each boot banner\n"
    "  --hang-on-bench            on a BENCH request stop reading and answering for ever\n";

static void print_usage(void) {
    fprintf(stderr, usage, (unsigned)CNAS_MODEL_SLOT_BYTES, (unsigned)CNAS_ARENA_BYTES, (unsigned)CNAS_MAX_PAYLOAD);
}

static bool parse_number(const char *flag, const char *text, uint32_t *out) {
    char *end;
    unsigned long v = text == NULL ? 0 : strtoul(text, &end, 10);
    if (text == NULL || *text == '\0' || *end != '\0' || *text == '-' || v > 0xFFFFFFFFul) {
        fprintf(stderr, "cnas-firmware: %s needs a number\n", flag);
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* Flags that take a number, and where it goes. */
static uint32_t *number_target(host_options *o, const char *flag, uint32_t *max_payload) {
    if (strcmp(flag, "--baud") == 0) return &o->baud;
    if (strcmp(flag, "--slot-bytes") == 0) return &o->limits.slot_bytes;
    if (strcmp(flag, "--arena-bytes") == 0) return &o->limits.arena_bytes;
    if (strcmp(flag, "--max-payload") == 0) return max_payload;
    if (strcmp(flag, "--input-bytes") == 0) return &o->input_bytes;
    if (strcmp(flag, "--output-bytes") == 0) return &o->output_bytes;
    if (strcmp(flag, "--reset-banner-delay-ms") == 0) return &o->banner_delay_ms;
    return NULL;
}

bool host_options_parse(int argc, char **argv, host_options *o) {
    memset(o, 0, sizeof *o);
    o->board_id = "host-standin";
    o->baud = 115200;
    o->limits = cnas_fw_compiled_limits();
    o->input_bytes = 3072; /* MLPerf Tiny ic01's 32x32x3 */
    o->output_bytes = 10;
    uint32_t max_payload = o->limits.max_payload;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        uint32_t *target = number_target(o, arg, &max_payload);
        if (target != NULL) {
            if (!parse_number(arg, i + 1 < argc ? argv[i + 1] : NULL, target)) return false;
            i++;
        } else if (strcmp(arg, "--board-id") == 0 && i + 1 < argc) {
            o->board_id = argv[++i];
        } else if (strcmp(arg, "--hang-on-bench") == 0) {
            o->hang_on_bench = true;
        } else if (arg[0] != '-' && o->device == NULL) {
            o->device = arg;
        } else {
            fprintf(stderr, "cnas-firmware: unexpected argument %s\n", arg);
            print_usage();
            return false;
        }
    }
    if (o->device == NULL) {
        print_usage();
        return false;
    }
    if (max_payload < 256u || max_payload > CNAS_MAX_PAYLOAD || o->limits.slot_bytes > CNAS_MODEL_SLOT_BYTES ||
        o->limits.arena_bytes > CNAS_ARENA_BYTES) {
        fprintf(stderr, "cnas-firmware: a size is outside what this build was compiled for\n");
        print_usage();
        return false;
    }
    o->limits.max_payload = (uint16_t)max_payload;
    return true;
}
