// Includes and parameters in scenario files.
#include "twelvefold/sim/scenario_source.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace twelvefold::sim {
namespace {

class ScenarioSource : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("twelvefold-source-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "base");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(ScenarioSource, IncludeInsertsTheFileAndParamsSubstitute) {
  write("base/common.txtpb", "#param count = 10\nfleets { count: ${count} }\nseed: 3\n");
  const std::string top = "#param count = 1000\n#include \"base/common.txtpb\"\nname: \"v\"\n";
  auto out = expand_scenario_source(top, (dir_ / "top.txtpb").string(), dir_, {});
  ASSERT_TRUE(out) << to_string(out.error());
  // The including file's definition wins over the included file's default.
  EXPECT_NE(out->text.find("fleets { count: 1000 }"), std::string::npos) << out->text;
  EXPECT_EQ(out->params.at("count"), "1000");
  ASSERT_EQ(out->files.size(), 2u);
  // Lines map back to the file they came from.
  const std::size_t fleets_line =
      1 + std::count(out->text.begin(), out->text.begin() + out->text.find("fleets"), '\n');
  const diagnostic d = out->locate({"top", static_cast<int>(fleets_line), 3, "x"});
  EXPECT_EQ(d.file, (dir_ / "base/common.txtpb").string());
  EXPECT_EQ(d.line, 2);
  EXPECT_EQ(out->locate({"top", 3 + 3, 1, "x"}).line, 3);  // name: after the 3-line include
}

TEST_F(ScenarioSource, CommandLineOverridesWinAndUnknownOnesAreErrors) {
  const std::string text = "#param n = 1\ncount: ${n}\nprice: \"$$5\"\n";
  auto out = expand_scenario_source(text, "t", dir_, {{"n", "7"}});
  ASSERT_TRUE(out);
  EXPECT_NE(out->text.find("count: 7"), std::string::npos);
  EXPECT_NE(out->text.find("\"$5\""), std::string::npos);  // $$ is a literal $
  auto bad = expand_scenario_source(text, "t", dir_, {{"m", "7"}});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error()[0].message.find("--param m"), std::string::npos);
  EXPECT_NE(bad.error()[0].message.find("parameters: n"), std::string::npos);
}

TEST_F(ScenarioSource, ErrorsNameFileLineAndColumn) {
  write("loop.txtpb", "#include \"loop.txtpb\"\n");
  struct bad_case {
    std::string text;
    int line;
    int column;
    std::string says;
  };
  const bad_case cases[] = {
      {"a: 1\n  #include \"missing.txtpb\"\n", 2, 12, "no such file"},
      {"#include missing.txtpb\n", 1, 10, "double quotes"},
      {"#param = 3\n", 1, 8, "#param NAME = VALUE"},
      {"#param 9x = 3\n", 1, 8, "#param NAME = VALUE"},
      {"x: ${nope}\n", 1, 4, "unknown parameter ${nope}"},
      {"x: ${open\n", 1, 4, "unterminated"},
  };
  for (const bad_case& c : cases) {
    auto out = expand_scenario_source(c.text, "f.txtpb", dir_, {});
    ASSERT_FALSE(out) << c.text;
    EXPECT_EQ(out.error()[0].file, "f.txtpb");
    EXPECT_EQ(out.error()[0].line, c.line) << c.text;
    EXPECT_EQ(out.error()[0].column, c.column) << c.text;
    EXPECT_NE(out.error()[0].message.find(c.says), std::string::npos) << out.error()[0].message;
  }
  auto cycle = expand_scenario_source("#include \"loop.txtpb\"\n", "f.txtpb", dir_, {});
  ASSERT_FALSE(cycle);
  EXPECT_NE(cycle.error()[0].message.find("include cycle"), std::string::npos);
}

TEST_F(ScenarioSource, CommentsAndLookalikeDirectivesAreLeftAlone) {
  const std::string text = "# costs ${not_a_param}\n#includes are fine in prose\nx: 1\n";
  auto out = expand_scenario_source(text, "t", dir_, {});
  ASSERT_TRUE(out) << to_string(out.error());
  EXPECT_EQ(out->text, text);
}

}  // namespace
}  // namespace twelvefold::sim
