// One libFuzzer program per engine target: KMLM_FUZZ_TARGET names it (fuzz/CMakeLists.txt).
#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const kmlm::fuzz::Target target = kmlm::fuzz::engine_target(KMLM_FUZZ_TARGET);
    target(data, size);
    return 0;
}
