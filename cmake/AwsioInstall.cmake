# Install headers, libraries, the CMake package (awsio::awsio) and awsio.pc.
include(CMakePackageConfigHelpers)

install(DIRECTORY include/awsio DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS awsio awsio_tls_core EXPORT awsioTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT awsioTargets NAMESPACE awsio:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/awsio)

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/awsioConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/awsioConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/awsio)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/awsioConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/awsioConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/awsioConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/awsio)

# The .pc file locates the prefix relative to itself, so the install tree can be moved.
file(RELATIVE_PATH AWSIO_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" AWSIO_PC_TO_PREFIX "${AWSIO_PC_TO_PREFIX}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/awsio.pc.in ${CMAKE_CURRENT_BINARY_DIR}/awsio.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/awsio.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
