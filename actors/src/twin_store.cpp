#include "twelvefold/actors/twin_store.hpp"

#include <sqlite3.h>

#include <system_error>

#include "twelvefold/models/radio.hpp"

namespace twelvefold::actors {
namespace {

constexpr const char* schema_sql = R"sql(
CREATE TABLE run_info (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE twins (
  serial            TEXT PRIMARY KEY,   -- product serial: the identity that matters
  device_id         TEXT NOT NULL,      -- hardware (modem) id bound to the serial
  fleet             TEXT NOT NULL,
  rat               TEXT NOT NULL,      -- RAT of the last session, '' if never seen
  firmware          TEXT NOT NULL,      -- 'name@version' reported at the last session
  last_seen_us      INTEGER,            -- virtual us since run_info.epoch_utc; NULL if never
  lat               REAL NOT NULL,
  lon               REAL NOT NULL,
  battery_mah_used  REAL NOT NULL,
  battery_v         REAL NOT NULL,
  notes_delivered   INTEGER NOT NULL,   -- Notes stored by the solution service (exactly once)
  sessions          INTEGER NOT NULL,
  session_failures  INTEGER NOT NULL,
  rsrp_dbm          REAL,               -- NULL: no serving site
  cell_id           INTEGER NOT NULL,   -- 0: none
  coverage          TEXT NOT NULL,      -- 'normal' | 'extended' | 'extreme' | 'none'
  sinr_db           REAL,
  fallbacks         INTEGER NOT NULL,   -- times the modem fell back to a less preferred RAT
  radio_status      TEXT NOT NULL,      -- 'preferred' | 'fallback' | 'failing' | 'dark' | 'never'
  battery_life_years REAL NOT NULL,     -- projected from the drain over the run
  reboots           INTEGER NOT NULL,   -- firmware faults (assert, abort, watchdog) that reset it
  location_kind     TEXT NOT NULL,      -- of lat/lon: 'gnss' | 'triangulated' | 'wifi' | 'cell' |
                                        -- 'provisioned' (never located by the cloud)
  location_error_m  REAL                -- the cloud's estimated error of lat/lon; NULL: unknown
) WITHOUT ROWID;
CREATE INDEX twins_by_fleet ON twins (fleet);
CREATE TABLE events (
  id      INTEGER PRIMARY KEY,          -- order of arrival at the cloud
  serial  TEXT NOT NULL,
  at_us   INTEGER NOT NULL,             -- virtual us since run_info.epoch_utc
  kind    TEXT NOT NULL,                -- 'note', 'log', 'fleet.move', 'health.silent', ...
  file    TEXT NOT NULL,                -- Notefile for Notes, else ''
  body    TEXT NOT NULL                 -- JSON
);
CREATE INDEX events_by_serial ON events (serial, at_us);
CREATE INDEX events_by_time ON events (at_us);
CREATE TABLE fleets (                   -- config: docs/cloud-config.md
  name       TEXT PRIMARY KEY,
  lifecycle  TEXT NOT NULL,             -- quarantine | operational | repair | decommissioned
  priority   INTEGER NOT NULL,
  rule       TEXT NOT NULL,             -- membership rule as JSON, '' when none
  watchdog_s INTEGER NOT NULL,          -- 0: none
  twins      INTEGER NOT NULL           -- home twins at the last flush
);
CREATE TABLE env (
  scope     TEXT NOT NULL,              -- project | fleet | device
  target    TEXT NOT NULL,              -- '' / fleet name / serial
  name      TEXT NOT NULL,
  value     TEXT NOT NULL,
  version   INTEGER NOT NULL,           -- config version that set it (1: the scenario)
  set_at_us INTEGER NOT NULL,
  PRIMARY KEY (scope, target, name)
);
CREATE TABLE memberships (
  serial   TEXT NOT NULL,
  fleet    TEXT NOT NULL,
  rule     INTEGER NOT NULL,            -- 1: by the fleet's rule, 0: home fleet
  since_us INTEGER NOT NULL,
  PRIMARY KEY (serial, fleet)
);
CREATE INDEX memberships_by_fleet ON memberships (fleet);
CREATE TABLE bindings (                 -- factor 11: hardware bound to a serial over time
  serial        TEXT NOT NULL,
  generation    INTEGER NOT NULL,       -- 0: the factory original; +1 per replacement
  device_id     TEXT NOT NULL,
  imsi          TEXT,                   -- cellular SIM; NULL without a cellular RAT
  iccid         TEXT,
  dev_eui       TEXT,                   -- LoRaWAN; NULL without LoRaWAN
  mac           TEXT,                   -- Wi-Fi; NULL without Wi-Fi
  bound_from_us INTEGER NOT NULL,       -- virtual us since run_info.epoch_utc
  bound_until_us INTEGER,               -- NULL: still bound
  PRIMARY KEY (serial, generation)
) WITHOUT ROWID;
-- Factor 8: every firmware change of a twin (docs/cloud-dfu.md), kept by the writer from the
-- DFU outcomes of the event stream (kinds dfu.applied, dfu.failed, dfu.rolled_back,
-- dfu.reverted), so it cannot disagree with it.
CREATE TABLE firmware (
  serial       TEXT NOT NULL,
  at_us        INTEGER NOT NULL,
  from_version TEXT NOT NULL,   -- "name@version" before
  to_version   TEXT NOT NULL,   -- "name@version" after (the target, for a failed apply)
  outcome      TEXT NOT NULL,   -- 'applied' | 'failed' | 'rolled_back' | 'reverted'
  campaign     TEXT NOT NULL
);
CREATE INDEX firmware_by_serial ON firmware (serial, at_us);
CREATE TRIGGER firmware_from_events AFTER INSERT ON events
WHEN NEW.kind IN ('dfu.applied', 'dfu.failed', 'dfu.rolled_back', 'dfu.reverted')
BEGIN
  INSERT INTO firmware (serial, at_us, from_version, to_version, outcome, campaign)
  VALUES (NEW.serial, NEW.at_us, json_extract(NEW.body, '$.from'),
          json_extract(NEW.body, '$.to'), substr(NEW.kind, 5),
          json_extract(NEW.body, '$.campaign'));
END;
CREATE TABLE sessions (
  serial      TEXT NOT NULL,
  at_us       INTEGER NOT NULL,         -- arrival at the cloud, virtual us since the epoch
  rat         TEXT NOT NULL,
  cell_id     INTEGER NOT NULL,
  rsrp_dbm    REAL,
  notes       INTEGER NOT NULL,         -- Notes carried (before deduplication)
  bytes_up    INTEGER NOT NULL,         -- encoded uplink
  bytes_down  INTEGER NOT NULL,         -- encoded downlink
  outcome     TEXT NOT NULL             -- 'accepted' or why the cloud refused it
);
CREATE INDEX sessions_by_serial ON sessions (serial, at_us);
CREATE INDEX sessions_by_time ON sessions (at_us);
CREATE TABLE metrics (
  at_us  INTEGER NOT NULL,
  name   TEXT NOT NULL,                 -- series, e.g. 'connected'
  label  TEXT NOT NULL,                 -- e.g. a RAT; '' when unlabelled
  value  REAL NOT NULL,
  PRIMARY KEY (name, label, at_us)
) WITHOUT ROWID;
)sql";

constexpr const char* insert_session_sql = R"sql(
INSERT INTO sessions (serial, at_us, rat, cell_id, rsrp_dbm, notes, bytes_up, bytes_down, outcome)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
)sql";

constexpr const char* insert_metric_sql = R"sql(
INSERT OR REPLACE INTO metrics (at_us, name, label, value) VALUES (?1, ?2, ?3, ?4)
)sql";

