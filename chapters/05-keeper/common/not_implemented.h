// generated from final/common/not_implemented.h; edit there
// common/not_implemented.h — the stub that exercise starters call.
//
// The course generator replaces each exercise region in a starter file by a call to
// not_implemented("<chapter>/<exercise>", args...). It throws a typed exception, so a
// test that reaches it fails with a clear message instead of crashing the test runner.
// The arguments are only "used" so that -Werror does not reject the unused parameters
// of the stubbed function.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace streamcraft {

struct NotImplemented : std::logic_error {
  explicit NotImplemented(std::string_view exercise)
      : std::logic_error("not implemented: exercise " + std::string(exercise) +
                         " (see its README in exercises/)") {}
};

template <class... Args>
[[noreturn]] void not_implemented(std::string_view exercise, const Args&... /*unused*/) {
  throw NotImplemented(exercise);
}

}  // namespace streamcraft
