// module: inbound queues (.qi/.qis), databases (.db/.dbs replicated, .dbx local) and vars —
// note.get / note.update / note.delete / note.changes, and how they travel in sessions.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "module_test_support.hpp"
#include "twelvefold/shim/module.hpp"

namespace twelvefold::shim {
namespace {

using nlohmann::json;
using namespace twelvefold::shim::testing;

constexpr std::int64_t epoch_us = 1'700'000'000'000'000;

json ask(module& m, std::string_view request, std::int64_t now_us = 0) {
  return json::parse(m.request(request, now_us));
}

sync_uplink open_session(module& m, std::int64_t now_us = 0) {
  m.request(R"({"req":"hub.sync"})", now_us);
  return m.begin_session(now_us);
}

void close_session(module& m, std::vector<inbound_note> inbound = {}, std::int64_t now_us = 0) {
  sync_downlink down;
  down.utc_us = epoch_us + now_us;
  down.env_changed = false;
  down.inbound = std::move(inbound);
  m.end_sync(now_us, &down);
}

TEST(ModuleNotefiles, InboundNotesAreReadThenConsumed) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"note.get"})")["err"], "no notes available in queue {note-noexist}");
  open_session(m);
  close_session(m, {queued("data.qi", R"({"cmd":"on"})", 1'700'000'001),
                    queued("data.qi", R"({"cmd":"off"})", 1'700'000'002, "AQI="),
                    queued("cfg.qis", R"({"k":1})")});
  EXPECT_EQ(m.counters().notes_received, 3u);
  // Without delete the same Note is read again.
  EXPECT_EQ(ask(m, R"({"req":"note.get"})"),
            json::parse(R"({"body":{"cmd":"on"},"time":1700000001})"));
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"data.qi","delete":true})")["body"]["cmd"], "on");
  EXPECT_EQ(ask(m, R"({"req":"note.get","delete":true})"),
            json::parse(R"({"body":{"cmd":"off"},"payload":"AQI=","time":1700000002})"));
  EXPECT_EQ(ask(m, R"({"req":"note.get","delete":true})")["err"],
            "no notes available in queue {note-noexist}");
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"cfg.qis","delete":true})")["body"]["k"], 1);
}

TEST(ModuleNotefiles, AFullInboundQueueKeepsTheNewest) {
  module m(module_limits{.max_queued_notes = 3});
  open_session(m);
  std::vector<inbound_note> in;
  for (int i = 1; i <= 5; ++i) in.push_back(queued("q.qi", R"({"i":)" + std::to_string(i) + "}"));
  close_session(m, in);
  EXPECT_EQ(m.counters().notes_received, 5u);
  EXPECT_EQ(m.counters().inbound_dropped, 2u);
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"q.qi"})")["body"]["i"], 3);
}

TEST(ModuleNotefiles, InvalidCloudBodiesAndUnwritableFilesAreIgnored) {
  module m;
  open_session(m);
  close_session(m, {queued("a.qi", "[1,2]"), queued("a.qi", "{broken"), queued("x.qo", "{}"),
                    db_write("l.dbx", "k", "{}"), queued("nonsense", "{}")});
  EXPECT_EQ(m.counters().notes_received, 2u) << "only the two a.qi Notes are stored";
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"a.qi","delete":true})"), json::object());
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"l.dbx","note":"k"})")["err"],
            "note 'k' not found in 'l.dbx' {note-noexist}");
}

TEST(ModuleNotefiles, DatabaseNotesLiveByIdAndDeletesLeaveTombstones) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"note.add","file":"c.db","note":"a","body":{"v":1}})"),
            json::parse(R"({"total":1})"));
  EXPECT_NE(ask(m, R"({"req":"note.add","file":"c.db","note":"a","body":{}})")["err"]
                .get<std::string>()
                .find("{note-exists}"),
            std::string::npos);
  const json generated = ask(m, R"({"req":"note.add","file":"c.db","body":{"v":2}})");
  EXPECT_EQ(generated["total"], 2);
  const std::string id = generated["note"];
  EXPECT_EQ(ask(m, R"({"req":"note.add","file":"c.db","note":"?","body":{}})")["total"], 3);
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"c.db","note":")" + id + "\"}")["body"]["v"], 2);

  EXPECT_EQ(ask(m, R"({"req":"note.update","file":"c.db","note":"a","body":{"v":10}})"),
            json::object());
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"c.db","note":"a"})")["body"]["v"], 10);
  // note.update of a missing Note creates it.
  ask(m, R"({"req":"note.update","file":"c.db","note":"new","payload":"AA=="})");
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"c.db","note":"new"})"),
            json::parse(R"({"payload":"AA=="})"));

  EXPECT_EQ(ask(m, R"({"req":"note.delete","file":"c.db","note":"a"})"), json::object());
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"c.db","note":"a"})")["err"],
            "note 'a' not found in 'c.db' {note-noexist}");
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"c.db","note":"a","deleted":true})"),
            json::parse(R"({"deleted":true})"));
  EXPECT_EQ(ask(m, R"({"req":"note.delete","file":"c.db","note":"a"})")["err"],
            "note 'a' not found in 'c.db' {note-noexist}");
  // note.get delete:true on a database Note deletes it.
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"c.db","note":"new","delete":true})")["payload"],
            "AA==");
  EXPECT_TRUE(ask(m, R"({"req":"note.get","file":"c.db","note":"new"})").contains("err"));
}

