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

#define CNAS_FIRMWARE_VERSION "1.0.0"
#define CNAS_PROTOCOL_VERSION 1u

#if CNAS_MAX_PAYLOAD < 256u || CNAS_MAX_PAYLOAD > 65535u
#error "CNAS_MAX_PAYLOAD must be 256..65535 (PROTOCOL.md: at least 256, u16 length field)"
#endif

/* Arena and slot start on a 16-byte boundary because TFLite Micro wastes head room otherwise. */
#define CNAS_ALIGN16 __attribute__((aligned(16)))

#endif
