/* CRC-32 as zlib computes it (reflected polynomial 0xEDB88320, init and xor-out 0xFFFFFFFF). */
#ifndef CNAS_CRC32_H
#define CNAS_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Chains like zlib's crc32(): start with crc = 0 and pass the previous result to continue. */
uint32_t cnas_crc32(uint32_t crc, const uint8_t *data, size_t len);

#endif
