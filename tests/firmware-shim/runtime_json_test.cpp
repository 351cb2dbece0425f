// The runtime's flat-JSON helpers, which firmware uses to read module responses.
#include <gtest/gtest.h>

#include <string>

#include "twelvefold/firmware.h"

namespace {

std::string read_string(const char* json, const char* key, size_t capacity = 64) {
  std::string out(capacity, 'x');
  const int found = tf_json_string(json, key, out.data(), capacity);
  if (!found) {
    EXPECT_EQ(out[0], '\0') << "out must be empty when not found";
    return "<absent>";
  }
  return out.c_str();
}

TEST(RuntimeJson, NumbersAtTopLevel) {
  const char* json = R"({"time":1700000000,"minutes":-60,"lat":42.5,"exp":1.5e3,"zero":0})";
  EXPECT_EQ(tf_json_number(json, "time", -1), 1700000000.0);
  EXPECT_EQ(tf_json_number(json, "minutes", 0), -60.0);
  EXPECT_DOUBLE_EQ(tf_json_number(json, "lat", 0), 42.5);
  EXPECT_EQ(tf_json_number(json, "exp", 0), 1500.0);
  EXPECT_EQ(tf_json_number(json, "zero", 7), 0.0);
  EXPECT_EQ(tf_json_number(json, "absent", 7), 7.0);
}

TEST(RuntimeJson, NumberOfWrongTypeOrMalformedGivesFallback) {
  EXPECT_EQ(tf_json_number(R"({"n":"15"})", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number(R"({"n":true})", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number(R"({"n":0x10})", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number(R"({"n":inf})", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number(R"({"n":-})", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number(R"({"n":1.})", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number(R"({"n":01})", "n", 3), 3.0);
  // Cut short by truncation: never half a number.
  EXPECT_EQ(tf_json_number(R"({"n":12)", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number("", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number("[1,2]", "n", 3), 3.0);
  EXPECT_EQ(tf_json_number(nullptr, "n", 3), 3.0);
  EXPECT_EQ(tf_json_number(R"({"n":1})", nullptr, 3), 3.0);
}

TEST(RuntimeJson, OnlyTopLevelKeysMatch) {
  const char* json =
      R"({"body":{"text":"inner","n":1,"deep":[{"err":"x"}]},"list":["text",{"n":2}],"n":3})";
  EXPECT_EQ(read_string(json, "text"), "<absent>");
  EXPECT_EQ(tf_json_number(json, "n", 0), 3.0);
  EXPECT_FALSE(tf_json_is_error(json));
}

TEST(RuntimeJson, StringEscapesDecode) {
  const char* json = R"({"text":"a\"b\\c\/d\n\t\u0041\u00e9\ud83d\ude00"})";
  EXPECT_EQ(read_string(json, "text"), "a\"b\\c/d\n\tA\xc3\xa9\xf0\x9f\x98\x80");
  // A lone surrogate half becomes U+FFFD rather than invalid UTF-8.
  EXPECT_EQ(read_string(R"({"s":"\ud83d!"})", "s"), "\xef\xbf\xbd!");
}

TEST(RuntimeJson, KeysWithEscapesAndBracesInStrings) {
  const char* json = R"({"a}\"":"skip {[","we\u0069rd":"yes","b":"}"})";
  EXPECT_EQ(read_string(json, "weird"), "yes");
  EXPECT_EQ(read_string(json, "a}\""), "skip {[");
  EXPECT_EQ(read_string(json, "b"), "}");
}

TEST(RuntimeJson, StringTruncatesToCapacityWithoutSplittingCharacters) {
  const char* json = R"({"text":"abcdef","utf":"\u00e9\u00e9"})";
  EXPECT_EQ(read_string(json, "text", 4), "abc");
  EXPECT_EQ(read_string(json, "text", 1), "");
  // "é" is 2 bytes: 4 bytes of room hold one "é" plus the NUL, not one and a half.
  EXPECT_EQ(read_string(json, "utf", 4), "\xc3\xa9");
  EXPECT_EQ(tf_json_string(json, "text", nullptr, 0), 1);
}

TEST(RuntimeJson, StringOfWrongTypeOrUnterminatedIsAbsent) {
  EXPECT_EQ(read_string(R"({"text":15})", "text"), "<absent>");
  EXPECT_EQ(read_string(R"({"text":"abc)", "text"), "<absent>");
  EXPECT_EQ(read_string(R"({"text":"abc\)", "text"), "<absent>");
  EXPECT_EQ(read_string(R"({"text":"\u12)", "text"), "<absent>");
  EXPECT_EQ(read_string(R"({"text":"\q"})", "text"), "<absent>");
  EXPECT_EQ(read_string(R"({"text" "x"})", "text"), "<absent>");
}

TEST(RuntimeJson, KeyAfterMalformedValueIsNotFound) {
  EXPECT_EQ(tf_json_number(R"({"a":[1,2,"b":3})", "b", -1), -1.0);
  EXPECT_EQ(tf_json_number(R"({"a":1 "b":3})", "b", -1), -1.0);
}

TEST(RuntimeJson, WhitespaceIsAllowedAnywhereJsonAllowsIt) {
  const char* json = " {\n \"a\" : \"x\" ,\r\n\t\"n\"\t:\t42 \n} \n";
  EXPECT_EQ(read_string(json, "a"), "x");
  EXPECT_EQ(tf_json_number(json, "n", 0), 42.0);
}

TEST(RuntimeJson, ErrorDetection) {
  EXPECT_TRUE(tf_json_is_error(R"({"err":"unknown request: x {not-supported}"})"));
  EXPECT_TRUE(tf_json_is_error(R"({"id":1,"err":"x"})"));
  EXPECT_FALSE(tf_json_is_error(R"({"total":1})"));
  EXPECT_FALSE(tf_json_is_error(R"({"body":{"err":"nested"}})"));
  EXPECT_FALSE(tf_json_is_error(R"({"text":"err"})"));
  EXPECT_FALSE(tf_json_is_error("{}"));
  EXPECT_FALSE(tf_json_is_error(""));
  EXPECT_FALSE(tf_json_is_error(nullptr));
}

}  // namespace
