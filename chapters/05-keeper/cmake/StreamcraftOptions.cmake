# generated from final/cmake/StreamcraftOptions.cmake; edit there
# cmake/StreamcraftOptions.cmake — compiler settings shared by every build of the course.
#
# C++20, warnings as errors (a warning in a teaching code base teaches the wrong thing),
# an optional AddressSanitizer + UndefinedBehaviorSanitizer build for the tests, and
# ccache when it is installed so that rebuilding chapters and exercises is cheap.
include_guard(GLOBAL)

set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

option(STREAMCRAFT_WERROR "Treat compiler warnings as errors" ON)
option(STREAMCRAFT_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(STREAMCRAFT_BENCHMARKS "Build the benchmark programs" ON)

find_program(STREAMCRAFT_CCACHE ccache)
if(STREAMCRAFT_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${STREAMCRAFT_CCACHE}")
endif()

add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wimplicit-fallthrough)
if(STREAMCRAFT_WERROR)
  add_compile_options(-Werror)
endif()

if(STREAMCRAFT_SANITIZE)
  # -fno-sanitize-recover makes undefined behaviour fail the test instead of printing a
  # line that nobody reads.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
