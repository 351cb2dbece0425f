#include "twelvefold/actors/twin_store_writer.hpp"

#include <caf/all.hpp>

#include "twelvefold/actors/atoms.hpp"

namespace twelvefold::actors {
namespace {

struct writer_state {
  std::shared_ptr<twin_store> store;  // shared only because CAF copies spawn arguments
};

caf::behavior writer_actor(caf::stateful_actor<writer_state>* self,
                           std::shared_ptr<twin_store> store) {
  self->state.store = std::move(store);
  return {
      [self](upsert_atom, const std::vector<twin_row>& rows) -> caf::result<bool> {
        if (!self->state.store) return caf::make_error(caf::sec::invalid_argument, "store closed");
        if (auto ok = self->state.store->upsert(rows); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self](events_atom, const std::vector<cloud_event>& events) -> caf::result<bool> {
        if (!self->state.store) return caf::make_error(caf::sec::invalid_argument, "store closed");
        if (auto ok = self->state.store->append_events(events); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self](sessions_atom, const std::vector<session_row>& rows) -> caf::result<bool> {
        if (!self->state.store) return caf::make_error(caf::sec::invalid_argument, "store closed");
        if (auto ok = self->state.store->append_sessions(rows); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self](sample_atom, const std::vector<metric_sample>& samples) -> caf::result<bool> {
        if (!self->state.store) return caf::make_error(caf::sec::invalid_argument, "store closed");
        if (auto ok = self->state.store->append_metrics(samples); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self](expire_atom, std::int64_t before_us) -> caf::result<bool> {
        if (!self->state.store) return caf::make_error(caf::sec::invalid_argument, "store closed");
        if (auto ok = self->state.store->expire_before(before_us); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self](bindings_atom, const std::vector<binding_row>& rows) -> caf::result<bool> {
        if (!self->state.store) return caf::make_error(caf::sec::invalid_argument, "store closed");
        if (auto ok = self->state.store->upsert_bindings(rows); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self](config_atom, const config_rows& rows) -> caf::result<bool> {
        if (!self->state.store) return caf::make_error(caf::sec::invalid_argument, "store closed");
        if (auto ok = self->state.store->write_config(rows); !ok) {
          return caf::make_error(caf::sec::runtime_error, ok.error());
        }
        return true;
      },
      [self](close_atom) {
        self->state.store.reset();
        return true;
      },
  };
}

}  // namespace

caf::actor spawn_twin_store_writer(caf::actor_system& system, std::unique_ptr<twin_store> store) {
  return system.spawn<caf::detached>(writer_actor, std::shared_ptr<twin_store>(std::move(store)));
}

}  // namespace twelvefold::actors
