/* The real inference backend: TFLite Micro's MicroInterpreter over the model slot and tensor arena. */
#ifndef CNAS_BACKEND_TFLM_H
#define CNAS_BACKEND_TFLM_H

#include "../core/cnas_backend.h"

#ifdef __cplusplus
extern "C" {
#endif

cnas_backend cnas_tflm_backend(void);

#ifdef __cplusplus
}
#endif

#endif
