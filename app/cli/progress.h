// A progress line for long commands on stderr: percentage, rate, ETA and a free-form note.
// On a terminal it redraws in place; otherwise (a log file) it prints a plain line now and
// then.
#pragma once
#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

namespace kmlm::cli {

class ProgressBar {
public:
    // total: the amount of work (0 = unknown); unit: what is counted ("tok", "lines").
    // start: work already done before (a resumed run), not counted in the rate.
    ProgressBar(std::string label, double total, std::string unit, double start = 0, FILE* out = stderr);
    // done: work done so far. Draws when enough time passed since the last draw.
    void update(double done, std::string_view note = {});
    // Prints a line of its own (on a terminal, above the bar).
    void message(std::string_view text);
    // Draws the final state and ends the line.
    void finish(std::string_view note = {});
    void set_plain_interval(double seconds) { plain_interval_ = seconds; }

private:
    using Clock = std::chrono::steady_clock;
    std::string render(double done, std::string_view note) const;
    void draw(double done, std::string_view note);

    std::string label_, unit_;
    double total_, start_;
    FILE* out_;
    bool tty_;
    double plain_interval_ = 30;
    Clock::time_point t0_, last_draw_;
    double last_done_ = 0;
    std::string last_note_;
    bool drawn_ = false;
};

// "1.2k", "3.4M"
std::string human_count(double n);
// "1:02:03" or "4:05"
std::string human_duration(double seconds);

} // namespace kmlm::cli
