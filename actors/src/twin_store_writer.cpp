#include "twelvefold/actors/twin_store_writer.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "twelvefold/actors/atoms.hpp"

namespace twelvefold::actors {
namespace {

struct writer_state {
  std::shared_ptr<twin_store> store;  // shared only because CAF copies spawn arguments
  // Resume (replay.hpp): while replaying, every write is dropped and the store is not even
  // open; the first skip.events / skip.sessions rows are dropped whenever they come.
  bool replaying = false;
  std::filesystem::path path;  // opened when the replay ends
  store_skip skip;
  std::uint64_t events_received = 0;
  std::uint64_t sessions_received = 0;
  std::uint64_t events_replayed = 0;
  std::uint64_t sessions_replayed = 0;
};

// How many of `n` rows arriving now are already in the store (and so dropped).
std::size_t take_skip(std::uint64_t& skip, std::size_t n) {
  const auto dropped = static_cast<std::size_t>(std::min<std::uint64_t>(skip, n));
  skip -= dropped;
  return dropped;
}

caf::behavior writer_actor(caf::stateful_actor<writer_state>* self,
                           std::shared_ptr<twin_store> store, std::filesystem::path path,
                           store_skip skip, bool replaying) {
  self->state.store = std::move(store);
  self->state.path = std::move(path);
  self->state.skip = skip;
  self->state.replaying = replaying;
  // Writes other than events and sessions are keyed (upserts, replaced rows), so dropping them
  // while replaying loses nothing: the live part of the run writes them again.
  auto closed = [self]() -> caf::error {
    if (self->state.store) return {};
    return caf::make_error(caf::sec::invalid_argument, "store closed");
  };
  return {
      [self, closed](upsert_atom, const std::vector<twin_row>& rows) -> caf::result<bool> {
        if (self->state.replaying) return true;
        if (auto err = closed()) return err;
        if (auto ok = self->state.store->upsert(rows); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self, closed](events_atom, const std::vector<cloud_event>& events) -> caf::result<bool> {
        writer_state& st = self->state;
        st.events_received += events.size();
        const std::size_t skipped = take_skip(st.skip.events, events.size());
        if (st.replaying) {
          st.events_replayed += events.size();
          return true;
        }
        if (skipped == events.size()) return true;
        if (auto err = closed()) return err;
        const auto ok =
            skipped == 0
                ? st.store->append_events(events)
                : st.store->append_events(std::vector<cloud_event>(
                      events.begin() + static_cast<std::ptrdiff_t>(skipped), events.end()));
        if (!ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self, closed](sessions_atom, const std::vector<session_row>& rows) -> caf::result<bool> {
        writer_state& st = self->state;
        st.sessions_received += rows.size();
        const std::size_t skipped = take_skip(st.skip.sessions, rows.size());
        if (st.replaying) {
          st.sessions_replayed += rows.size();
          return true;
        }
        if (skipped == rows.size()) return true;
        if (auto err = closed()) return err;
        const auto ok = skipped == 0
                            ? st.store->append_sessions(rows)
                            : st.store->append_sessions(std::vector<session_row>(
                                  rows.begin() + static_cast<std::ptrdiff_t>(skipped), rows.end()));
        if (!ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self, closed](sample_atom, const std::vector<metric_sample>& samples) -> caf::result<bool> {
        if (self->state.replaying) return true;
        if (auto err = closed()) return err;
        if (auto ok = self->state.store->append_metrics(samples); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self, closed](expire_atom, std::int64_t before_us) -> caf::result<bool> {
        // The stopped run already applied retention up to its stop; later cuts are later.
        if (self->state.replaying) return true;
        if (auto err = closed()) return err;
        if (auto ok = self->state.store->expire_before(before_us); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self, closed](bindings_atom, const std::vector<binding_row>& rows) -> caf::result<bool> {
        if (self->state.replaying) return true;
        if (auto err = closed()) return err;
        if (auto ok = self->state.store->upsert_bindings(rows); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self, closed](config_atom, const config_rows& rows) -> caf::result<bool> {
        if (self->state.replaying) return true;
        if (auto err = closed()) return err;
        if (auto ok = self->state.store->write_config(rows); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self](live_atom) -> caf::result<std::vector<std::uint64_t>> {
        writer_state& st = self->state;
        if (st.replaying) {
          auto opened = twin_store::open(st.path);
          if (!opened) return caf::make_error(caf::sec::runtime_error, opened.error());
          st.store = std::move(*opened);
          st.replaying = false;
        }
        return std::vector<std::uint64_t>{st.events_replayed, st.sessions_replayed};
      },
      [self](collect_atom) {
        return std::vector<std::uint64_t>{self->state.events_received,
                                          self->state.sessions_received};
      },
      [self](close_atom) {
        self->state.store.reset();
        return true;
      },
  };
}

}  // namespace

caf::actor spawn_twin_store_writer(caf::actor_system& system, std::unique_ptr<twin_store> store) {
  return system.spawn<caf::detached>(writer_actor, std::shared_ptr<twin_store>(std::move(store)),
                                     std::filesystem::path{}, store_skip{}, false);
}

caf::actor spawn_resuming_twin_store_writer(caf::actor_system& system, std::filesystem::path path,
                                            store_skip skip) {
  return system.spawn<caf::detached>(writer_actor, std::shared_ptr<twin_store>{}, std::move(path),
                                     skip, true);
}

}  // namespace twelvefold::actors