constexpr const char* insert_event_sql = R"sql(
INSERT INTO events (serial, at_us, kind, file, body) VALUES (?1, ?2, ?3, ?4, ?5)
)sql";

constexpr const char* upsert_sql = R"sql(
INSERT INTO twins (serial, device_id, fleet, rat, firmware, last_seen_us, lat, lon,
                   battery_mah_used, battery_v, notes_delivered, sessions, session_failures,
                   rsrp_dbm, cell_id, coverage, sinr_db, fallbacks, radio_status,
                   battery_life_years, reboots, location_kind, location_error_m)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
        ?21, ?22, ?23)
ON CONFLICT (serial) DO UPDATE SET
  device_id = excluded.device_id, fleet = excluded.fleet, rat = excluded.rat,
  firmware = excluded.firmware, last_seen_us = excluded.last_seen_us, lat = excluded.lat,
  lon = excluded.lon, battery_mah_used = excluded.battery_mah_used,
  battery_v = excluded.battery_v, notes_delivered = excluded.notes_delivered,
  sessions = excluded.sessions, session_failures = excluded.session_failures,
  rsrp_dbm = excluded.rsrp_dbm, cell_id = excluded.cell_id, coverage = excluded.coverage,
  sinr_db = excluded.sinr_db, fallbacks = excluded.fallbacks,
  radio_status = excluded.radio_status, battery_life_years = excluded.battery_life_years,
  reboots = excluded.reboots, location_kind = excluded.location_kind,
  location_error_m = excluded.location_error_m
)sql";

