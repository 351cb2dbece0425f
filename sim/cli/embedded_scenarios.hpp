// Scenarios compiled into the binary, so `twelvefold run` works from any directory.
#pragma once

#include <string_view>

namespace twelvefold::cli {

// The text of scenarios/quickstart/scenario.txtpb at build time.
std::string_view embedded_quickstart();

}  // namespace twelvefold::cli
