// report.html, timeseries.csv and latency_histogram.csv: written by `twelvefold run` and by
// `twelvefold report`, self-contained, one chart per section; and the pure helpers (axis
// ticks, CSV quoting).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "report_svg.hpp"
#include "twelvefold/sim/report.hpp"

namespace {

using twelvefold::test::run_cli;
namespace report = twelvefold::sim::report;

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class Report : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = twelvefold::test::temp_path("report");
    std::filesystem::create_directories(out_ + "-in");
    const auto r =
        run_cli("run " + std::string(TF_SOURCE_DIR) +
                "/scenarios/quickstart --scale 0.02 --duration 3h --quiet --out " + out_);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(out_);
    std::filesystem::remove_all(out_ + "-in");
  }
  static std::string out_;
};
std::string Report::out_;

TEST_F(Report, RunWritesASelfContainedPageWithEveryChart) {
  const std::string html = read_all(out_ + "/report.html");
  ASSERT_FALSE(html.empty());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Nothing fetched: no external src/href, no script, no @import or url().
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?https?:)")));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  // One chart per chart section: connected, trouble, random access, collisions, sessions/hour,
  // per RAT, latency, events/s, battery histogram, firmware.
  EXPECT_EQ(count_of(html, "<svg"), 10u) << html;
  for (const char* title :
       {"Connected twins by RAT", "Sessions per hour at the cloud", "Delivery latency",
        "Projected battery life", "Firmware versions", "Events per second at the cloud",
        "Random access per interval", "Access collisions per interval", "Assertions", "lte-m",
        "env-sensor@1.0.0", "city-sensors", "quickstart"}) {
    EXPECT_NE(html.find(title), std::string::npos) << title;
  }
}

TEST_F(Report, TimeseriesHasOneRowPerSample) {
  const auto summary = nlohmann::json::parse(read_all(out_ + "/summary.json"));
  const std::string csv = read_all(out_ + "/timeseries.csv");
  std::istringstream lines(csv);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header,
            "at_s,at_utc,connected_lte-m,on_fallback,failing,dark,never,sites_up,attach_attempts,"
            "access_collisions,reconnects,sessions,notes_stored,events_per_s,"
            "fw_env-sensor@1.0.0\r");
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  ASSERT_EQ(rows.size(), summary["network_timeline"].size());
  EXPECT_EQ(rows.size(), 4u);  // 0 h, 1 h, 2 h, 3 h
  EXPECT_EQ(rows[0].rfind("0,2026-06-01T00:00:00Z,0,", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("3600,2026-06-01T01:00:00Z,", 0), 0u) << rows[1];
  // The hour-1 row carries cloud_timeline's first sample.
  const auto& cloud0 = summary["cloud_timeline"][0];
  EXPECT_NE(rows[1].find("," + std::to_string(cloud0["sessions"].get<int>()) + "," +
                         std::to_string(cloud0["notes_stored"].get<int>()) + ","),
            std::string::npos)
      << rows[1];
  const std::string latency = read_all(out_ + "/latency_histogram.csv");
  EXPECT_EQ(latency.rfind("le_s,count\r\n", 0), 0u);
  EXPECT_EQ(count_of(latency, "\r\n"), summary["delivery_latency"]["histogram"].size() + 1);
}

TEST_F(Report, ReportCommandRebuildsTheFilesAndNamesThem) {
  std::filesystem::remove(out_ + "/report.html");
  const auto r = run_cli("report " + out_);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(out_ + "/report.html"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(out_ + "/timeseries.csv"), std::string::npos) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out_ + "/report.html"));
  const auto j = run_cli("report --json " + out_, false);
  ASSERT_EQ(j.exit_code, 0) << j.output;
  EXPECT_EQ(nlohmann::json::parse(j.output)["written"].size(), 3u);
}

