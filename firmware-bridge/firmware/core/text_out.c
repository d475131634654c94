#include "text_out.h"

static void flush(cnas_text_out *o) {
    if (o->len > 0) o->platform->write(o->platform->ctx, o->buf, o->len);
    o->len = 0;
}

static void put(cnas_text_out *o, char c) {
    if (o->len == sizeof o->buf) flush(o);
    o->buf[o->len++] = (uint8_t)c;
}

void cnas_out_begin(cnas_text_out *o, const cnas_platform *platform) {
    o->platform = platform;
    o->len = 0;
}

void cnas_out_str(cnas_text_out *o, const char *s) {
    while (*s != '\0') put(o, *s++);
}

void cnas_out_u32(cnas_text_out *o, uint32_t v) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    while (n > 0) put(o, digits[--n]);
}

void cnas_out_hex8(cnas_text_out *o, uint8_t v) {
    static const char hex[] = "0123456789abcdef";
    put(o, hex[v >> 4]);
    put(o, hex[v & 0x0Fu]);
}

void cnas_out_hex32(cnas_text_out *o, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) cnas_out_hex8(o, (uint8_t)(v >> shift));
}

void cnas_out_fixed3(cnas_text_out *o, float v) {
    if (v != v) {
        cnas_out_str(o, "nan");
        return;
    }
    if (v < 0.0f) {
        put(o, '-');
        v = -v;
    }
    const float limit = 4294967.0f;
    if (v > limit) v = limit;
    /* thousandths split into two integers so no 64-bit or float formatting is needed */
    uint32_t whole = (uint32_t)v;
    uint32_t frac = (uint32_t)((v - (float)whole) * 1000.0f + 0.5f);
    if (frac >= 1000u) {
        whole++;
        frac -= 1000u;
    }
    cnas_out_u32(o, whole);
    put(o, '.');
    put(o, (char)('0' + frac / 100u));
    put(o, (char)('0' + frac / 10u % 10u));
    put(o, (char)('0' + frac % 10u));
}

void cnas_out_end(cnas_text_out *o) {
    put(o, '\r');
    put(o, '\n');
    flush(o);
}

void cnas_out_line(const cnas_platform *platform, const char *s) {
    cnas_text_out o;
    cnas_out_begin(&o, platform);
    cnas_out_str(&o, s);
    cnas_out_end(&o);
}
