# Installation: libodai.so (SONAME libodai.so.<major>), libodai.a, the public
# headers, a pkg-config file (odai.pc) and a CMake package (find_package(odai)
# gives odai::odai, the shared library, and odai::odai_static).
include(CMakePackageConfigHelpers)

set_target_properties(odai_static PROPERTIES EXPORT_NAME odai_static)
install(TARGETS odai odai_static EXPORT odaiTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/odai DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/odai/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/odai)

install(EXPORT odaiTargets NAMESPACE odai:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/odai)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/odaiConfig.cmake.in
  ${PROJECT_BINARY_DIR}/odaiConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/odai)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/odaiConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/odaiConfig.cmake ${PROJECT_BINARY_DIR}/odaiConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/odai)

# pkg-config: the shared library by default; `pkg-config --static` adds the
# private dependencies for linking libodai.a.
set(ODAI_PC_REQUIRES_PRIVATE "libturbojpeg spng libv4l2 gstreamer-1.0 gstreamer-app-1.0 gstreamer-video-1.0 sdl2")
if(SODIUM_FOUND)
  string(APPEND ODAI_PC_REQUIRES_PRIVATE " libsodium")
endif()
set(ODAI_PC_LIBS_PRIVATE "-lpthread -lm -ldl")
if(YUV_LIBRARY)
  string(APPEND ODAI_PC_LIBS_PRIVATE " -lyuv")
endif()
# Relocatable: prefix relative to the .pc file's folder, whatever the libdir
# (lib, lib64, lib/x86_64-linux-gnu).
file(RELATIVE_PATH ODAI_PC_PREFIX_REL "${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" ODAI_PC_PREFIX_REL "${ODAI_PC_PREFIX_REL}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/odai.pc.in ${PROJECT_BINARY_DIR}/odai.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/odai.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
