# generated from final/cmake/FindAsio.cmake; edit there
# cmake/FindAsio.cmake — standalone Asio (Debian: libasio-dev), header-only.
#
# Debian ships no CMake package for it, so this module finds asio.hpp and provides the
# imported target Asio::Asio (standalone mode, no Boost, deprecated APIs switched off).
include_guard(GLOBAL)
find_path(ASIO_INCLUDE_DIR NAMES asio.hpp PATHS /usr/include)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Asio REQUIRED_VARS ASIO_INCLUDE_DIR)
if(Asio_FOUND AND NOT TARGET Asio::Asio)
  find_package(Threads REQUIRED)
  add_library(Asio::Asio INTERFACE IMPORTED)
  set_target_properties(Asio::Asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${ASIO_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "ASIO_STANDALONE;ASIO_NO_DEPRECATED"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
