/* Host build of the board firmware: serves the protocol on a serial device until killed, with the
 * stand-in backend, so the TypeScript bridge can be tested without hardware. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/firmware.h"
#include "host_port.h"
#include "options.h"
#include "standin_backend.h"

/* Short enough that the 2 s SET_BAUD fallback fires on time. */
#define POLL_INTERVAL_MS 20

static cnas_fw fw;

int main(int argc, char **argv) {
    host_options opts;
    if (!host_options_parse(argc, argv, &opts)) return 2;
    host_port port = {-1, opts.banner_delay_ms, opts.hang_on_bench};
    if (!host_port_open(&port, opts.device, opts.baud)) {
        fprintf(stderr, "cnas-firmware: cannot open %s: %s\n", opts.device, strerror(errno));
        return 1;
    }
    static standin model;
    model.input_bytes = opts.input_bytes;
    model.output_bytes = opts.output_bytes;
    cnas_backend backend = standin_backend(&model);
    cnas_platform platform = host_port_platform(&port, opts.board_id, opts.baud);
    host_port_boot_delay(&port);
    if (!cnas_fw_init(&fw, &platform, &backend, opts.limits)) {
        fprintf(stderr, "cnas-firmware: limits exceed the compiled sizes\n");
        return 2;
    }
    for (;;) {
        struct pollfd p = {port.fd, POLLIN, 0};
        int ready = poll(&p, 1, POLL_INTERVAL_MS);
        if (ready < 0 && errno != EINTR) break;
        if (ready > 0) {
            uint8_t buf[4096];
            ssize_t n = read(port.fd, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;
            for (ssize_t i = 0; i < n; i++) cnas_fw_feed(&fw, buf[i]);
        }
        cnas_fw_poll(&fw);
    }
    fprintf(stderr, "cnas-firmware: %s closed: %s\n", opts.device, strerror(errno));
    return 1;
}
