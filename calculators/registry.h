/* calculators/registry.h: the built-in calculator table (one line per
 * calculator in calculators/registry.c). graph/ reads it through
 * odai_builtin_calculators(); users find calculators with
 * odai_calculator_find(). Internal header. */
#ifndef ODAI_CALCULATORS_REGISTRY_H
#define ODAI_CALCULATORS_REGISTRY_H

#include <stddef.h>

#include "odai/calculator.h"

/* The built-in table and its length. */
const odai_calculator_def *const *odai_builtin_calculators(size_t *n);

/* calculators/flow/ */
extern const odai_calculator_def odai_calc_pass_through;
extern const odai_calculator_def odai_calc_flow_limiter;
extern const odai_calculator_def odai_calc_packet_thinner;
extern const odai_calculator_def odai_calc_gate;
extern const odai_calculator_def odai_calc_previous_loopback;
extern const odai_calculator_def odai_calc_packet_cloner;
extern const odai_calculator_def odai_calc_side_packet_to_stream;
extern const odai_calculator_def odai_calc_constant_side_packet;
extern const odai_calculator_def odai_calc_counting_source;

/* calculators/inference/ */
extern const odai_calculator_def odai_calc_image_to_tensor;
extern const odai_calculator_def odai_calc_inference;
extern const odai_calculator_def odai_calc_inference_cpu;
extern const odai_calculator_def odai_calc_tflite_inference;
extern const odai_calculator_def odai_calc_tensors_to_floats;

#endif /* ODAI_CALCULATORS_REGISTRY_H */