TEST(ModuleNotefiles, DeviceDatabaseChangesGoUpOnceAcknowledged) {
  module m;
  ask(m, R"({"req":"note.add","file":"c.db","note":"a","body":{"v":1}})");
  ask(m, R"({"req":"note.add","file":"s.dbs","note":"b","body":{"v":2}})");
  ask(m, R"({"req":"note.add","file":"l.dbx","note":"x","body":{"v":3}})");
  ask(m, R"({"req":"note.delete","file":"c.db","note":"a"})");
  EXPECT_TRUE(m.sync_wanted(60 * 60'000'000LL)) << "database changes ride the outbound interval";

  auto up = open_session(m);
  ASSERT_EQ(up.db_changes.size(), 2u) << ".dbx never syncs";
  EXPECT_EQ(up.db_changes[0].file, "c.db");
  EXPECT_TRUE(up.db_changes[0].deleted);
  EXPECT_EQ(up.db_changes[1].file, "s.dbs");
  EXPECT_EQ(up.db_changes[1].body_json, R"({"v":2})");
  EXPECT_TRUE(up.db_changes[1].encrypted);
  m.end_sync(0, nullptr);  // failed: everything stays to go up

  up = open_session(m, 1);
  ASSERT_EQ(up.db_changes.size(), 2u);
  // Changed again while the session runs: the new version must go up next time.
  ask(m, R"({"req":"note.update","file":"s.dbs","note":"b","body":{"v":20}})");
  close_session(m, {}, 2);
  up = open_session(m, 3);
  ASSERT_EQ(up.db_changes.size(), 1u);
  EXPECT_EQ(up.db_changes[0].body_json, R"({"v":20})");
  close_session(m, {}, 4);
  EXPECT_TRUE(open_session(m, 5).db_changes.empty());
  close_session(m, {}, 6);
  // The tombstone is gone once the deletion was acknowledged.
  EXPECT_TRUE(
      ask(m, R"({"req":"note.get","file":"c.db","note":"a","deleted":true})").contains("err"));
}

TEST(ModuleNotefiles, CloudDatabaseChangesComeDownButLocalEditsDuringTheSessionWin) {
  module m;
  ask(m, R"({"req":"note.add","file":"c.db","note":"mine","body":{"v":1}})");
  open_session(m);
  ask(m, R"({"req":"note.update","file":"c.db","note":"mine","body":{"v":2}})");
  close_session(m, {db_write("c.db", "mine", R"({"v":99})"),
                    db_write("c.db", "theirs", R"({"w":1})", 1'700'000'123),
                    db_write("c.db", "gone", "", 0, /*deleted=*/true)});
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"c.db","note":"mine"})")["body"]["v"], 2);
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"c.db","note":"theirs"})"),
            json::parse(R"({"body":{"w":1},"time":1700000123})"));
  // A cloud change does not go back up.
  const auto up = open_session(m, 1);
  ASSERT_EQ(up.db_changes.size(), 1u);
  EXPECT_EQ(up.db_changes[0].note_id, "mine");
  close_session(m, {db_write("c.db", "theirs", "", 0, /*deleted=*/true)}, 2);
  EXPECT_TRUE(ask(m, R"({"req":"note.get","file":"c.db","note":"theirs"})").contains("err"));
}

TEST(ModuleNotefiles, LocalDatabasesDeleteAtOnce) {
  module m;
  ask(m, R"({"req":"note.add","file":"l.dbx","note":"x","body":{"v":3}})");
  ask(m, R"({"req":"note.delete","file":"l.dbx","note":"x"})");
  EXPECT_TRUE(
      ask(m, R"({"req":"note.get","file":"l.dbx","note":"x","deleted":true})").contains("err"));
  EXPECT_FALSE(m.sync_wanted(24 * 3600'000'000LL));
}

