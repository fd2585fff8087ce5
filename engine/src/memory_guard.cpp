// MemoryGuard: ends generation before resident memory reaches the ceiling, so the model stops
// growing instead of the process being killed.
#include "kmlm/memory.h"

namespace kmlm {

MemoryGuard::MemoryGuard(uint64_t ceiling, uint64_t margin, std::function<uint64_t()> read_rss) : state_(std::make_shared<State>()) {
    state_->ceiling = ceiling;
    state_->margin = margin;
    state_->read_rss = std::move(read_rss);
}

bool MemoryGuard::check() const {
    if (state_->ceiling == 0) return true;
    const uint64_t rss = state_->read_rss();
    state_->last_rss = rss;
    return rss + state_->margin < state_->ceiling;
}

std::function<bool()> MemoryGuard::callback() const {
    return [guard = *this] { return guard.check(); };
}

std::string MemoryGuard::message() const {
    return "memory use " + format_bytes(state_->last_rss) + " reached the ceiling " + format_bytes(state_->ceiling) + " (margin " +
           format_bytes(state_->margin) + "): generation stopped";
}

} // namespace kmlm
