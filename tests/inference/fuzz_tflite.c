/* tests/inference/fuzz_tflite.c: libFuzzer target for the .tflite reader and
 * interpreter creation (folding, fusion, shape inference, arena planning).
 * Small graphs are also invoked. Seeds: tests/inference/fuzz/fuzz_tflite/
 * seeds (tiny hand-made models) plus tests/fuzz-seeds/fuzz_tflite.sh
 * (truncated and bit-flipped copies of the real models). */
#include <stddef.h>
#include <stdint.h>

#include "odai/inference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  odai_model *m = NULL;
  odai_error err;
  if (odai_model_load_from_memory(data, size, &m, &err) != ODAI_OK) return 0;
  odai_interpreter *it = NULL;
  odai_interpreter_options o;
  odai_interpreter_options_init(&o);
  o.max_memory_bytes = 64u << 20; /* a hostile model may not make us allocate (and zero) GBs */
  if (odai_interpreter_create(m, &o, &it, &err) == ODAI_OK) {
    odai_interpreter_stats st;
    odai_interpreter_get_stats(it, &st);
    /* invoke only graphs that are cheap to run (keeps execs/s high) */
    if (st.flops < 2e6 && st.arena_bytes < (1u << 20)) odai_interpreter_invoke(it, &err);
    odai_interpreter_free(it);
  }
  odai_model_free(m);
  return 0;
}
