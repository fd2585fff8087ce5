// Admission of requests: at most `active` run at once, at most `waiting` more wait their
// turn in arrival order; a request beyond both is refused (HTTP 503).
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

namespace kmlm::server {

class RequestGate {
public:
    RequestGate(int active, int waiting);

    // Leaving the gate (destroying the ticket) lets the next waiting request in.
    class Ticket {
    public:
        explicit Ticket(RequestGate& gate) : gate_(gate) {}
        ~Ticket() { gate_.leave(); }
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;

    private:
        RequestGate& gate_;
    };

    // Blocks while the request waits its turn; null when the queue is full.
    std::unique_ptr<Ticket> enter();

    struct Counts {
        int active = 0;
        int waiting = 0;
    };
    Counts counts() const;

private:
    void leave();

    const int max_active_, max_waiting_;
    mutable std::mutex mutex_;
    std::condition_variable turn_;
    int active_ = 0, waiting_ = 0;
    uint64_t next_number_ = 0, serving_ = 0; // arrival numbers: waiting requests go in order
};

} // namespace kmlm::server
