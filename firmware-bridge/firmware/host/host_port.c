#define _DEFAULT_SOURCE /* cfmakeraw, cfsetspeed, the B<rate> constants above 38400 */

#include "host_port.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define NOMINAL_CLOCK_HZ 1000000000u /* cycles are host nanoseconds, as if the CPU ran at 1 GHz */

static const struct {
    uint32_t baud;
    speed_t speed;
} rates[] = {
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
    {230400, B230400},   {460800, B460800},   {500000, B500000},   {921600, B921600},   {1000000, B1000000},
    {1500000, B1500000}, {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000},
};

static bool speed_of(uint32_t baud, speed_t *speed) {
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        if (rates[i].baud == baud) {
            *speed = rates[i].speed;
            return true;
        }
    }
    return false;
}

static void apply_baud(int fd, uint32_t baud) {
    struct termios tio;
    speed_t speed;
    if (!speed_of(baud, &speed) || tcgetattr(fd, &tio) != 0) return;
    cfsetspeed(&tio, speed); /* a pty accepts and ignores it; a real UART switches */
    tcsetattr(fd, TCSADRAIN, &tio);
}

bool host_port_open(host_port *port, const char *path, uint32_t baud) {
    port->fd = open(path, O_RDWR | O_NOCTTY);
    if (port->fd < 0) return false;
    struct termios tio;
    if (tcgetattr(port->fd, &tio) != 0) return false;
    cfmakeraw(&tio);
    tio.c_cc[VMIN] = 1;
    tio.c_cc[VTIME] = 0;
    if (tcsetattr(port->fd, TCSANOW, &tio) != 0) return false;
    apply_baud(port->fd, baud);
    return true;
}

static void sleep_ms(uint32_t ms) {
    struct timespec ts = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void host_port_boot_delay(host_port *port) {
    if (port->banner_delay_ms == 0) return;
    sleep_ms(port->banner_delay_ms);
    tcflush(port->fd, TCIFLUSH);
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void port_write(void *ctx, const uint8_t *data, size_t len) {
    host_port *port = ctx;
    while (len > 0) {
        ssize_t n = write(port->fd, data, len);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = {port->fd, POLLOUT, 0};
            poll(&p, 1, 100);
        } else if (!(n < 0 && errno == EINTR)) {
            return; /* the peer is gone; the read side notices and ends the program */
        }
    }
}

static uint32_t port_micros(void *ctx) {
    (void)ctx;
    return (uint32_t)(now_ns() / 1000u);
}

static uint32_t port_cycles(void *ctx) {
    (void)ctx;
    return (uint32_t)now_ns();
}

static bool port_baud_supported(void *ctx, uint32_t baud) {
    (void)ctx;
    speed_t speed;
    return speed_of(baud, &speed);
}

static void port_set_baud(void *ctx, uint32_t baud) {
    host_port *port = ctx;
    apply_baud(port->fd, baud);
}

static void port_reboot(void *ctx) {
    /* returning lets the core restart itself, which is all a reset means for a process */
    host_port_boot_delay(ctx);
}

static void port_on_request(void *ctx, uint8_t type) {
    host_port *port = ctx;
    if (!port->hang_on_bench || type != 0x07) return;
    for (;;) pause(); /* a locked-up board: no more reading, no more answers */
}

cnas_platform host_port_platform(host_port *port, const char *board_id, uint32_t baud) {
    cnas_platform p = {
        .ctx = port,
        .write = port_write,
        .micros = port_micros,
        .cycles = port_cycles,
        .baud_supported = port_baud_supported,
        .set_baud = port_set_baud,
        .reboot = port_reboot,
        .on_request = port_on_request,
        .clock_hz = NOMINAL_CLOCK_HZ,
        .timer_kind = CNAS_TIMER_HOST_CLOCK,
        .boot_baud = baud,
        .board_id = board_id,
    };
    return p;
}
