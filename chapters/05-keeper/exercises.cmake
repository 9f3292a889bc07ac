# generated from final/course.toml; edit there
# The exercises of this chapter. For each, the build compiles the files in its folder
# and links streamcraft_tests_ex_<id> with them in place of the chapter's own files;
# `ctest -L ex:<id>` runs that exercise's tests on it (cmake/StreamcraftSources.cmake).
set(STREAMCRAFT_EXERCISES data-tree acl-check session-deadlines)
set(STREAMCRAFT_EXERCISE_data-tree_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/05-keeper/data-tree")
set(STREAMCRAFT_EXERCISE_data-tree_FILES keeper/data_tree.cpp)
set(STREAMCRAFT_EXERCISE_acl-check_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/05-keeper/acl-check")
set(STREAMCRAFT_EXERCISE_acl-check_FILES keeper/acl.cpp)
set(STREAMCRAFT_EXERCISE_session-deadlines_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/05-keeper/session-deadlines")
set(STREAMCRAFT_EXERCISE_session-deadlines_FILES keeper/sessions.cpp)
