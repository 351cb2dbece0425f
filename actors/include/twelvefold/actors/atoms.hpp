// Message atoms shared by the actors (CAF 0.17 atom constants, at most 10 characters).
#pragma once

#include <caf/atom.hpp>

namespace twelvefold::actors {

using run_window_atom = caf::atom_constant<caf::atom("runwindow")>;
using sessions_atom = caf::atom_constant<caf::atom("sessions")>;
using uplinks_atom = caf::atom_constant<caf::atom("uplinks")>;
using notes_atom = caf::atom_constant<caf::atom("notes")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;
using collect_atom = caf::atom_constant<caf::atom("collect")>;
using upsert_atom = caf::atom_constant<caf::atom("upsert")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using timeline_atom = caf::atom_constant<caf::atom("timeline")>;
using events_atom = caf::atom_constant<caf::atom("events")>;
using expire_atom = caf::atom_constant<caf::atom("expire")>;
using sample_atom = caf::atom_constant<caf::atom("sample")>;
using bindings_atom = caf::atom_constant<caf::atom("bindings")>;   // auth: table bindings
using config_atom = caf::atom_constant<caf::atom("config")>;       // config: store tables
using health_atom = caf::atom_constant<caf::atom("health")>;       // config: watchdog sweep
using twin_rows_atom = caf::atom_constant<caf::atom("twinrows")>;  // the twins, a slice at once

}  // namespace twelvefold::actors