void bind_text(sqlite3_stmt* stmt, int index, const std::string& text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

}  // namespace

std::expected<std::unique_ptr<twin_store>, std::string> twin_store::create(
    const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove(path, ec);
  std::filesystem::remove(path.string() + "-wal", ec);
  std::filesystem::remove(path.string() + "-shm", ec);
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = path.string() + ": cannot create twin store: " +
                          (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return std::unexpected(message);
  }
  std::unique_ptr<twin_store> store(new twin_store(db, path));
  // WAL lets readers (the CLI, the GUI) open the file while the run writes it; NORMAL
  // synchronous is durable across application crashes, which is what a run needs.
  if (auto ok = store->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !ok) {
    return std::unexpected(ok.error());
  }
  if (auto ok = store->exec(schema_sql); !ok) return std::unexpected(ok.error());
  if (auto ok = store->prepare_statements(); !ok) return std::unexpected(ok.error());
  return store;
}

std::expected<std::unique_ptr<twin_store>, std::string> twin_store::open(
    const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = path.string() + ": cannot open twin store: " +
                          (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return std::unexpected(message);
  }
  std::unique_ptr<twin_store> store(new twin_store(db, path));
  if (auto ok = store->exec("PRAGMA synchronous=NORMAL; SELECT count(*) FROM run_info;"); !ok) {
    return std::unexpected(ok.error() + " (not a twelvefold twin store?)");
  }
  if (auto ok = store->prepare_statements(); !ok) return std::unexpected(ok.error());
  return store;
}

std::expected<void, std::string> twin_store::prepare_statements() {
  if (sqlite3_prepare_v3(db_, upsert_sql, -1, SQLITE_PREPARE_PERSISTENT, &upsert_, nullptr) !=
      SQLITE_OK) {
    return std::unexpected(error_text("prepare upsert"));
  }
  if (sqlite3_prepare_v3(db_, insert_event_sql, -1, SQLITE_PREPARE_PERSISTENT, &insert_event_,
                         nullptr) != SQLITE_OK) {
    return std::unexpected(error_text("prepare insert event"));
  }
  if (sqlite3_prepare_v3(db_, insert_session_sql, -1, SQLITE_PREPARE_PERSISTENT, &insert_session_,
                         nullptr) != SQLITE_OK ||
      sqlite3_prepare_v3(db_, insert_metric_sql, -1, SQLITE_PREPARE_PERSISTENT, &insert_metric_,
                         nullptr) != SQLITE_OK) {
    return std::unexpected(error_text("prepare insert"));
  }
  return {};
}

twin_store::twin_store(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}

twin_store::~twin_store() {
  sqlite3_finalize(upsert_);
  sqlite3_finalize(insert_event_);
  sqlite3_finalize(insert_session_);
  sqlite3_finalize(insert_metric_);
  sqlite3_close(db_);
}

std::string twin_store::error_text(const char* what) const {
  return path_.string() + ": " + what + ": " + sqlite3_errmsg(db_);
}

std::expected<void, std::string> twin_store::exec(const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = path_.string() + ": " + (message != nullptr ? message : "sqlite error");
    sqlite3_free(message);
    return std::unexpected(text);
  }
  return {};
}

