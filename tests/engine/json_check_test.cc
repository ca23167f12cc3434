// The drain's JSON object check against nlohmann's parser, which sqlite-cdc-restore and most
// consumers use: what one accepts the other must accept.
#include "json_check.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace sqlite_cdc::internal {
namespace {

// What nlohmann accepts as one object.
bool NlohmannObject(const std::string& text) {
  if (!nlohmann::json::accept(text)) return false;
  return nlohmann::json::parse(text).is_object();
}

TEST(JsonCheckTest, AcceptsObjectsTheTriggersWriteAndRejectsTheRest) {
  for (const std::string good :
       {"{}", " {\"id\":1} ", "{\"a\":null,\"b\":true,\"c\":false,\"d\":-0.5e-3,\"e\":\"x\"}",
        "{\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\":[1,[],{},[{\"x\":[2]}]]}",
        "{\"big\":9223372036854775807,\"r\":1.7976931348623157e308,\"tiny\":1e-999}", "{\"t\":\"caf\xc3\xa9\"}"}) {
    EXPECT_TRUE(IsJsonObjectText(good)) << good;
    EXPECT_TRUE(NlohmannObject(good)) << good;
  }
  for (const std::string bad : {"",
                                " ",
                                "[]",
                                "1",
                                "\"x\"",
                                "null",
                                "{",
                                "}",
                                "{\"a\"}",
                                "{\"a\":}",
                                "{\"a\":1,}",
                                "{,}",
                                "{\"a\":1}}",
                                "{\"a\":1} x",
                                "{\"a\":01}",
                                "{\"a\":1.}",
                                "{\"a\":.5}",
                                "{\"a\":1e}",
                                "{\"a\":+1}",
                                "{\"a\":Inf}",
                                "{\"a\":NaN}",
                                "{\"a\":1e999}",
                                "{\"a\":-1e400}",
                                "{\"a\":0.001e312}",
                                "{\"a\":\"\\x\"}",
                                "{\"a\":\"\\u12\"}",
                                "{\"a\":\"\\ud800\"}",
                                "{\"a\":\"\\udc00\"}",
                                "{\"a\":\"\\ud800\\u0041\"}",
                                "{\"a\":\"tab\there\"}",
                                "{a:1}",
                                "{'a':1}",
                                "{\"a\":tru}",
                                "{\"a\":[1,2}",
                                "{\"a\":{\"b\":1]}",
                                "{\"a\":1}{\"b\":2}"}) {
    EXPECT_FALSE(IsJsonObjectText(bad)) << bad;
    EXPECT_FALSE(NlohmannObject(bad)) << bad;
  }
}

TEST(JsonCheckTest, DeepNestingNeitherCrashesNorDiffers) {
  const std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_TRUE(IsJsonObjectText(deep));
  EXPECT_FALSE(IsJsonObjectText("{\"a\":" + std::string(100000, '[') + "}"));
}

// Random edits of sound images: every verdict equals nlohmann's.
TEST(JsonCheckTest, AgreesWithNlohmannOnRandomlyDamagedImages) {
  const std::vector<std::string> seeds = {
      "{\"id\":1,\"email\":\"a@x\",\"score\":0.37,\"n\":null,\"flag\":true,\"note\":\"line\\nbreak \\u00e9\"}",
      "{\"order\":7,\"line\":2,\"qty\":-3.5e+10,\"tags\":[\"a\",{\"b\":[1,2,3]}]}"};
  const std::string alphabet = "{}[]\":,.-+0123456789eEtrufalsn\\/ux \t\nab";
  std::mt19937 random(20261130);
  int rejected = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string text = seeds[round % seeds.size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t at = random() % (text.size() + 1);
      switch (random() % 3) {
        case 0:
          text.insert(at, 1, alphabet[random() % alphabet.size()]);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          if (at < text.size()) text[at] = alphabet[random() % alphabet.size()];
          break;
      }
    }
    const bool expected = NlohmannObject(text);
    ASSERT_EQ(IsJsonObjectText(text), expected) << text;
    rejected += expected ? 0 : 1;
  }
  EXPECT_GT(rejected, 1000) << "the edits must damage some images";
}

}  // namespace
}  // namespace sqlite_cdc::internal
