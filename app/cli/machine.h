// The machine a measurement ran on, for the figures' captions.
#pragma once
#include <string>

namespace kmlm::cli {

std::string cpu_name();     // /proc/cpuinfo's model name, or "unknown CPU"
std::string load_average(); // /proc/loadavg's first three figures, empty when unreadable

} // namespace kmlm::cli
