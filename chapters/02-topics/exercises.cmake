# generated from final/course.toml; edit there
# The exercises of this chapter. For each, the build compiles the files in its folder
# and links streamcraft_tests_ex_<id> with them in place of the chapter's own files;
# `ctest -L ex:<id>` runs that exercise's tests on it (cmake/StreamcraftSources.cmake).
set(STREAMCRAFT_EXERCISES topic-store framing response-order murmur2)
set(STREAMCRAFT_EXERCISE_topic-store_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/02-topics/topic-store")
set(STREAMCRAFT_EXERCISE_topic-store_FILES broker/log_manager.cpp)
set(STREAMCRAFT_EXERCISE_framing_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/02-topics/framing")
set(STREAMCRAFT_EXERCISE_framing_FILES broker/connection.cpp)
set(STREAMCRAFT_EXERCISE_response-order_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/02-topics/response-order")
set(STREAMCRAFT_EXERCISE_response-order_FILES broker/connection.cpp)
set(STREAMCRAFT_EXERCISE_murmur2_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/02-topics/murmur2")
set(STREAMCRAFT_EXERCISE_murmur2_FILES client/partitioner.cpp)
