// `kmlm quantize IN OUT TYPE`: requantizes a GGUF model (F32/F16/BF16 or already quantized)
// to Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_XS, llama.cpp's
// mixes of them (Q3_K_S/M/L, Q4_K_M, Q5_K_M...), F16, BF16 or F32.
#include "command.h"
#include "progress.h"

#include "kmlm/gguf.h"
#include "kmlm/quant.h"
#include "kmlm/threadpool.h"

#include <cstdio>
#include <iostream>
#include <map>

namespace kmlm::cli {
namespace {

struct QuantizeArgs {
    std::string in, out, type;
    int threads = 0;
};

std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
    return s;
}

void run_quantize(const QuantizeArgs& args) {
    const QuantPreset preset = parse_quant_preset(args.type); // bad TYPE fails before any work
    auto in = gguf::GgufFile::open(args.in);
    ThreadPool pool(args.threads);
    ProgressBar bar("quantize", double(in->tensors().size()), "tensors");
    quantize_model(*in, args.out, preset, pool, [&](size_t done, size_t, const std::string& name) { bar.update(double(done), name); });
    bar.finish();

    auto out = gguf::GgufFile::open(args.out);
    std::map<std::string, int> counts;
    for (const auto& t : out->tensors()) ++counts[std::string(type_traits(t.type).name)];
    std::string mix;
    for (const auto& [type, n] : counts) mix += (mix.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    std::printf("%s: %s, %.1f MiB -> %.1f MiB (%s)\n", args.out.c_str(), preset.name.c_str(), double(in->file_size()) / (1 << 20),
                double(out->file_size()) / (1 << 20), mix.c_str());
}

void setup_quantize(CLI::App& root) {
    auto args = std::make_shared<QuantizeArgs>();
    auto* cmd = root.add_subcommand("quantize", "Convert a GGUF model to another tensor type (e.g. Q4_K_M)");
    cmd->add_option("IN", args->in, "Input GGUF model")->required()->check(CLI::ExistingFile);
    cmd->add_option("OUT", args->out, "Output GGUF file (written atomically)")->required();
    cmd->add_option("TYPE", args->type, "Target: " + join(quant_preset_names()))->required();
    cmd->add_option("-t,--threads", args->threads, "Threads (0 = all cores)")->check(CLI::Range(0, 256));
    cmd->footer("1-D tensors (norms, biases) are stored as F32; output.weight gets Q6_K unless the\n"
                "target is Q8_0 or a float type; the mixes (Q2_K, Q3_K_M/L, Q4_K_M, Q5_K_M, IQ4_NL,\n"
                "IQ4_XS) give attn_v, attn_output and ffn_down more bits as llama.cpp does. Rows that\n"
                "are not whole blocks fall back to IQ4_NL, Q5_0, Q5_1, Q8_0 or F16.");
    cmd->callback([args] { run_quantize(*args); });
}

} // namespace
KMLM_CLI_COMMAND(65, setup_quantize);
} // namespace kmlm::cli
