/* TFLite Micro behind the core's backend interface. Written against tflite-micro-arduino-examples at
 * commit 7948b85e (TFLM synced December 2023); see README.md for what has and has not been verified. */
/* The library's umbrella header (TensorFlowLite.h) is not included: in tflite-micro-arduino-examples it
 * pulls in Nano 33 BLE peripherals and stops with #error "unsupported board" anywhere else. The headers
 * below are enough for PlatformIO's and the Arduino IDE's library discovery. */
#include <stdint.h>
#include <string.h>

#include <new>

#include "tensorflow/lite/micro/arena_allocator/single_arena_buffer_allocator.h"
#include "tensorflow/lite/micro/memory_planner/greedy_memory_planner.h"
#include "tensorflow/lite/micro/micro_allocator.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"
#include "tensorflow/lite/schema/schema_utils.h"

#include "backend_tflm.h"

#ifndef CNAS_TFLM_VERSION
#define CNAS_TFLM_VERSION "tflite-micro-arduino-examples@7948b85"
#endif

namespace {

/* Every operator the cnas exporter writes (src/graph/lower.ts, src/export/build-float.ts and
 * src/export/quantize.ts: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, MUL, MEAN, MAX_POOL_2D, PAD,
 * RESHAPE, SOFTMAX, HARD_SWISH, RELU, QUANTIZE, DEQUANTIZE) plus AVERAGE_POOL_2D, LOGISTIC and RELU6, which
 * its checker and operator-version tables already know. */
constexpr unsigned kOperatorCount = 17;
using Resolver = tflite::MicroMutableOpResolver<kOperatorCount>;

/* Cannot fail: the resolver is sized for exactly these. */
void register_operators(Resolver &r) {
    r.AddConv2D();
    r.AddDepthwiseConv2D();
    r.AddFullyConnected();
    r.AddAdd();
    r.AddMul();
    r.AddMean();
    r.AddAveragePool2D();
    r.AddMaxPool2D();
    r.AddPad();
    r.AddReshape();
    r.AddSoftmax();
    r.AddLogistic();
    r.AddHardSwish();
    r.AddRelu();
    r.AddRelu6();
    r.AddQuantize();
    r.AddDequantize();
}

/* Static storage instead of the heap: one interpreter per slot, rebuilt in place for every ALLOC. */
alignas(Resolver) uint8_t resolver_storage[sizeof(Resolver)];
alignas(tflite::MicroInterpreter) uint8_t interpreter_storage[CNAS_MAX_SLOTS][sizeof(tflite::MicroInterpreter)];
Resolver *resolver;
tflite::MicroInterpreter *interpreters[CNAS_MAX_SLOTS];

/* Below this the allocator's own bookkeeping would not fit; TFLite Micro would fail less politely. */
constexpr uint32_t kMinArena = 1024;

char cause[64];

const char *unsupported_operator(const tflite::Model *model) {
    const auto *codes = model->operator_codes();
    if (codes == nullptr) return nullptr;
    for (const tflite::OperatorCode *code : *codes) {
        tflite::BuiltinOperator op = tflite::GetBuiltinCode(code);
        if (op != tflite::BuiltinOperator_CUSTOM && resolver->FindOp(op) != nullptr) continue;
        strcpy(cause, "unsupported operator ");
        strncat(cause, tflite::EnumNameBuiltinOperator(op), sizeof cause - strlen(cause) - 1);
        return cause;
    }
    return nullptr;
}

/* The schema's TensorType (what PROTOCOL.md reports), read from the model rather than mapped from
 * TfLiteType, whose numbering differs (float32 is 0 in the schema, 1 in TfLiteType). */
uint8_t schema_type(const tflite::Model *model, int32_t tensor_index) {
    const tflite::SubGraph *graph = model->subgraphs()->Get(0);
    return static_cast<uint8_t>(graph->tensors()->Get(tensor_index)->type());
}

cnas_tensor_info describe(const tflite::Model *model, int32_t tensor_index, const TfLiteTensor *t) {
    cnas_tensor_info info;
    info.type = schema_type(model, tensor_index);
    info.bytes = static_cast<uint32_t>(t->bytes);
    info.scale = t->params.scale;
    info.zero_point = t->params.zero_point;
    return info;
}

void release_interpreter(uint8_t slot) {
    if (interpreters[slot] != nullptr) interpreters[slot]->~MicroInterpreter();
    interpreters[slot] = nullptr;
}

/* Each slot gets its own part of the arena from the core, so the interpreters never share memory. */
const char *tflm_allocate(void *, uint8_t slot, const uint8_t *model_data, uint32_t model_bytes, uint8_t *arena,
                          uint32_t arena_bytes, cnas_alloc_info *info) {
    release_interpreter(slot); /* a second ALLOC of the same model: the model is intact, the arena is reused */
    flatbuffers::Verifier verifier(model_data, model_bytes);
    if (!tflite::VerifyModelBuffer(verifier)) return "invalid model";
    const tflite::Model *model = tflite::GetModel(model_data);
    if (model->version() != TFLITE_SCHEMA_VERSION || model->subgraphs() == nullptr || model->subgraphs()->size() != 1) {
        return "invalid model";
    }
    const char *missing = unsupported_operator(model);
    if (missing != nullptr) return missing;

    /* TFLite Micro aligns the arena to 16 bytes itself and then needs up to 16 more (micro_interpreter.h) */
    uintptr_t misalign = reinterpret_cast<uintptr_t>(arena) % 16u;
    uint32_t slack = misalign == 0 ? 0u : static_cast<uint32_t>(16u - misalign);
    if (arena_bytes < kMinArena + slack) return "arena too small";
    /* Built by hand, as MicroAllocator::Create(arena, size) does, to keep a handle on the arena allocator
     * and so report the persistent (tail) and non-persistent (head) split. */
    tflite::SingleArenaBufferAllocator *memory =
        tflite::SingleArenaBufferAllocator::Create(arena + slack, arena_bytes - slack);
    uint8_t *planner_buffer =
        memory->AllocatePersistentBuffer(sizeof(tflite::GreedyMemoryPlanner), alignof(tflite::GreedyMemoryPlanner));
    if (planner_buffer == nullptr) return "arena too small";
    tflite::GreedyMemoryPlanner *planner = new (planner_buffer) tflite::GreedyMemoryPlanner();
    tflite::MicroAllocator *allocator = tflite::MicroAllocator::Create(memory, planner);
    if (allocator == nullptr) return "arena too small";
    tflite::MicroInterpreter *interpreter =
        new (interpreter_storage[slot]) tflite::MicroInterpreter(model, *resolver, allocator);
    interpreters[slot] = interpreter;
    if (interpreter->AllocateTensors() != kTfLiteOk) {
        release_interpreter(slot);
        return "arena too small";
    }
    if (interpreter->inputs_size() > CNAS_MAX_IO || interpreter->outputs_size() > CNAS_MAX_IO) {
        release_interpreter(slot);
        return "invalid model: too many inputs or outputs";
    }
    info->arena_used = static_cast<uint32_t>(interpreter->arena_used_bytes()) + (misalign == 0 ? 0u : 16u);
    info->persistent = static_cast<uint32_t>(memory->GetPersistentUsedBytes());
    info->non_persistent = static_cast<uint32_t>(memory->GetNonPersistentUsedBytes());
    const tflite::SubGraph *graph = model->subgraphs()->Get(0);
    info->n_inputs = static_cast<uint8_t>(interpreter->inputs_size());
    info->n_outputs = static_cast<uint8_t>(interpreter->outputs_size());
    for (uint8_t i = 0; i < info->n_inputs; i++) {
        info->inputs[i] = describe(model, graph->inputs()->Get(i), interpreter->input(i));
    }
    for (uint8_t i = 0; i < info->n_outputs; i++) {
        info->outputs[i] = describe(model, graph->outputs()->Get(i), interpreter->output(i));
    }
    return nullptr;
}

void tflm_release(void *, uint8_t slot) { release_interpreter(slot); }

uint8_t *tflm_input(void *, uint8_t slot, uint8_t index) { return interpreters[slot]->input(index)->data.uint8; }

uint8_t *tflm_output(void *, uint8_t slot, uint8_t index) { return interpreters[slot]->output(index)->data.uint8; }

/* The core times each call with the platform's cycle counter (DWT CYCCNT on Cortex-M). */
const char *tflm_invoke(void *, uint8_t slot) {
    return interpreters[slot]->Invoke() == kTfLiteOk ? nullptr : "invoke failed";
}

}  // namespace

cnas_backend cnas_tflm_backend(void) {
    if (resolver == nullptr) {
        resolver = new (resolver_storage) Resolver();
        register_operators(*resolver);
    }
    cnas_backend b;
    b.ctx = nullptr;
    b.allocate = tflm_allocate;
    b.input = tflm_input;
    b.output = tflm_output;
    b.release = tflm_release;
    b.invoke = tflm_invoke;
    b.is_real = true;
    b.description = "TFLite Micro MicroInterpreter, MicroMutableOpResolver of 17 builtins";
    b.tflm_version = CNAS_TFLM_VERSION;
    return b;
}
