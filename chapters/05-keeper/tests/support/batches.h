// generated from tests/support/batches.h; edit there
// support/batches.h — building record batches for tests in one line.
#pragma once

#include <string>
#include <vector>

#include "record/record.h"

namespace streamcraft::test {

// A batch of `count` records "value-<i>" (keys "key-<i>"), all with `timestamp`, each
// value padded to at least value_size bytes.
inline Bytes make_batch(int count, std::int64_t timestamp = 1'700'000'000'000, std::size_t value_size = 0,
                        int first_index = 0) {
  std::vector<record::RecordSpec> records;
  for (int i = first_index; i < first_index + count; ++i) {
    record::RecordSpec r;
    r.key = "key-" + std::to_string(i);
    r.value = "value-" + std::to_string(i);
    if (r.value->size() < value_size) r.value->append(value_size - r.value->size(), 'x');
    r.timestamp = timestamp;
    records.push_back(std::move(r));
  }
  return record::build_batch(records);
}

}  // namespace streamcraft::test