TEST_F(Report, AssertionsShowWithTheirVerdicts) {
  const std::string dir = out_ + "-in/asserted";
  std::filesystem::create_directories(dir);
  auto summary = nlohmann::json::parse(read_all(out_ + "/summary.json"));
  summary["assertions"] = nlohmann::json::array({{{"name", "most notes arrive"},
                                                  {"expect", "delivered_ratio >= 0.5"},
                                                  {"passed", true},
                                                  {"measured", 0.97},
                                                  {"detail", ""}},
                                                 {{"name", "no failures <ever>"},
                                                  {"expect", "session_failures == 0"},
                                                  {"passed", false},
                                                  {"measured", 3},
                                                  {"detail", "3 sessions failed"}}});
  std::ofstream(dir + "/summary.json") << summary.dump();
  const auto r = run_cli("report " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // No twins.sqlite: a report all the same, with a note instead of the battery histogram.
  EXPECT_NE(r.output.find("twins.sqlite is missing"), std::string::npos) << r.output;
  const std::string html = read_all(dir + "/report.html");
  EXPECT_NE(html.find("most notes arrive"), std::string::npos);
  EXPECT_NE(html.find("no failures &lt;ever&gt;"), std::string::npos);  // escaped
  EXPECT_NE(html.find("3 sessions failed"), std::string::npos);
  EXPECT_NE(html.find("class=\"pill pass\""), std::string::npos);
  EXPECT_NE(html.find("class=\"pill fail\""), std::string::npos);
  EXPECT_NE(html.find("class=\"badge fail\""), std::string::npos);
  EXPECT_NE(html.find("No per-twin data"), std::string::npos);
}

TEST_F(Report, EmptyAndSingleSampleTimelinesStillRender) {
  const std::string dir = out_ + "-in/sparse";
  std::filesystem::create_directories(dir);
  nlohmann::json summary = {
      {"scenario", "sparse"},
      {"twins", 1},
      {"network_timeline",
       {{{"at_s", 0.0}, {"connected", {{"wifi", 1}}}, {"failing", 0}, {"dark", 0}}}},
      {"cloud_timeline", nlohmann::json::array()},
      {"delivery_latency", {{"histogram", nlohmann::json::array()}}}};
  std::ofstream(dir + "/summary.json") << summary.dump();
  const auto r = run_cli("report " + dir);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string html = read_all(dir + "/report.html");
  EXPECT_NE(html.find("No data for this run"), std::string::npos);
  EXPECT_NE(html.find("No Note was delivered"), std::string::npos);
  EXPECT_NE(html.find("<circle"), std::string::npos);    // the single sample, as a dot
  EXPECT_EQ(html.find(">-30 min<"), std::string::npos);  // padding never shows negative time
  const std::string csv = read_all(dir + "/timeseries.csv");
  EXPECT_EQ(count_of(csv, "\r\n"), 2u) << csv;
}

TEST_F(Report, BadInputExitsTwoNamingTheFile) {
  const std::string dir = out_ + "-in/corrupt";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/summary.json") << "{\"scenario\": \"x\",\n \"twins\": }";
  auto r = run_cli("report " + dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(dir + "/summary.json: not valid JSON at byte"), std::string::npos)
      << r.output;

  std::ofstream(dir + "/summary.json") << "[1, 2]";
  r = run_cli("report " + dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("expected a JSON object"), std::string::npos) << r.output;

  std::filesystem::remove(dir + "/summary.json");
  r = run_cli("report " + dir);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(dir + "/summary.json: no such file"), std::string::npos) << r.output;

  r = run_cli("report " + out_ + "-in/nowhere");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("nowhere: no such directory"), std::string::npos) << r.output;

  r = run_cli("report");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = run_cli("report --help");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("report.html"), std::string::npos) << r.output;
}

TEST(ReportTicks, NiceTicksCoverTheRangeOnRoundSteps) {
  auto t = report::nice_ticks(0, 995);
  EXPECT_DOUBLE_EQ(t.step, 200);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 1000);
  EXPECT_EQ(t.values, (std::vector<double>{0, 200, 400, 600, 800, 1000}));

  t = report::nice_ticks(0, 1.38);
  EXPECT_DOUBLE_EQ(t.step, 0.2);
  EXPECT_DOUBLE_EQ(t.hi, 1.4);
  EXPECT_DOUBLE_EQ(t.values[3], 0.6);  // not 0.6000000000000001

  t = report::nice_ticks(-3, 7);
  EXPECT_LE(t.lo, -3);
  EXPECT_GE(t.hi, 7);
  EXPECT_DOUBLE_EQ(t.step, 2);
  EXPECT_NE(std::find(t.values.begin(), t.values.end(), 0.0), t.values.end());

  // Flat and empty ranges still give an axis from zero.
  t = report::nice_ticks(0, 0);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_DOUBLE_EQ(t.hi, 1);
  t = report::nice_ticks(300, 300);
  EXPECT_DOUBLE_EQ(t.lo, 0);
  EXPECT_GE(t.hi, 300);
  t = report::nice_ticks(5, 1);  // reversed
  EXPECT_LE(t.lo, 1);
  EXPECT_GE(t.hi, 5);
  t = report::nice_ticks(0, std::nan(""));
  EXPECT_FALSE(t.values.empty());
  // Large counts: ~5 ticks whatever the magnitude.
  t = report::nice_ticks(0, 1'234'567);
  EXPECT_DOUBLE_EQ(t.step, 200'000);
  EXPECT_LE(t.values.size(), 8u);
}