std::expected<void, std::string> twin_store::upsert(const std::vector<twin_row>& rows) {
  if (auto ok = exec("BEGIN"); !ok) return ok;
  for (const twin_row& row : rows) {
    sqlite3_stmt* s = upsert_;
    bind_text(s, 1, row.serial);
    bind_text(s, 2, row.device_id);
    bind_text(s, 3, row.fleet);
    bind_text(s, 4, row.rat);
    bind_text(s, 5, row.firmware);
    if (row.last_seen_us < 0) {
      sqlite3_bind_null(s, 6);
    } else {
      sqlite3_bind_int64(s, 6, row.last_seen_us);
    }
    sqlite3_bind_double(s, 7, row.lat);
    sqlite3_bind_double(s, 8, row.lon);
    sqlite3_bind_double(s, 9, row.battery_mah_used);
    sqlite3_bind_double(s, 10, row.battery_v);
    sqlite3_bind_int64(s, 11, static_cast<sqlite3_int64>(row.notes_delivered));
    sqlite3_bind_int64(s, 12, static_cast<sqlite3_int64>(row.sessions));
    sqlite3_bind_int64(s, 13, static_cast<sqlite3_int64>(row.session_failures));
    sqlite3_bind_double(s, 14, row.rsrp_dbm);
    sqlite3_bind_int64(s, 15, row.cell_id);
    bind_text(s, 16, row.coverage);
    sqlite3_bind_double(s, 17, row.sinr_db);
    sqlite3_bind_int64(s, 18, row.fallbacks);
    bind_text(s, 19, row.radio_status);
    sqlite3_bind_double(s, 20, row.battery_life_years);
    sqlite3_bind_int64(s, 21, row.reboots);
    bind_text(s, 22, row.location_kind);
    if (row.location_error_m < 0) {
      sqlite3_bind_null(s, 23);
    } else {
      sqlite3_bind_double(s, 23, row.location_error_m);
    }
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      std::string text = error_text("upsert twin");
      exec("ROLLBACK");
      return std::unexpected(text);
    }
  }
  return exec("COMMIT");
}

std::expected<void, std::string> twin_store::append_events(const std::vector<cloud_event>& events) {
  if (auto ok = exec("BEGIN"); !ok) return ok;
  for (const cloud_event& e : events) {
    sqlite3_stmt* s = insert_event_;
    bind_text(s, 1, e.serial);
    sqlite3_bind_int64(s, 2, e.at_us);
    bind_text(s, 3, e.kind);
    bind_text(s, 4, e.file);
    bind_text(s, 5, e.body);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      std::string text = error_text("insert event");
      exec("ROLLBACK");
      return std::unexpected(text);
    }
  }
  return exec("COMMIT");
}

std::expected<void, std::string> twin_store::append_sessions(
    const std::vector<session_row>& sessions) {
  if (auto ok = exec("BEGIN"); !ok) return ok;
  for (const session_row& r : sessions) {
    sqlite3_stmt* s = insert_session_;
    bind_text(s, 1, r.serial);
    sqlite3_bind_int64(s, 2, r.at_us);
    const std::string_view rat = models::rat_name(static_cast<models::rat>(r.rat));
    sqlite3_bind_text(s, 3, rat.data(), static_cast<int>(rat.size()), SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, r.cell_id);
    if (r.rsrp_dbm == r.rsrp_dbm) {
      sqlite3_bind_double(s, 5, r.rsrp_dbm);
    } else {
      sqlite3_bind_null(s, 5);  // NaN: no serving site
    }
    sqlite3_bind_int64(s, 6, r.notes);
    sqlite3_bind_int64(s, 7, r.bytes_up);
    sqlite3_bind_int64(s, 8, r.bytes_down);
    bind_text(s, 9, r.outcome);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      std::string text = error_text("insert session");
      exec("ROLLBACK");
      return std::unexpected(text);
    }
  }
  return exec("COMMIT");
}

std::expected<void, std::string> twin_store::append_metrics(
    const std::vector<metric_sample>& samples) {
  if (auto ok = exec("BEGIN"); !ok) return ok;
  for (const metric_sample& m : samples) {
    sqlite3_stmt* s = insert_metric_;
    sqlite3_bind_int64(s, 1, m.at_us);
    bind_text(s, 2, m.name);
    bind_text(s, 3, m.label);
    sqlite3_bind_double(s, 4, m.value);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
      std::string text = error_text("insert metric");
      exec("ROLLBACK");
      return std::unexpected(text);
    }
  }
  return exec("COMMIT");
}

std::expected<void, std::string> twin_store::expire_before(std::int64_t before_us) {
  sqlite3_stmt* stmt = nullptr;
  for (const char* sql :
       {"DELETE FROM events WHERE at_us < ?1", "DELETE FROM sessions WHERE at_us < ?1"}) {
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      return std::unexpected(error_text("prepare expiry"));
    }
    sqlite3_bind_int64(stmt, 1, before_us);
    const int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) return std::unexpected(error_text("expire old rows"));
  }
  return {};
}

