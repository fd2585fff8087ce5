// The server's HTTP request handling as a fuzz target: the bytes go, as they are, down a
// loopback TCP connection to a real kmlm::server::HttpServer in front of a backend that
// echoes, so cpp-httplib's request parser, the routes, the key check, the body limit, the
// JSON request parsers and the response writers all see them. fuzz_http runs it;
// tests/server/tst_http_fuzz_regressions replays fuzz/regressions/http with it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace kmlm::fuzz {

inline constexpr const char* kHttpFuzzKey = "fuzz-key"; // the key the server asks for
inline constexpr size_t kHttpFuzzMaxBody = 16 * 1024;   // larger bodies get 413

// Sends the bytes as one request and returns all the server
// wrote back before it closed the connection. One server per process, started on first use.
std::string http_exchange(const uint8_t* data, size_t size);
void http(const uint8_t* data, size_t size);

} // namespace kmlm::fuzz
