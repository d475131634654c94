/* Freestanding formatting of MLPerf text lines (no printf on a board that may have no libc I/O). */
#ifndef CNAS_TEXT_OUT_H
#define CNAS_TEXT_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "cnas_platform.h"

typedef struct {
    const cnas_platform *platform;
    size_t len;
    uint8_t buf[64]; /* lines of any length go out in pieces of this size */
} cnas_text_out;

void cnas_out_begin(cnas_text_out *o, const cnas_platform *platform);
void cnas_out_str(cnas_text_out *o, const char *s);
void cnas_out_u32(cnas_text_out *o, uint32_t v);
void cnas_out_hex8(cnas_text_out *o, uint8_t v);
void cnas_out_hex32(cnas_text_out *o, uint32_t v);
/* %0.3f as MLPerf Tiny prints results; magnitudes beyond 4294967 are clamped to it. */
void cnas_out_fixed3(cnas_text_out *o, float v);
/* Ends the line with \r\n and sends it. */
void cnas_out_end(cnas_text_out *o);
/* A whole line in one call. */
void cnas_out_line(const cnas_platform *platform, const char *s);

#endif
