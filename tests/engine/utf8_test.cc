#include "utf8.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace sqlite_cdc::internal {
namespace {

std::string Repaired(std::string text) {
  RepairUtf8(text);
  return text;
}

TEST(RepairUtf8Test, ValidTextIsUntouched) {
  for (std::string text : {"plain", "café", "日本語", "🎉 emoji", ""}) {
    EXPECT_FALSE(RepairUtf8(text)) << text;
  }
}

TEST(RepairUtf8Test, EachMaximalInvalidSubpartBecomesOneReplacementCharacter) {
  EXPECT_EQ(Repaired("a\x80z"), "a\xEF\xBF\xBDz");                              // stray continuation byte
  EXPECT_EQ(Repaired("a\xE2\x82z"), "a\xEF\xBF\xBDz");                          // truncated 3-byte sequence
  EXPECT_EQ(Repaired("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong: two invalid bytes
  EXPECT_EQ(Repaired("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(Repaired("\xF4\x90\x80\x80").size(), 12u);                          // past U+10FFFF
  EXPECT_EQ(Repaired("ok\xFF"), "ok\xEF\xBF\xBD");
}

TEST(RepairUtf8Test, RepairedJsonParsesStrictly) {
  const std::string image = std::string("{\"t\":\"") + "x\xC3(\xE2\x82" + "\"}";
  EXPECT_FALSE(nlohmann::json::accept(image));
  EXPECT_TRUE(nlohmann::json::accept(Repaired(image)));
}

}  // namespace
}  // namespace sqlite_cdc::internal
