// `outbound amd` in a build without the media module (-Dmedia=disabled, or
// spandsp/libsoxr missing): a clear refusal instead of an unknown command.
#include <iostream>

#include "cli.hpp"

namespace outbound::cli {

int run_amd(const std::vector<std::string>&) {
  std::cerr << "outbound amd: this build has no media support (install libspandsp-dev and libsoxr-dev, "
               "then meson setup -Dmedia=enabled)\n";
  return 2;
}

}  // namespace outbound::cli
