#include "tflite_io.h"

#include <string.h>

#include "../core/le.h"

/* Field slots of the TFLite schema's tables (schema.fbs declaration order). */
enum {
    MODEL_VERSION = 0,
    MODEL_SUBGRAPHS = 2,
    SUBGRAPH_TENSORS = 0,
    SUBGRAPH_INPUTS = 1,
    SUBGRAPH_OUTPUTS = 2,
    TENSOR_SHAPE = 0,
    TENSOR_TYPE = 1,
    TENSOR_QUANTIZATION = 4,
    QUANT_SCALE = 2,
    QUANT_ZERO_POINT = 3,
};

#define SCHEMA_VERSION 3u

typedef struct {
    const uint8_t *p;
    uint32_t n;
    bool ok; /* cleared by the first out-of-bounds access; every later read then yields 0 */
} buf;

static bool fits(buf *b, uint32_t at, uint32_t len) {
    if (b->ok && at <= b->n && len <= b->n - at) return true;
    b->ok = false;
    return false;
}

static uint32_t rd_u32(buf *b, uint32_t at) { return fits(b, at, 4) ? cnas_get_u32(b->p + at) : 0; }
static uint16_t rd_u16(buf *b, uint32_t at) { return fits(b, at, 2) ? cnas_get_u16(b->p + at) : 0; }
static uint8_t rd_u8(buf *b, uint32_t at) { return fits(b, at, 1) ? b->p[at] : 0; }

/* The target of the uoffset stored at `at` (flatbuffer offsets count from where they are stored). */
static uint32_t follow(buf *b, uint32_t at) {
    uint32_t off = rd_u32(b, at);
    if (!b->ok || off > b->n - at) {
        b->ok = false;
        return 0;
    }
    return at + off;
}

/* Where field `slot` of the table at `table` is stored, 0 when the table leaves it out. A table starts with a
 * signed offset back to its vtable: u16 vtable size, u16 table size, then one u16 offset per field slot. */
static uint32_t field(buf *b, uint32_t table, uint32_t slot) {
    int32_t back = (int32_t)rd_u32(b, table);
    int64_t vt = (int64_t)table - back;
    if (!b->ok || vt < 0 || vt > (int64_t)b->n) {
        b->ok = false;
        return 0;
    }
    uint32_t vtable = (uint32_t)vt;
    uint16_t vsize = rd_u16(b, vtable);
    uint16_t tsize = rd_u16(b, vtable + 2u);
    if (!b->ok || vsize < 4u || !fits(b, vtable, vsize)) return 0;
    if (4u + 2u * slot + 2u > vsize) return 0;
    uint16_t off = rd_u16(b, vtable + 4u + 2u * slot);
    if (off == 0) return 0;
    if (off >= tsize || !fits(b, table, tsize)) {
        b->ok = false;
        return 0;
    }
    return table + off;
}

/* A vector: its element count, with *first set to where element 0 is; 0 for an absent field. */
static uint32_t vector(buf *b, uint32_t table, uint32_t slot, uint32_t element_bytes, uint32_t *first) {
    uint32_t at = field(b, table, slot);
    if (at == 0) return 0;
    uint32_t v = follow(b, at);
    uint32_t count = rd_u32(b, v);
    if (!b->ok || count > (b->n - v - 4u) / element_bytes) {
        b->ok = false;
        return 0;
    }
    *first = v + 4u;
    return count;
}

/* The i-th table of a vector of tables. */
static uint32_t table_at(buf *b, uint32_t first, uint32_t i) { return follow(b, first + 4u * i); }

/* Bytes of one element of a TensorType with a fixed size; 0 for the others. */
static uint32_t type_bytes(uint8_t type) {
    switch (type) {
    case 0: return 4;  /* FLOAT32 */
    case 1: return 2;  /* FLOAT16 */
    case 2: return 4;  /* INT32 */
    case 3: return 1;  /* UINT8 */
    case 4: return 8;  /* INT64 */
    case 6: return 1;  /* BOOL */
    case 7: return 2;  /* INT16 */
    case 9: return 1;  /* INT8 */
    case 10: return 8; /* FLOAT64 */
    case 12: return 8; /* UINT64 */
    case 15: return 4; /* UINT32 */
    case 16: return 2; /* UINT16 */
    default: return 0;
    }
}

static bool read_tensor(buf *b, uint32_t tensor, cnas_tensor_info *t) {
    uint32_t at = field(b, tensor, TENSOR_TYPE);
    t->type = at == 0 ? 0u : rd_u8(b, at);
    uint32_t bytes = type_bytes(t->type);
    if (bytes == 0) return false;
    uint32_t dims = 0;
    uint32_t count = vector(b, tensor, TENSOR_SHAPE, 4, &dims);
    for (uint32_t i = 0; i < count; i++) {
        int32_t d = (int32_t)rd_u32(b, dims + 4u * i);
        if (d < 1 || (uint32_t)d > 0xFFFFFFFFu / bytes) return false;
        bytes *= (uint32_t)d;
    }
    t->bytes = bytes;
    t->scale = 0.0f;
    t->zero_point = 0;
    at = field(b, tensor, TENSOR_QUANTIZATION);
    if (at != 0) {
        uint32_t q = follow(b, at);
        uint32_t first = 0;
        if (vector(b, q, QUANT_SCALE, 4, &first) > 0) {
            uint32_t bits = rd_u32(b, first);
            memcpy(&t->scale, &bits, sizeof bits);
        }
        /* int64 zero points; int8 and int16 ones fit the low word */
        if (vector(b, q, QUANT_ZERO_POINT, 8, &first) > 0) t->zero_point = (int32_t)rd_u32(b, first);
    }
    return b->ok;
}

/* The subgraph's input or output list into `out`. */
static bool read_list(buf *b, uint32_t graph, uint32_t slot, uint32_t tensors, uint32_t n_tensors, uint8_t *count,
                      cnas_tensor_info *out) {
    uint32_t first = 0;
    uint32_t n = vector(b, graph, slot, 4, &first);
    if (!b->ok || n > CNAS_MAX_IO) return false;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t index = rd_u32(b, first + 4u * i);
        if (index >= n_tensors || !read_tensor(b, table_at(b, tensors, index), &out[i])) return false;
    }
    *count = (uint8_t)n;
    return b->ok;
}

bool tflite_io_read(const uint8_t *model, uint32_t bytes, tflite_io *io) {
    buf b = {model, bytes, true};
    memset(io, 0, sizeof *io);
    if (bytes < 8u || memcmp(model + 4, "TFL3", 4) != 0) return false;
    uint32_t root = follow(&b, 0);
    uint32_t at = field(&b, root, MODEL_VERSION);
    if (!b.ok || at == 0 || rd_u32(&b, at) != SCHEMA_VERSION) return false;
    uint32_t graphs = 0;
    if (vector(&b, root, MODEL_SUBGRAPHS, 4, &graphs) == 0) return false;
    uint32_t graph = table_at(&b, graphs, 0);
    uint32_t tensors = 0;
    uint32_t n_tensors = vector(&b, graph, SUBGRAPH_TENSORS, 4, &tensors);
    return b.ok && read_list(&b, graph, SUBGRAPH_INPUTS, tensors, n_tensors, &io->n_inputs, io->inputs) &&
           read_list(&b, graph, SUBGRAPH_OUTPUTS, tensors, n_tensors, &io->n_outputs, io->outputs);
}
