// fuzz_http: raw HTTP requests to the OpenAI-compatible server (http_target.h).
#include "http_target.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    kmlm::fuzz::http(data, size);
    return 0;
}
