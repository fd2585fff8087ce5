// `kmlm perplexity`: perplexity of a model on a text file, by llama.cpp's method so that the
// figures compare with its perplexity tool.
#include "model_options.h"

#include "kmlm/error.h"
#include "kmlm/loglik.h"
#include "kmlm/perplexity.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace kmlm::cli {
namespace {

void setup_perplexity(CLI::App& root) {
    auto* cmd = root.add_subcommand("perplexity", "Perplexity of a model on a UTF-8 text file (llama.cpp's method)");
    static ModelOptions opts;
    static std::string file;
    static uint32_t chunks = 0;
    add_model_options(cmd, opts);
    cmd->add_option("-f,--file", file, "Text file")->required();
    cmd->add_option("--chunks", chunks, "Chunks to score (0 = all)");
    cmd->callback([] {
        require_regular_file(file, "text file");
        std::ifstream in(file, std::ios::binary);
        if (!in) throw IoError("cannot read " + file);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        auto model = load_model_from_options(opts);
        PerplexityOptions po;
        po.n_ctx = opts.ctx;
        // As for run: --ctx is clamped to the model's context (the loaded model holds that many).
        if (model->context_length() != 0) po.n_ctx = std::min<uint32_t>(po.n_ctx, uint32_t(model->context_length()));
        po.max_chunks = chunks;
        po.on_chunk = [](uint32_t c, uint32_t n, double ppl) {
            std::printf("[%u/%u] %.4f\n", c, n, ppl);
            std::fflush(stdout);
        };
        const PerplexityResult r = perplexity(*model, text, po);
        std::printf("%llu tokens, %u chunks of %u, %llu scored, %.2f s (%.0f tokens/s)\n", (unsigned long long)r.n_tokens, r.n_chunks,
                    po.n_ctx, (unsigned long long)r.n_scored, r.seconds, r.seconds > 0 ? r.n_chunks * double(po.n_ctx) / r.seconds : 0.0);
        std::printf("Final estimate: PPL = %.4f +/- %.5f\n", r.ppl, r.ppl_error);
        std::printf("%.4f bits/char (%llu characters), %.4f bits/syllable (%llu Hangul syllables) of the scored text\n",
                    bits_per(r.nll, r.scored_chars), (unsigned long long)r.scored_chars, bits_per(r.nll, r.scored_syllables),
                    (unsigned long long)r.scored_syllables);
    });
}
KMLM_CLI_COMMAND(60, setup_perplexity);

} // namespace
} // namespace kmlm::cli
