#include "json_check.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

namespace sqlite_cdc::internal {
namespace {

class Checker {
 public:
  explicit Checker(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

  bool Object() {
    SkipSpace();
    if (at_ == end_ || *at_ != '{') return false;
    if (!Value()) return false;
    SkipSpace();
    return at_ == end_;
  }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  void SkipSpace() {
    while (at_ != end_ && IsSpace(*at_)) ++at_;
  }

  bool Take(char c) {
    SkipSpace();
    if (at_ == end_ || *at_ != c) return false;
    ++at_;
    return true;
  }

  // Iterative over containers, so no input can exhaust the stack: `open` holds the kinds ('{' or
  // '[') of the containers the cursor is inside.
  bool Value() {
    std::string open;
    for (;;) {
      SkipSpace();
      if (at_ == end_) return false;
      // One scalar or the start of a container.
      if (*at_ == '{' || *at_ == '[') {
        const char kind = *at_++;
        open.push_back(kind);
        SkipSpace();
        if (at_ != end_ && *at_ == (kind == '{' ? '}' : ']')) {
          ++at_;
          open.pop_back();
        } else {
          if (kind == '{' && !Member()) return false;
          continue;
        }
      } else if (!Scalar()) {
        return false;
      }
      // Close what ends here; go on after a comma.
      for (;;) {
        if (open.empty()) return true;
        SkipSpace();
        if (at_ == end_) return false;
        const char kind = open.back();
        if (*at_ == ',') {
          ++at_;
          if (kind == '{' && !Member()) return false;
          break;
        }
        if (*at_ != (kind == '{' ? '}' : ']')) return false;
        ++at_;
        open.pop_back();
      }
    }
  }

  // A member's name and colon; its value follows.
  bool Member() {
    SkipSpace();
    if (at_ == end_ || *at_ != '"' || !String()) return false;
    return Take(':');
  }

  bool Scalar() {
    switch (*at_) {
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - at_) < word.size() || std::string_view(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // REQUIRES: *at_ == '"'.
  bool String() {
    ++at_;
    for (;;) {
      // Most bytes are plain: skip them with one table look-up each.
      while (at_ != end_ && kPlain[static_cast<unsigned char>(*at_)]) ++at_;
      if (at_ == end_) return false;
      const unsigned char c = static_cast<unsigned char>(*at_++);
      if (c == '"') return true;
      if (c < 0x20 || !Escape()) return false;  // else c is a backslash
    }
  }

  // Bytes a string may hold as they are: anything but '"', '\\' and control characters.
  static constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> plain{};
    for (int c = 0x20; c < 256; ++c) plain[c] = c != '"' && c != '\\';
    return plain;
  }();

  bool Escape() {
    if (at_ == end_) return false;
    switch (*at_++) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    int unit = 0;
    if (!Hex4(&unit)) return false;
    if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // a low surrogate alone
    if (unit < 0xD800 || unit > 0xDBFF) return true;
    int low = 0;
    if (end_ - at_ < 2 || at_[0] != '\\' || at_[1] != 'u') return false;
    at_ += 2;
    return Hex4(&low) && low >= 0xDC00 && low <= 0xDFFF;
  }

  bool Hex4(int* unit) {
    if (end_ - at_ < 4) return false;
    *unit = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = HexValue(*at_++);
      if (digit < 0) return false;
      *unit = *unit * 16 + digit;
    }
    return true;
  }

  bool Number() {
    const char* start = at_;
    if (*at_ == '-') ++at_;
    if (at_ == end_ || !IsDigit(*at_)) return false;
    if (*at_ == '0') {
      ++at_;
    } else {
      while (at_ != end_ && IsDigit(*at_)) ++at_;
    }
    if (at_ != end_ && *at_ == '.') {
      ++at_;
      if (at_ == end_ || !IsDigit(*at_)) return false;
      while (at_ != end_ && IsDigit(*at_)) ++at_;
    }
    bool exponent = false;
    if (at_ != end_ && (*at_ == 'e' || *at_ == 'E')) {
      exponent = true;
      ++at_;
      if (at_ != end_ && (*at_ == '+' || *at_ == '-')) ++at_;
      if (at_ == end_ || !IsDigit(*at_)) return false;
      while (at_ != end_ && IsDigit(*at_)) ++at_;
    }
    // Only an exponent or more than 300 digits can leave a double's range: parse just those.
    if (exponent || at_ - start > 300) {
      double value = 0;
      const auto [end, error] = std::from_chars(start, at_, value);
      if (error == std::errc::result_out_of_range && end == at_) {
        // from_chars reports underflow as out of range too; only overflow is rejected.
        return !HasLargeExponent(start, at_);
      }
      return error == std::errc() && end == at_;
    }
    return true;
  }

  // Whether a number that from_chars found out of range is too large (not too small): the power of
  // ten of its first non-zero digit, exponent included, is not negative.
  static bool HasLargeExponent(const char* start, const char* end) {
    const std::string_view text(start, static_cast<size_t>(end - start));
    const size_t e = text.find_first_of("eE");
    const std::string_view mantissa = text.substr(0, e);
    const size_t point = std::min(mantissa.find('.'), mantissa.size());
    const size_t first = mantissa.find_first_of("123456789");
    if (first == std::string_view::npos) return false;  // zero never overflows
    long long power =
        first < point ? static_cast<long long>(point - first) - 1 : -static_cast<long long>(first - point);
    if (e != std::string_view::npos) {
      long long exponent = 0;
      size_t at = e + 1;
      const bool negative = at < text.size() && text[at] == '-';
      if (at < text.size() && (text[at] == '-' || text[at] == '+')) ++at;
      for (; at < text.size() && exponent < 1'000'000'000; ++at) exponent = exponent * 10 + (text[at] - '0');
      power += negative ? -exponent : exponent;
    }
    return power >= 0;
  }

  const char* at_;
  const char* end_;
};

}  // namespace

bool IsJsonObjectText(std::string_view text) { return Checker(text).Object(); }

}  // namespace sqlite_cdc::internal