std::expected<void, std::string> twin_store::upsert_bindings(const std::vector<binding_row>& rows) {
  if (auto ok = exec("BEGIN"); !ok) return ok;
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db_,
                     "INSERT OR REPLACE INTO bindings (serial, generation, device_id, imsi, iccid, "
                     "dev_eui, mac, bound_from_us, bound_until_us) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                     -1, &stmt, nullptr);
  auto text_or_null = [&](int index, const std::string& text) {
    if (text.empty()) {
      sqlite3_bind_null(stmt, index);
    } else {
      bind_text(stmt, index, text);
    }
  };
  for (const binding_row& b : rows) {
    bind_text(stmt, 1, b.serial);
    sqlite3_bind_int64(stmt, 2, b.generation);
    bind_text(stmt, 3, b.device_id);
    text_or_null(4, b.imsi);
    text_or_null(5, b.iccid);
    text_or_null(6, b.dev_eui);
    text_or_null(7, b.mac);
    sqlite3_bind_int64(stmt, 8, b.bound_from_us);
    if (b.bound_until_us < 0) {
      sqlite3_bind_null(stmt, 9);
    } else {
      sqlite3_bind_int64(stmt, 9, b.bound_until_us);
    }
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
      std::string text = error_text("write bindings");
      sqlite3_finalize(stmt);
      exec("ROLLBACK");
      return std::unexpected(text);
    }
  }
  sqlite3_finalize(stmt);
  return exec("COMMIT");
}

std::expected<void, std::string> twin_store::set_run_info(
    const std::map<std::string, std::string>& info) {
  if (auto ok = exec("BEGIN"); !ok) return ok;
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO run_info (key, value) VALUES (?1, ?2)", -1, &stmt,
                     nullptr);
  for (const auto& [key, value] : info) {
    bind_text(stmt, 1, key);
    bind_text(stmt, 2, value);
    const int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
      std::string text = error_text("write run_info");
      sqlite3_finalize(stmt);
      exec("ROLLBACK");
      return std::unexpected(text);
    }
  }
  sqlite3_finalize(stmt);
  return exec("COMMIT");
}

// Config tables (docs/cloud-config.md); not on the hot path: statements prepared per call.
std::expected<void, std::string> twin_store::write_config(const config_rows& rows) {
  if (auto ok = exec("BEGIN"); !ok) return ok;
  std::string failure;
  auto run = [&](const char* sql, auto&& bind_each, const auto& items) {
    if (!failure.empty()) return;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      failure = error_text("prepare config statement");
      return;
    }
    for (const auto& item : items) {
      bind_each(stmt, item);
      const int rc = sqlite3_step(stmt);
      sqlite3_reset(stmt);
      if (rc != SQLITE_DONE) {
        failure = error_text("write config");
        break;
      }
    }
    sqlite3_finalize(stmt);
  };
  if (auto ok = exec("DELETE FROM fleets; DELETE FROM env;"); !ok) failure = ok.error();
  if (rows.all_memberships) {
    if (auto ok = exec("DELETE FROM memberships;"); !ok) failure = ok.error();
  }
  run(
      "INSERT INTO fleets (name, lifecycle, priority, rule, watchdog_s, twins) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      [](sqlite3_stmt* st, const fleet_store_row& f) {
        bind_text(st, 1, f.name);
        bind_text(st, 2, f.lifecycle);
        sqlite3_bind_int(st, 3, f.priority);
        bind_text(st, 4, f.rule);
        sqlite3_bind_int64(st, 5, f.watchdog_s);
        sqlite3_bind_int64(st, 6, static_cast<std::int64_t>(f.twins));
      },
      rows.fleets);
  run(
      "INSERT INTO env (scope, target, name, value, version, set_at_us) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
      [](sqlite3_stmt* st, const env_store_row& e) {
        bind_text(st, 1, e.scope);
        bind_text(st, 2, e.target);
        bind_text(st, 3, e.name);
        bind_text(st, 4, e.value);
        sqlite3_bind_int64(st, 5, e.version);
        sqlite3_bind_int64(st, 6, e.set_at_us);
      },
      rows.env);
  if (!rows.all_memberships) {
    run(
        "DELETE FROM memberships WHERE serial = ?1",
        [](sqlite3_stmt* st, const std::string& serial) { bind_text(st, 1, serial); },
        rows.membership_serials);
  }
  run(
      "INSERT INTO memberships (serial, fleet, rule, since_us) VALUES (?1, ?2, ?3, ?4)",
      [](sqlite3_stmt* st, const membership_store_row& m) {
        bind_text(st, 1, m.serial);
        bind_text(st, 2, m.fleet);
        sqlite3_bind_int(st, 3, m.rule ? 1 : 0);
        sqlite3_bind_int64(st, 4, m.since_us);
      },
      rows.memberships);
  if (!failure.empty()) {
    exec("ROLLBACK");
    return std::unexpected(failure);
  }
  return exec("COMMIT");
}

}  // namespace twelvefold::actors
