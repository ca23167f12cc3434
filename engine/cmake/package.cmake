# Installs the engine as a package: the public headers, libsqlite_cdc.a, a CMake package
# (find_package(SqliteCdc CONFIG) -> SqliteCdc::sqlite_cdc) and a pkg-config file (sqlite-cdc.pc).
# Included from engine/CMakeLists.txt; the programs are installed by cli/CMakeLists.txt.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SQLITE_CDC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/SqliteCdc)

install(TARGETS sqlite_cdc
  EXPORT SqliteCdcTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT SqliteCdcTargets
  NAMESPACE SqliteCdc::
  DESTINATION ${SQLITE_CDC_CMAKE_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/SqliteCdcConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/SqliteCdcConfig.cmake
  INSTALL_DESTINATION ${SQLITE_CDC_CMAKE_DIR})
# Before 1.0 a minor version may change the API.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/SqliteCdcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/SqliteCdcConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/SqliteCdcConfigVersion.cmake
  DESTINATION ${SQLITE_CDC_CMAKE_DIR})

# The .pc file finds its prefix from its own location, so `cmake --install --prefix P` (which
# chooses the prefix after configuration) and a moved install tree both work.
file(RELATIVE_PATH SQLITE_CDC_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${CMAKE_CURRENT_LIST_DIR}/sqlite-cdc.pc.in ${CMAKE_CURRENT_BINARY_DIR}/sqlite-cdc.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/sqlite-cdc.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
