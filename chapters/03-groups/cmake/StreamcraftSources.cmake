# generated from final/cmake/StreamcraftSources.cmake; edit there
# cmake/StreamcraftSources.cmake — source lists that exercises can override.
#
# An exercise folder (exercises/NN-slug/<id>/) holds only the files a student edits. It
# builds its chapter with STREAMCRAFT_OVERLAY_DIR pointing at itself, and
# streamcraft_sources() then takes each listed file from the overlay when it exists there.
include_guard(GLOBAL)

set(STREAMCRAFT_OVERLAY_DIR "" CACHE PATH "Folder whose files replace the chapter's (exercises)")

# streamcraft_sources(<out-var> <relative paths>...)
function(streamcraft_sources out)
  set(result "")
  foreach(rel IN LISTS ARGN)
    if(STREAMCRAFT_OVERLAY_DIR AND EXISTS "${STREAMCRAFT_OVERLAY_DIR}/${rel}")
      list(APPEND result "${STREAMCRAFT_OVERLAY_DIR}/${rel}")
    else()
      list(APPEND result "${CMAKE_CURRENT_SOURCE_DIR}/${rel}")
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()
