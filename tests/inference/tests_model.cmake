# Loader, interpreter and golden-model tests (helper C; included by
# tests/inference/CMakeLists.txt).
odai_test(test_golden SOURCES test_golden.c LABELS media slow)
