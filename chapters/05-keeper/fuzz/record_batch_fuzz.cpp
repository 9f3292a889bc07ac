// generated from final/fuzz/record_batch_fuzz.cpp; edit there
// fuzz/record_batch_fuzz.cpp — random bytes through every batch decoder.
//
// A broker decodes whatever a network peer sends. For any input these functions must
// return (an error or a value) without reading out of bounds, overflowing, allocating
// absurd amounts, or disagreeing with each other.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "record/batch.h"
#include "record/record.h"

using namespace streamcraft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ByteSpan input(reinterpret_cast<const std::byte*>(data), size);
  (void)record::read_frame(input, 1 << 20);
  (void)record::decode_header(input);
  auto integrity = record::check_integrity(input);
  auto client = record::validate_client_batch(input);
  // A batch a client may send is always a structurally sound batch.
  if (client.ok() && !integrity.ok()) throw std::logic_error("validate_client_batch accepted a corrupt batch");
  // Records are decoded even without a valid CRC: the decoder must be safe on its own.
  auto records = record::decode_records(input);
  auto checked = record::check_records(input);  // Result<RecordsSummary>
  if (records.ok() != checked.ok()) throw std::logic_error("decode_records and check_records disagree");
  return 0;
}
