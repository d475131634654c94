/* Compile-time sizes of the firmware. Each board build overrides them with -D so that the model slot, the
 * tensor arena and the frame buffers fit its SRAM; the defaults are the host build's. */
#ifndef CNAS_CONFIG_H
#define CNAS_CONFIG_H

#ifndef CNAS_MODEL_SLOT_BYTES
#define CNAS_MODEL_SLOT_BYTES (1024u * 1024u)
#endif

#ifndef CNAS_ARENA_BYTES
#define CNAS_ARENA_BYTES (512u * 1024u)
#endif

/* Largest payload of one frame; HELLO reports it and the protocol requires at least 256. */
#ifndef CNAS_MAX_PAYLOAD
#define CNAS_MAX_PAYLOAD 4096u
#endif

/* Bytes the MLPerf Tiny `db` buffer holds (MLPerf's generic MAX_DB_INPUT_SIZE is 96x96x3). */
#ifndef CNAS_DB_BYTES
#define CNAS_DB_BYTES (96u * 96u * 3u)
#endif

/* Most inputs and most outputs a model may have; ALLOC describes each in its single response frame. */
#ifndef CNAS_MAX_IO
#define CNAS_MAX_IO 8u
#endif

/* Models the slot region holds at once: an early-exit network's pieces (segment_0, exit_0, ..., final), two
 * per early exit plus the final piece. 16 covers eight exits; OFA MobileNetV3's five stages give at most five. */
#ifndef CNAS_MAX_SLOTS
#define CNAS_MAX_SLOTS 16u
#endif

#define CNAS_FIRMWARE_VERSION "1.0.0"
#define CNAS_PROTOCOL_VERSION 1u

#if CNAS_MAX_PAYLOAD < 256u || CNAS_MAX_PAYLOAD > 65535u
#error "CNAS_MAX_PAYLOAD must be 256..65535 (PROTOCOL.md: at least 256, u16 length field)"
#endif

#if CNAS_MAX_SLOTS < 1u || CNAS_MAX_SLOTS > 255u
#error "CNAS_MAX_SLOTS must be 1..255 (LOAD_BEGIN's u8 slot index)"
#endif

/* Arena and slot start on a 16-byte boundary because TFLite Micro wastes head room otherwise. */
#define CNAS_ALIGN16 __attribute__((aligned(16)))

#endif
