# generated from final/course.toml; edit there
# The exercises of this chapter. For each, the build compiles the files in its folder
# and links streamcraft_tests_ex_<id> with them in place of the chapter's own files;
# `ctest -L ex:<id>` runs that exercise's tests on it (cmake/StreamcraftSources.cmake).
set(STREAMCRAFT_EXERCISES log-open time-index size-retention recovery-scan)
set(STREAMCRAFT_EXERCISE_log-open_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/01-log/log-open")
set(STREAMCRAFT_EXERCISE_log-open_FILES log/log.cpp)
set(STREAMCRAFT_EXERCISE_time-index_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/01-log/time-index")
set(STREAMCRAFT_EXERCISE_time-index_FILES log/time_index.cpp)
set(STREAMCRAFT_EXERCISE_size-retention_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/01-log/size-retention")
set(STREAMCRAFT_EXERCISE_size-retention_FILES log/retention.cpp)
set(STREAMCRAFT_EXERCISE_recovery-scan_DIR "${CMAKE_CURRENT_LIST_DIR}/../../exercises/01-log/recovery-scan")
set(STREAMCRAFT_EXERCISE_recovery-scan_FILES log/recovery.cpp)