TEST(ReportTicks, TimeTicksUseHoursAndDays) {
  auto t = report::time_ticks(0, 86400);
  EXPECT_DOUBLE_EQ(t.step, 6 * 3600);
  EXPECT_EQ(t.values.size(), 5u);
  EXPECT_EQ(report::time_label(t.values[1]), "6 h");
  EXPECT_EQ(report::time_label(86400), "1 d");
  EXPECT_EQ(report::time_label(86400 + 6 * 3600), "1 d 6 h");
  EXPECT_EQ(report::time_label(1800), "30 min");
  t = report::time_ticks(0, 3 * 3600);
  EXPECT_DOUBLE_EQ(t.step, 1800);
  t = report::time_ticks(0, 30 * 86400);
  EXPECT_LE(t.values.size(), 8u);
  t = report::time_ticks(3600, 3600);  // one sample: widened, not empty
  EXPECT_LT(t.lo, t.hi);
}

TEST(ReportText, NumbersAndDurationsForPeople) {
  EXPECT_EQ(report::number_text(995), "995");
  EXPECT_EQ(report::number_text(1234), "1,234");
  EXPECT_EQ(report::number_text(45541), "45.5k");
  EXPECT_EQ(report::number_text(2'500'000), "2.5M");
  EXPECT_EQ(report::number_text(0.25), "0.25");
  EXPECT_EQ(report::duration_text(1584.9), "26 min");
  EXPECT_EQ(report::duration_text(0.5), "500 ms");
  EXPECT_EQ(report::duration_text(18181.7), "5.1 h");
  EXPECT_EQ(report::html_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
}

TEST(ReportCsv, FieldsAreQuotedPerRfc4180) {
  using twelvefold::sim::csv_field;
  EXPECT_EQ(csv_field("lte-m"), "lte-m");
  EXPECT_EQ(csv_field(""), "");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\r"), "\"cr\r\"");
  EXPECT_EQ(csv_field(" padded"), "\" padded\"");
}

TEST(ReportCsv, TimeseriesJoinsTimelinesAndQuotesLabels) {
  const auto summary = nlohmann::json::parse(R"({
    "network_timeline": [
      {"at_s": 0.0, "connected": {"lte-m": 0}, "on_fallback": 0, "failing": 0, "dark": 0,
       "never": 2, "sites_up": 1},
      {"at_s": 3600.0, "connected": {"lte-m": 1, "nb-iot": 1}, "on_fallback": 1, "failing": 0,
       "dark": 0, "never": 0, "sites_up": 1, "attach_attempts": 5, "access_collisions": 1,
       "reconnects": 0}],
    "cloud_timeline": [{"at_s": 3600.0, "sessions": 2, "notes_stored": 8, "events_per_s": 0.5}],
    "firmware_versions": [{"at_s": 3600.0, "versions": {"fw,odd@1": 2}}]})");
  const std::string csv = twelvefold::sim::timeseries_csv(summary, std::int64_t{0});
  EXPECT_EQ(csv,
            "at_s,at_utc,connected_lte-m,connected_nb-iot,on_fallback,failing,dark,never,"
            "sites_up,attach_attempts,access_collisions,reconnects,sessions,notes_stored,"
            "events_per_s,\"fw_fw,odd@1\"\r\n"
            "0,1970-01-01T00:00:00Z,0,0,0,0,0,2,1,,,,,,,\r\n"
            "3600,1970-01-01T01:00:00Z,1,1,1,0,0,0,1,5,1,0,2,8,0.5,2\r\n");
  // Without the store's epoch the UTC column stays empty.
  const std::string no_epoch = twelvefold::sim::timeseries_csv(summary, std::nullopt);
  EXPECT_NE(no_epoch.find("\r\n3600,,1,1,"), std::string::npos) << no_epoch;
}

}  // namespace
