// generated from final/common/crc32c.h; edit there
// common/crc32c.h — CRC-32C (Castagnoli), the checksum of Kafka's record batches.
//
// Kafka chose CRC-32C over the older CRC-32 (used by magic 0/1 messages) because
// modern x86 and ARM CPUs compute it in hardware. We use the SSE4.2 instruction when
// the CPU has it and a table-driven software version otherwise; both give identical
// results, and the tests check them against each other and against known vectors.
#pragma once

#include <cstdint>

#include "common/bytes.h"

namespace streamcraft {

// CRC-32C of data, continuing from a previous crc (0 to start).
std::uint32_t crc32c(ByteSpan data, std::uint32_t crc = 0);

// The portable implementation, exposed so tests can compare it with the hardware path.
std::uint32_t crc32c_software(ByteSpan data, std::uint32_t crc = 0);

// True when crc32c() uses the CPU's CRC instruction.
bool crc32c_hardware_available();

}  // namespace streamcraft
