// generated from tests/support/temp_dir.h; edit there
// support/temp_dir.h — a fresh directory per test, removed when the test ends.
#pragma once

#include <filesystem>

#include "common/bytes.h"

namespace streamcraft::test {

class TempDir {
 public:
  TempDir();  // under $TMPDIR (or /tmp), unique per call
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Whole-file helpers for tests that damage files on purpose.
Bytes read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, ByteSpan bytes);
// Bytes of a file in tests/data.
Bytes test_data(const std::string& name);

}  // namespace streamcraft::test
