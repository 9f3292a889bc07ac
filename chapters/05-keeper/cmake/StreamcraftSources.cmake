# generated from final/cmake/StreamcraftSources.cmake; edit there
# cmake/StreamcraftSources.cmake — the course's libraries, built so that an exercise can
# swap a file without compiling anything else again.
#
# An exercise folder (exercises/NN-slug/<id>/) holds only the files a student edits. The
# chapter's build compiles each of those files once more from the exercise folder and
# links a second test program, streamcraft_tests_ex_<id>, from the chapter's own objects
# with the student's in their place. So a chapter with three exercises costs three small
# compiles and three links more than the chapter alone — not three more builds.
#
# For that, a library is declared with streamcraft_library(): its sources are compiled in
# an OBJECT library (<name>_objects), except the files that are some exercise's starter,
# which each get an OBJECT library of their own; the STATIC library <name> is put together
# from those objects. The chapter's exercises.cmake (generated from final/course.toml)
# names the exercises and their files; final/ has none, so there every file is ordinary.
#
# Invariant: the test program of an exercise never contains the reference object of a
# file that exercise replaces — it is linked from objects, not from the libraries, so the
# linker cannot quietly take the chapter's solution instead of the student's code.
include_guard(GLOBAL)

set(STREAMCRAFT_EXERCISES "")
include("${PROJECT_SOURCE_DIR}/exercises.cmake" OPTIONAL)
set_property(GLOBAL PROPERTY STREAMCRAFT_LIBRARIES "")

# A target name for a file: log/time_index.cpp -> log_time_index_cpp
function(streamcraft_file_target out rel)
  string(MAKE_C_IDENTIFIER "${rel}" id)
  set(${out} "${id}" PARENT_SCOPE)
endfunction()

# Is `rel` the starter file of some exercise of this build?
function(streamcraft_is_exercise_file out rel)
  set(found FALSE)
  foreach(ex IN LISTS STREAMCRAFT_EXERCISES)
    if(rel IN_LIST STREAMCRAFT_EXERCISE_${ex}_FILES)
      set(found TRUE)
    endif()
  endforeach()
  set(${out} ${found} PARENT_SCOPE)
endfunction()

# streamcraft_library(<name> SOURCES <paths relative to this folder>...
#                     [LINK <libraries>...] [INCLUDE <dirs>...] [DEFINES <definitions>...])
# LINK, INCLUDE and DEFINES are PUBLIC usage requirements of the library and of every
# object library it is made of (they are compiled with the same settings).
function(streamcraft_library name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LINK;INCLUDE;DEFINES")
  set(ordinary "")
  set(exercise_files "")
  foreach(rel IN LISTS arg_SOURCES)
    streamcraft_is_exercise_file(is_exercise "${rel}")
    if(is_exercise)
      list(APPEND exercise_files "${rel}")
    else()
      list(APPEND ordinary "${rel}")
    endif()
  endforeach()

  set(object_libs ${name}_objects)
  add_library(${name}_objects OBJECT ${ordinary})
  foreach(rel IN LISTS exercise_files)
    streamcraft_file_target(id "${rel}")
    add_library(${name}__${id} OBJECT "${rel}")
    list(APPEND object_libs ${name}__${id})
  endforeach()
  set(objects "")
  foreach(lib IN LISTS object_libs)
    list(APPEND objects $<TARGET_OBJECTS:${lib}>)
  endforeach()
  add_library(${name} STATIC ${objects})

  foreach(target IN LISTS object_libs name)
    streamcraft_usage(${target} PUBLIC "${arg_LINK}" "${arg_INCLUDE}" "${arg_DEFINES}")
  endforeach()
  set_property(GLOBAL APPEND PROPERTY STREAMCRAFT_LIBRARIES ${name})
  set_property(GLOBAL PROPERTY STREAMCRAFT_${name}_EXERCISE_FILES "${exercise_files}")
  set_property(GLOBAL PROPERTY STREAMCRAFT_${name}_LINK "${arg_LINK}")
  set_property(GLOBAL PROPERTY STREAMCRAFT_${name}_INCLUDE "${arg_INCLUDE}")
  set_property(GLOBAL PROPERTY STREAMCRAFT_${name}_DEFINES "${arg_DEFINES}")
endfunction()

function(streamcraft_usage target scope link include defines)
  if(include)
    target_include_directories(${target} ${scope} ${include})
  endif()
  if(link)
    target_link_libraries(${target} ${scope} ${link})
  endif()
  if(defines)
    target_compile_definitions(${target} ${scope} ${defines})
  endif()
endfunction()

# streamcraft_exercise_programs(<program> <objects target>): for every exercise of this
# build, the program <program>_ex_<id>: <objects target> (the tests) with every library's
# objects, the exercise's files compiled from its folder in place of the chapter's.
function(streamcraft_exercise_programs program tests_objects)
  get_property(libraries GLOBAL PROPERTY STREAMCRAFT_LIBRARIES)
  foreach(ex IN LISTS STREAMCRAFT_EXERCISES)
    set(objects $<TARGET_OBJECTS:${tests_objects}>)
    set(external "")
    set(swapped "")
    foreach(lib IN LISTS libraries)
      get_property(files GLOBAL PROPERTY STREAMCRAFT_${lib}_EXERCISE_FILES)
      get_property(link GLOBAL PROPERTY STREAMCRAFT_${lib}_LINK)
      get_property(include GLOBAL PROPERTY STREAMCRAFT_${lib}_INCLUDE)
      get_property(defines GLOBAL PROPERTY STREAMCRAFT_${lib}_DEFINES)
      list(APPEND objects $<TARGET_OBJECTS:${lib}_objects>)
      foreach(rel IN LISTS files)
        streamcraft_file_target(id "${rel}")
        if(rel IN_LIST STREAMCRAFT_EXERCISE_${ex}_FILES)
          set(student ${program}_ex_${ex}__${id})
          string(MAKE_C_IDENTIFIER "${student}" student)
          add_library(${student} OBJECT "${STREAMCRAFT_EXERCISE_${ex}_DIR}/${rel}")
          # Compiled with the library's settings: it sees the chapter's headers, as the
          # chapter's own copy of the file does.
          streamcraft_usage(${student} PRIVATE "${link}" "${include}" "${defines}")
          list(APPEND objects $<TARGET_OBJECTS:${student}>)
          list(APPEND swapped "${rel}")
        else()
          list(APPEND objects $<TARGET_OBJECTS:${lib}__${id}>)
        endif()
      endforeach()
      foreach(item IN LISTS link)
        if(NOT item IN_LIST libraries)
          list(APPEND external "${item}")
        endif()
      endforeach()
    endforeach()
    foreach(rel IN LISTS STREAMCRAFT_EXERCISE_${ex}_FILES)
      if(NOT rel IN_LIST swapped)
        message(FATAL_ERROR "exercise ${ex}: ${rel} is not a source of any library of this build")
      endif()
    endforeach()
    list(REMOVE_DUPLICATES external)
    add_executable(${program}_ex_${ex} ${objects})
    target_link_libraries(${program}_ex_${ex} PRIVATE ${external})
  endforeach()
endfunction()
