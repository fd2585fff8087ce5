// Live readings of the process's resident memory from /proc (Linux), and the meter's samples.
#include "kmlm/memory.h"

#include "kmlm/error.h"

#include <algorithm>
#include <charconv>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace kmlm {
namespace {

std::string read_text(const char* path) {
    std::ifstream in(path);
    if (!in) throw IoError(std::string("cannot read ") + path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// "  123456 kB" -> bytes; 0 when it does not parse.
uint64_t parse_kb(std::string_view value) {
    value = trim(value);
    uint64_t n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc()) return 0;
    return trim(std::string_view(end, value.data() + value.size() - end)) == "kB" ? n * 1024 : n;
}

// Calls f(line) for each line of text.
template <class F>
void for_each_line(std::string_view text, F&& f) {
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        f(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
}

} // namespace

ProcessMemory parse_proc_status(std::string_view text) {
    ProcessMemory m;
    for_each_line(text, [&m](std::string_view line) {
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) return;
        const std::string_view key = line.substr(0, colon), value = line.substr(colon + 1);
        if (key == "VmRSS")
            m.rss = parse_kb(value);
        else if (key == "RssAnon")
            m.rss_anon = parse_kb(value);
        else if (key == "RssFile")
            m.rss_file = parse_kb(value);
        else if (key == "RssShmem")
            m.rss_shmem = parse_kb(value);
        else if (key == "VmHWM")
            m.peak_rss = parse_kb(value);
        else if (key == "VmSize")
            m.virtual_size = parse_kb(value);
    });
    return m;
}

ProcessMemory read_process_memory() { return parse_proc_status(read_text("/proc/self/status")); }

uint64_t current_rss() {
    // statm: "size resident shared text lib data dt" in pages.
    const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char buf[128];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    ::close(fd);
    if (n <= 0) return 0;
    const char* p = buf;
    const char* end = buf + n;
    uint64_t size = 0, resident = 0;
    auto r = std::from_chars(p, end, size);
    if (r.ec != std::errc() || r.ptr == end) return 0;
    r = std::from_chars(r.ptr + 1, end, resident);
    if (r.ec != std::errc()) return 0;
    return resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

// smaps: a header line per mapping ("start-end perms offset dev inode   /path"), then
// "Key:   N kB" lines; Rss is summed over the mappings whose path is the file.
uint64_t parse_smaps_resident(std::string_view text, std::string_view file) {
    uint64_t total = 0;
    bool in_file = false;
    for_each_line(text, [&](std::string_view line) {
        const size_t colon = line.find(':');
        const size_t space = line.find(' ');
        const bool header = space != std::string_view::npos && (colon == std::string_view::npos || colon > space);
        if (header) {
            const size_t slash = line.find('/');
            in_file = slash != std::string_view::npos && trim(line.substr(slash)) == file;
        } else if (in_file && line.substr(0, colon) == "Rss") {
            total += parse_kb(line.substr(colon + 1));
        }
    });
    return total;
}

uint64_t mapped_file_resident(const std::filesystem::path& file) {
    std::error_code ec;
    const auto canonical = std::filesystem::canonical(file, ec);
    if (ec) return 0;
    try {
        return parse_smaps_resident(read_text("/proc/self/smaps"), canonical.string());
    } catch (const IoError&) {
        return 0;
    }
}

MemorySample make_sample(const ProcessMemory& process, uint64_t ceiling, uint64_t model_file_resident, const MemoryUsage& usage) {
    MemorySample s;
    s.used = process.rss;
    s.ceiling = ceiling;
    s.model = std::min(s.used, model_file_resident > 0 ? model_file_resident : usage.weights);
    s.kv_cache = std::min(s.used - s.model, usage.kv_cache);
    s.app = s.used - s.model - s.kv_cache;
    return s;
}

MemorySample sample_memory(uint64_t ceiling, const std::filesystem::path& model_file, const MemoryUsage& usage) {
    const uint64_t resident = model_file.empty() ? 0 : mapped_file_resident(model_file);
    return make_sample(read_process_memory(), ceiling, resident, usage);
}

MemoryHistory::MemoryHistory(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) { samples_.reserve(capacity_); }

void MemoryHistory::push(const MemorySample& sample) {
    if (samples_.size() == capacity_) samples_.erase(samples_.begin());
    samples_.push_back(sample);
}

uint64_t MemoryHistory::peak_used() const {
    uint64_t peak = 0;
    for (const auto& s : samples_) peak = std::max(peak, s.used);
    return peak;
}

} // namespace kmlm
