// What the CPU can do, detected once (cpuid on x86-64).
#pragma once
#include <string>

namespace kmlm {

struct CpuFeatures {
    bool avx2 = false, fma = false, f16c = false;
    bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
    bool avx512vnni = false, avx512bf16 = false;
    bool neon = false;
};

const CpuFeatures& cpu_features();
// "avx2 fma f16c avx512f ..." for logs and `kmlm version`.
std::string describe_cpu_features();
// The CPU's model name from /proc/cpuinfo ("unknown CPU" where there is none), and the
// 1-, 5- and 15-minute load averages from /proc/loadavg ("0.52 0.80 1.10"; empty where there
// is none): benchmarks print both, since
// other work on the machine slows every figure down.
std::string cpu_model_name();
std::string load_average();

} // namespace kmlm
