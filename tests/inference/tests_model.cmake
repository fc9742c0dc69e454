# Loader, interpreter and golden-model tests (helper C; included by
# tests/inference/CMakeLists.txt).
odai_test(test_golden SOURCES test_golden.c LABELS media slow)
odai_test(test_model SOURCES test_model.c LABELS unit)
odai_test(test_interp SOURCES test_interp.c LABELS media threads)
