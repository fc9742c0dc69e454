# odai_module(NAME SOURCES ... [LIBS ...])
#
# Each layer folder (util/, graph/, inference/, io/, calculators/..., tasks/)
# declares its part of libodai with this function. It makes an OBJECT library
# odai_<NAME> in the calling folder (so per-file compile flags, e.g. ISA
# flags for SIMD kernels, stay local), and records its objects and its
# third-party link dependencies in global properties. The root CMakeLists
# then builds libodai.so and libodai.a from all recorded objects.
function(odai_module name)
  cmake_parse_arguments(M "" "" "SOURCES;LIBS" ${ARGN})
  add_library(odai_${name} OBJECT ${M_SOURCES})
  target_include_directories(odai_${name} PRIVATE
    ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}
    ${PROJECT_BINARY_DIR}/include)
  target_compile_definitions(odai_${name} PRIVATE ODAI_BUILDING_LIBRARY)
  set_target_properties(odai_${name} PROPERTIES
    POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)
  if(M_LIBS)
    target_link_libraries(odai_${name} PRIVATE ${M_LIBS})
  endif()
  set_property(GLOBAL APPEND PROPERTY ODAI_OBJECT_LIBS odai_${name})
  set_property(GLOBAL APPEND PROPERTY ODAI_LINK_LIBS ${M_LIBS})
endfunction()

# odai_test(NAME SOURCES ... [LIBS ...] [LABELS ...])
# A cmocka (or plain) test program linked against the static library, so it
# can reach internal symbols. Registered with ctest; LABELS select groups
# (e.g. "sched" for the TSan run, "slow", "media").
function(odai_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE
    ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}
    ${PROJECT_BINARY_DIR}/include)
  target_link_libraries(${name} PRIVATE odai_static PkgConfig::CMOCKA ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name} ${T_ARGS})
  set_tests_properties(${name} PROPERTIES
    LABELS "${T_LABELS}"
    ENVIRONMENT "ODAI_SOURCE_DIR=${PROJECT_SOURCE_DIR};ODAI_SHARED_DIR=${ODAI_SHARED_DIR};ODAI_MODEL_DIR=${ODAI_MODEL_DIR};ODAI_MEDIA_DIR=${ODAI_MEDIA_DIR};CMOCKA_MESSAGE_OUTPUT=stdout")
endfunction()

# odai_fuzz(NAME SOURCES ...): a libFuzzer target, built only with
# -DODAI_FUZZ=ON and clang. scripts/fuzz.sh runs each for a bounded time.
function(odai_fuzz name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT ODAI_FUZZ)
    return()
  endif()
  add_executable(${name} ${F_SOURCES})
  target_include_directories(${name} PRIVATE
    ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}
    ${PROJECT_BINARY_DIR}/include)
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE odai_static ${F_LIBS})
  set_property(GLOBAL APPEND PROPERTY ODAI_FUZZ_TARGETS ${name})
endfunction()
