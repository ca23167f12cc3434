#pragma once

#include <string>

namespace sqlite_cdc::internal {

// SQL cannot validate UTF-8, so a TEXT value holding invalid bytes reaches the log as is. Before a
// change leaves the engine, every maximal invalid subsequence is replaced with U+FFFD (the Unicode
// "substitution of maximal subparts" practice), so events are always valid UTF-8 and so valid JSON.
// Returns true if anything was replaced. Fast path: pure ASCII is left untouched after one scan.
bool RepairUtf8(std::string& text);

}  // namespace sqlite_cdc::internal
