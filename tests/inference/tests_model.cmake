# Loader, interpreter and golden-model tests (helper C; included by
# tests/inference/CMakeLists.txt).
odai_test(test_inference_model SOURCES test_model.c LABELS unit)
odai_test(test_inference_interp SOURCES test_interp.c LABELS media threads)
odai_test(test_inference_golden SOURCES test_golden.c LABELS media)
odai_fuzz(fuzz_tflite SOURCES fuzz_tflite.c)
odai_test(test_inference_noalloc SOURCES test_interp_noalloc.c LABELS media nosan)
