# generated from final/course.toml; edit there
# The exercises of this chapter. For each, the build compiles the files in its folder
# and links streamcraft_tests_ex_<id> with them in place of the chapter's own files;
# `ctest -L ex:<id>` runs that exercise's tests on it (cmake/StreamcraftSources.cmake).
set(STREAMCRAFT_EXERCISES committed-offsets group-hash protocol-selection sequence-check)
set(STREAMCRAFT_EXERCISE_committed-offsets_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/03-groups/committed-offsets")
set(STREAMCRAFT_EXERCISE_committed-offsets_FILES group/coordinator.cpp)
set(STREAMCRAFT_EXERCISE_group-hash_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/03-groups/group-hash")
set(STREAMCRAFT_EXERCISE_group-hash_FILES group/offsets_topic.cpp)
set(STREAMCRAFT_EXERCISE_protocol-selection_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/03-groups/protocol-selection")
set(STREAMCRAFT_EXERCISE_protocol-selection_FILES group/coordinator.cpp)
set(STREAMCRAFT_EXERCISE_sequence-check_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/03-groups/sequence-check")
set(STREAMCRAFT_EXERCISE_sequence-check_FILES log/producer_state.cpp)
