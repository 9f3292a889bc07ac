# generated from final/course.toml; edit there
# The exercises of this chapter. For each, the build compiles the files in its folder
# and links streamcraft_tests_ex_<id> with them in place of the chapter's own files;
# `ctest -L ex:<id>` runs that exercise's tests on it (cmake/StreamcraftSources.cmake).
set(STREAMCRAFT_EXERCISES)
