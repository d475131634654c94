/* The host build's platform: a serial device (typically one end of a socat pty pair) and the host clock. */
#ifndef CNAS_HOST_PORT_H
#define CNAS_HOST_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/cnas_platform.h"

typedef struct {
    int fd;
    uint32_t banner_delay_ms;
    bool hang_on_bench;
} host_port;

/* Opens the device raw at the given baud; returns false (errno set) when it cannot. */
bool host_port_open(host_port *port, const char *path, uint32_t baud);

/* Mimics a board that takes a while to boot: waits, then drops whatever arrived meanwhile. */
void host_port_boot_delay(host_port *port);

/* A platform whose write, clocks, baud and reboot act on the port. */
cnas_platform host_port_platform(host_port *port, const char *board_id, uint32_t baud);

#endif
