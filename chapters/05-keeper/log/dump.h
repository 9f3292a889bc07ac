// generated from final/log/dump.h; edit there
// log/dump.h — human-readable dumps of segment files (like Kafka's kafka-dump-log).
//
// Reading the bytes a log really stores is the best way to understand it, and the first
// thing an operator does when a log looks wrong. The dumps read files directly, never
// through a Log, so they also work on a damaged directory: they print every valid batch
// and then say exactly where and why the data stops making sense.
#pragma once

#include <filesystem>
#include <ostream>

#include "common/error.h"
#include "log/file.h"

namespace streamcraft::log {

struct DumpOptions {
  bool records = false;  // also print each record of uncompressed batches
};

// Dumps a .log, .index or .timeindex file, chosen by extension.
Status dump_file(FileSystem& fs, const std::filesystem::path& path, const DumpOptions& options, std::ostream& out);

}  // namespace streamcraft::log
