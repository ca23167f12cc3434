#include "utf8.h"

#include <algorithm>

namespace sqlite_cdc::internal {
namespace {

struct Range {
  unsigned lo;
  unsigned hi;
  bool Holds(unsigned b) const { return b >= lo && b <= hi; }
};

// Bytes a sequence starting with `lead` has in all, or 0 if `lead` cannot start one.
size_t SequenceLength(unsigned lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// The allowed range of the second byte, which rules out overlongs, surrogates and code points past
// U+10FFFF (Table 3-7 of the Unicode Standard, "Well-Formed UTF-8 Byte Sequences").
Range SecondByte(unsigned lead) {
  switch (lead) {
    case 0xE0:
      return {0xA0, 0xBF};
    case 0xED:
      return {0x80, 0x9F};
    case 0xF0:
      return {0x90, 0xBF};
    case 0xF4:
      return {0x80, 0x8F};
    default:
      return {0x80, 0xBF};
  }
}

// How many bytes at text[i] form a prefix of a well-formed sequence, and whether it is complete.
size_t WellFormedPrefix(const std::string& text, size_t i, bool* complete) {
  const unsigned lead = static_cast<unsigned char>(text[i]);
  const size_t length = SequenceLength(lead);
  *complete = length == 1;
  if (length <= 1) return 1;
  size_t n = 1;
  while (n < length && i + n < text.size()) {
    const unsigned byte = static_cast<unsigned char>(text[i + n]);
    if (!(n == 1 ? SecondByte(lead) : Range{0x80, 0xBF}).Holds(byte)) break;
    ++n;
  }
  *complete = n == length;
  return n;
}

}  // namespace

bool RepairUtf8(std::string& text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return false;
  }
  std::string repaired;
  bool changed = false;
  for (size_t i = 0; i < text.size();) {
    bool complete = false;
    const size_t n = WellFormedPrefix(text, i, &complete);
    if (complete) {
      repaired.append(text, i, n);
    } else {
      repaired += "\xEF\xBF\xBD";  // one U+FFFD per maximal invalid subpart
      changed = true;
    }
    i += n;
  }
  if (changed) text.swap(repaired);
  return changed;
}

}  // namespace sqlite_cdc::internal
