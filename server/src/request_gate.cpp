#include "kmlm_server/request_gate.h"

#include <algorithm>

namespace kmlm::server {

RequestGate::RequestGate(int active, int waiting) : max_active_(std::max(1, active)), max_waiting_(std::max(0, waiting)) {}

std::unique_ptr<RequestGate::Ticket> RequestGate::enter() {
    std::unique_lock lock(mutex_);
    if (active_ < max_active_ && waiting_ == 0) {
        ++active_;
        return std::make_unique<Ticket>(*this);
    }
    if (waiting_ >= max_waiting_) return nullptr;
    ++waiting_;
    const uint64_t number = next_number_++;
    turn_.wait(lock, [&] { return active_ < max_active_ && serving_ == number; });
    ++serving_;
    --waiting_;
    ++active_;
    turn_.notify_all(); // the next in line may fit too
    return std::make_unique<Ticket>(*this);
}

void RequestGate::leave() {
    std::lock_guard lock(mutex_);
    --active_;
    turn_.notify_all();
}

RequestGate::Counts RequestGate::counts() const {
    std::lock_guard lock(mutex_);
    return {active_, waiting_};
}

} // namespace kmlm::server
