// Pure parts of resume (docs/cli.md, "Resuming a run"): the kernel digest, the fingerprint
// comparison and the build identity.
#include <gtest/gtest.h>

#include "run_digest.hpp"
#include "twelvefold/sim/replay.hpp"
#include "twelvefold/sim/resume_state.hpp"

namespace twelvefold::sim {
namespace {

std::uint64_t digest_of(std::initializer_list<std::string> parts) {
  run_digest d;
  for (const std::string& p : parts) d.add(p);
  return d.value();
}

TEST(RunDigest, MovesWithAnyByteTheOrderAndTheSplit) {
  const std::uint64_t base = digest_of({"uplink-0123456789", "down"});
  EXPECT_EQ(base, digest_of({"uplink-0123456789", "down"}));
  EXPECT_NE(base, digest_of({"uplink-0123456788", "down"}));  // last byte of a word
  EXPECT_NE(base, digest_of({"uplink-012345678", "9down"}));  // same bytes, other split
  EXPECT_NE(base, digest_of({"down", "uplink-0123456789"}));  // other order
  EXPECT_NE(digest_of({""}), digest_of({}));                  // an empty string counts
  run_digest a, b;
  a.add(1);
  a.add(2);
  b.add(2);
  b.add(1);
  EXPECT_NE(a.value(), b.value());
}

TEST(Fingerprint, DifferenceNamesEachFieldWithBothValues) {
  kernel_fingerprint recorded;
  recorded.windows = 10;
  recorded.activations = 100;
  recorded.digest = 0xabc;
  EXPECT_EQ(fingerprint_difference(recorded, recorded), "");
  kernel_fingerprint replayed = recorded;
  replayed.activations = 101;
  replayed.digest = 0xabd;
  EXPECT_EQ(fingerprint_difference(recorded, replayed),
            "activations: recorded 100, replayed 101; digest: recorded \"0000000000000abc\", "
            "replayed \"0000000000000abd\"");
}

TEST(BuildIdentity, NamesTheVersionAndABuildId) {
  const std::string id = build_identity();
  EXPECT_EQ(id, build_identity());
  EXPECT_TRUE(id.starts_with("twelvefold ")) << id;
  EXPECT_NE(id.find("(build-id "), std::string::npos) << id;
  EXPECT_EQ(id.find("unknown"), std::string::npos) << id;
}

}  // namespace
}  // namespace twelvefold::sim
