// MemoryGuard: ends generation before resident memory reaches the ceiling, so the model stops
// growing instead of the process being killed.
#include "kmlm/memory.h"

namespace kmlm {

MemoryGuard::MemoryGuard(uint64_t ceiling, uint64_t margin, std::function<uint64_t()> read_rss)
    : ceiling_(ceiling), margin_(margin), read_rss_(std::move(read_rss)) {}

bool MemoryGuard::check() const {
    if (ceiling_ == 0) return true;
    last_rss_ = read_rss_();
    return last_rss_ + margin_ < ceiling_;
}

std::function<bool()> MemoryGuard::callback() const {
    return [this] { return check(); };
}

std::string MemoryGuard::message() const {
    return "memory use " + format_bytes(last_rss_) + " reached the ceiling " + format_bytes(ceiling_) +
           " (margin " + format_bytes(margin_) + "): generation stopped";
}

} // namespace kmlm
