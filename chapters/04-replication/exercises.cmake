# generated from final/course.toml; edit there
# The exercises of this chapter. For each, the build compiles the files in its folder
# and links streamcraft_tests_ex_<id> with them in place of the chapter's own files;
# `ctest -L ex:<id>` runs that exercise's tests on it (cmake/StreamcraftSources.cmake).
set(STREAMCRAFT_EXERCISES epoch-end-offset leader-partition truncation-point)
set(STREAMCRAFT_EXERCISE_epoch-end-offset_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/04-replication/epoch-end-offset")
set(STREAMCRAFT_EXERCISE_epoch-end-offset_FILES log/leader_epoch_cache.cpp)
set(STREAMCRAFT_EXERCISE_leader-partition_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/04-replication/leader-partition")
set(STREAMCRAFT_EXERCISE_leader-partition_FILES replication/leader_partition.cpp)
set(STREAMCRAFT_EXERCISE_truncation-point_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/04-replication/truncation-point")
set(STREAMCRAFT_EXERCISE_truncation-point_FILES replication/truncation.cpp)
