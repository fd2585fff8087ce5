#include "progress.h"

#include <algorithm>
#include <cmath>
#include <unistd.h>

namespace kmlm::cli {

std::string human_count(double n) {
    char buf[32];
    if (n >= 1e9)
        std::snprintf(buf, sizeof buf, "%.1fG", n / 1e9);
    else if (n >= 1e6)
        std::snprintf(buf, sizeof buf, "%.1fM", n / 1e6);
    else if (n >= 1e4)
        std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
}

std::string human_duration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    const long s = long(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

ProgressBar::ProgressBar(std::string label, double total, std::string unit, double start, FILE* out)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), start_(start), out_(out), tty_(isatty(fileno(out)) != 0),
      t0_(Clock::now()), last_draw_(t0_), last_done_(start) {}

std::string ProgressBar::render(double done, std::string_view note) const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0_).count();
    const double rate = elapsed > 0 ? (done - start_) / elapsed : 0;
    std::string line = label_ + " ";
    if (total_ > 0) {
        const double frac = std::clamp(done / total_, 0.0, 1.0);
        if (tty_) {
            constexpr int kWidth = 24;
            const int fill = int(frac * kWidth);
            line += "[" + std::string(size_t(fill), '#') + std::string(size_t(kWidth - fill), '.') + "] ";
        }
        char pct[16];
        std::snprintf(pct, sizeof pct, "%5.1f%%", frac * 100);
        line += pct;
    } else {
        line += human_count(done) + " " + unit_;
    }
    line += "  " + human_count(rate) + " " + unit_ + "/s";
    if (total_ > 0) line += "  ETA " + (rate > 0 ? human_duration((total_ - done) / rate) : std::string("?"));
    line += "  elapsed " + human_duration(elapsed);
    if (!note.empty()) line += "  " + std::string(note);
    return line;
}

void ProgressBar::draw(double done, std::string_view note) {
    const std::string line = render(done, note);
    if (tty_)
        std::fprintf(out_, "\r%s\x1b[K", line.c_str());
    else
        std::fprintf(out_, "%s\n", line.c_str());
    std::fflush(out_);
    last_draw_ = Clock::now();
    drawn_ = true;
}

void ProgressBar::update(double done, std::string_view note) {
    last_done_ = done;
    last_note_ = note;
    const double since = std::chrono::duration<double>(Clock::now() - last_draw_).count();
    if (since >= (tty_ ? 0.2 : plain_interval_)) draw(done, note);
}

void ProgressBar::message(std::string_view text) {
    if (tty_ && drawn_) std::fprintf(out_, "\r\x1b[K");
    std::fprintf(out_, "%.*s\n", int(text.size()), text.data());
    if (tty_ && drawn_) draw(last_done_, last_note_);
    std::fflush(out_);
}

void ProgressBar::finish(std::string_view note) {
    draw(last_done_, note.empty() ? std::string_view(last_note_) : note);
    if (tty_) std::fprintf(out_, "\n");
    std::fflush(out_);
}

} // namespace kmlm::cli