TEST(ModuleNotefiles, NoteChangesFollowsATracker) {
  module m;
  for (const char* id : {"a", "b", "c"}) {
    ask(m, R"({"req":"note.add","file":"c.db","note":")" + std::string(id) + R"(","body":{}})");
  }
  // Without a tracker: everything, every time.
  EXPECT_EQ(ask(m, R"({"req":"note.changes","file":"c.db"})")["changes"], 3);
  EXPECT_EQ(ask(m, R"({"req":"note.changes","file":"c.db"})")["notes"].size(), 3u);

  const std::string t = R"({"req":"note.changes","file":"c.db","tracker":"t")";
  json page = ask(m, t + R"(,"max":2})");
  EXPECT_EQ(page["changes"], 3);
  EXPECT_EQ(page["total"], 3);
  ASSERT_EQ(page["notes"].size(), 2u);
  EXPECT_TRUE(page["notes"].contains("a"));
  EXPECT_TRUE(page["notes"].contains("b"));
  page = ask(m, t + "}");
  EXPECT_EQ(page["changes"], 1);
  EXPECT_TRUE(page["notes"].contains("c"));
  EXPECT_EQ(ask(m, t + "}")["changes"], 0);

  ask(m, R"({"req":"note.update","file":"c.db","note":"a","body":{"x":1}})");
  ask(m, R"({"req":"note.delete","file":"c.db","note":"b"})");
  page = ask(m, t + "}");
  EXPECT_EQ(page["changes"], 1) << "the deletion is not shown without deleted:true";
  EXPECT_EQ(page["notes"]["a"]["body"]["x"], 1);
  page = ask(m, t + R"(,"start":true,"deleted":true})");
  EXPECT_EQ(page["changes"], 3);
  EXPECT_EQ(page["notes"]["b"]["deleted"], true);

  // delete:true consumes what it returns; stop:true forgets the tracker.
  page = ask(m, t + R"(,"start":true,"delete":true,"max":1})");
  EXPECT_EQ(page["notes"].size(), 1u);
  EXPECT_EQ(page["total"], 1);
  EXPECT_EQ(ask(m, t + R"(,"stop":true})"), json::parse(R"({"total":1})"));
  EXPECT_EQ(ask(m, t + "}")["changes"], 1) << "a stopped tracker starts over";
}

TEST(ModuleNotefiles, NoteChangesCanConsumeAnInboundQueue) {
  module m;
  open_session(m);
  close_session(m, {queued("in.qi", R"({"n":1})"), queued("in.qi", R"({"n":2})")});
  const json all = ask(m, R"({"req":"note.changes","file":"in.qi","delete":true})");
  EXPECT_EQ(all["changes"], 2);
  EXPECT_EQ(all["total"], 0);
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"in.qi"})")["err"],
            "no notes available in queue {note-noexist}");
}

TEST(ModuleNotefiles, VarsAreNotesInADatabase) {
  module m;
  EXPECT_EQ(ask(m, R"({"req":"var.get","name":"mode"})"), json::object());
  ask(m, R"({"req":"var.set","name":"mode","text":"eco"})");
  ask(m, R"({"req":"var.set","name":"level","value":42})");
  ask(m, R"({"req":"var.set","name":"armed","flag":true,"file":"flags.dbx","sync":true})");
  EXPECT_EQ(ask(m, R"({"req":"var.get","name":"mode"})"), json::parse(R"({"text":"eco"})"));
  EXPECT_EQ(ask(m, R"({"req":"var.get","name":"level"})"), json::parse(R"({"value":42})"));
  EXPECT_EQ(ask(m, R"({"req":"var.get","name":"armed","file":"flags.dbx"})"),
            json::parse(R"({"flag":true})"));
  EXPECT_EQ(ask(m, R"({"req":"note.get","file":"vars.db","note":"mode"})")["body"]["text"], "eco");
  EXPECT_TRUE(m.sync_wanted(0)) << "sync:true";
  const auto up = m.begin_session(0);
  ASSERT_EQ(up.db_changes.size(), 2u) << "vars.db replicates; flags.dbx does not";
  EXPECT_EQ(up.db_changes[0].file, "vars.db");
}

}  // namespace
}  // namespace twelvefold::shim
