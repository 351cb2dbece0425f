// The solution service stores each Note exactly once, whatever the resends.
#include <gtest/gtest.h>

#include <caf/all.hpp>

#include "twelvefold/actors/atoms.hpp"
#include "twelvefold/actors/services.hpp"

namespace twelvefold::actors {
namespace {

std::vector<note_ack> send(caf::scoped_actor& self, const caf::actor& solution,
                           std::vector<twin_notes> batch) {
  std::vector<note_ack> acks;
  self->request(solution, caf::infinite, notes_atom::value, std::move(batch))
      .receive([&](std::vector<note_ack>& a) { acks = std::move(a); },
               [&](caf::error& err) { ADD_FAILURE() << self->system().render(err); });
  return acks;
}

twin_notes notes_for(twin_index twin, std::initializer_list<std::uint64_t> seqs) {
  twin_notes tn{twin, 0, {}, {}};
  for (auto seq : seqs) tn.notes.push_back({seq, "sensors.qo", "{}", 0});
  return tn;
}

TEST(SolutionService, ResentNotesAreDeduplicated) {
  caf::actor_system_config config;
  caf::actor_system system{config};
  auto w = std::make_shared<world>();
  w->fleets.push_back({"f", "F-", 0, 0, {}});
  w->twins.resize(2);
  auto solution = spawn_solution_service(system, w);
  caf::scoped_actor self{system};

  auto acks = send(self, solution, {notes_for(0, {1, 2, 3}), notes_for(1, {1})});
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].acked_through_seq, 3u);
  EXPECT_EQ(acks[0].new_notes, 3u);
  EXPECT_EQ(acks[1].acked_through_seq, 1u);

  // Twin 0's downlink was lost: it resends 2 and 3 with a new note 4.
  acks = send(self, solution, {notes_for(0, {2, 3, 4})});
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].acked_through_seq, 4u);
  EXPECT_EQ(acks[0].new_notes, 1u);

  solution_totals totals;
  self->request(solution, caf::infinite, collect_atom::value)
      .receive([&](solution_totals& t) { totals = std::move(t); }, [](caf::error&) {});
  EXPECT_EQ(totals.notes_stored, 5u);
  EXPECT_EQ(totals.duplicates_discarded, 2u);
  EXPECT_EQ(totals.acked_through[0], 4u);
  // Duplicates do not count for the fleet either; the world has no region to count in.
  ASSERT_EQ(totals.per_fleet.size(), 1u);
  EXPECT_EQ(totals.per_fleet[0].notes_stored, 5u);
  EXPECT_TRUE(totals.per_region.empty());
  anon_send_exit(solution, caf::exit_reason::user_shutdown);
}

// Per fleet and per region (summary.json per_fleet / per_region): each Note counts in its
// twin's home fleet and that fleet's region, with its latency.
TEST(SolutionService, DeliveryIsCountedPerFleetAndRegion) {
  caf::actor_system_config config;
  caf::actor_system system{config};
  auto w = std::make_shared<world>();
  w->regions.resize(2);
  w->fleets.push_back({"near", "N-", 0, 0, {}});
  w->fleets.push_back({"far", "F-", 0, 1, {}});
  w->fleets.push_back({"far-too", "T-", 0, 1, {}});
  w->twins.resize(3);
  w->twins[1].fleet = 1;
  w->twins[2].fleet = 2;
  auto solution = spawn_solution_service(system, w);
  caf::scoped_actor self{system};
  auto quick = notes_for(0, {1, 2});
  quick.arrival_us = 2'000'000;  // 2 s after the session started, queued 0 s
  auto slow = notes_for(1, {1});
  slow.notes[0].age_s = 3600;
  auto slower = notes_for(2, {1, 2, 3});
  for (auto& n : slower.notes) n.age_s = 7200;
  send(self, solution, {quick, slow, slower});
  solution_totals totals;
  self->request(solution, caf::infinite, collect_atom::value)
      .receive([&](solution_totals& t) { totals = std::move(t); }, [](caf::error&) {});
  ASSERT_EQ(totals.per_fleet.size(), 3u);
  ASSERT_EQ(totals.per_region.size(), 2u);
  EXPECT_EQ(totals.per_fleet[0].notes_stored, 2u);
  EXPECT_EQ(totals.per_fleet[1].notes_stored, 1u);
  EXPECT_EQ(totals.per_fleet[2].notes_stored, 3u);
  EXPECT_EQ(totals.per_region[0].notes_stored, 2u);
  EXPECT_EQ(totals.per_region[1].notes_stored, 4u);
  EXPECT_LT(totals.per_fleet[0].latency_p90_s, 10.0);
  EXPECT_GT(totals.per_region[1].latency_p50_s, 3000.0);
  EXPECT_GT(totals.per_fleet[2].latency_p50_s, totals.per_fleet[1].latency_p50_s);
  anon_send_exit(solution, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace twelvefold::actors
