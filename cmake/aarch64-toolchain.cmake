# cmake/aarch64-toolchain.cmake: cross-compile for arm64 with Debian's
# aarch64-linux-gnu-gcc and run the tests under qemu-user (ctest uses the
# emulator). Used by scripts/test.sh with -DODAI_ARM64_TESTS_ONLY=ON to test
# the NEON kernels (label "neon").
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig)
# The root project enables CXX, but only C is built in this configuration and
# Debian's g++-aarch64-linux-gnu need not be installed: take the C driver and
# skip CMake's C++ probe.
if(EXISTS /usr/bin/aarch64-linux-gnu-g++)
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
else()
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-gcc)
  set(CMAKE_CXX_COMPILER_WORKS 1)
  set(CMAKE_CXX_COMPILER_ID GNU)
  set(CMAKE_CXX_COMPILER_FORCED 1)
endif()
