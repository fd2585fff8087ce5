// `kmlm make-random`: writes a random-weight transformer GGUF of a given shape (tests and
// speed measurements of real model shapes).
#include "command.h"

#include "kmlm/error.h"
#include "kmlm/model_random.h"

#include <fstream>
#include <iterator>

#include <iostream>

namespace kmlm::cli {
namespace {

void setup_make_random(CLI::App& root) {
    auto* cmd = root.add_subcommand("make-random", "Write a random-weight transformer model (GGUF) of a given shape");
    static RandomModelSpec spec;
    static std::string preset, out, template_file;
    cmd->add_option("--preset", preset, "Shape of a real model: polyglot-ko-1.3b (other options override it)");
    cmd->add_option("--arch", spec.arch, "llama, qwen2, exaone or gptneox")->capture_default_str();
    cmd->add_option("--layers", spec.n_layer, "Layers")->capture_default_str();
    cmd->add_option("--embd", spec.n_embd, "Embedding width")->capture_default_str();
    cmd->add_option("--heads", spec.n_head, "Attention heads")->capture_default_str();
    cmd->add_option("--heads-kv", spec.n_head_kv, "Key/value heads (0 = as many as heads)")->capture_default_str();
    cmd->add_option("--ff", spec.n_ff, "Feed-forward width")->capture_default_str();
    cmd->add_option("--vocab", spec.n_vocab, "Vocabulary size (>= 259)")->capture_default_str();
    cmd->add_option("--ctx", spec.n_ctx, "Context length")->capture_default_str();
    cmd->add_option("--rope-dims", spec.n_rot, "Rotary dimensions per head (0 = all)")->capture_default_str();
    cmd->add_option("--type", spec.type, "Weight type: F32, F16, Q4_0, Q8_0, Q4_K, Q6_K, Q4_K_M, ...")->capture_default_str();
    cmd->add_flag("--tied", spec.tied_output, "No output.weight: reuse the token embedding");
    cmd->add_option("--seed", spec.seed, "Random seed")->capture_default_str();
    cmd->add_option("--chat-template-file", template_file, "tokenizer.chat_template from this file (default: ChatML)")
        ->check(CLI::ExistingFile);
    cmd->add_option("out", out, "Output file (.gguf)")->required();
    cmd->callback([cmd] {
        if (!preset.empty()) {
            RandomModelSpec base = random_model_preset(preset);
            // Options given on the command line override the preset.
            auto given = [&](const char* name) { return cmd->count(name) > 0; };
            if (given("--arch")) base.arch = spec.arch;
            if (given("--layers")) base.n_layer = spec.n_layer;
            if (given("--embd")) base.n_embd = spec.n_embd;
            if (given("--heads")) base.n_head = spec.n_head;
            if (given("--heads-kv")) base.n_head_kv = spec.n_head_kv;
            if (given("--ff")) base.n_ff = spec.n_ff;
            if (given("--vocab")) base.n_vocab = spec.n_vocab;
            if (given("--ctx")) base.n_ctx = spec.n_ctx;
            if (given("--rope-dims")) base.n_rot = spec.n_rot;
            if (given("--type")) base.type = spec.type;
            if (given("--tied")) base.tied_output = spec.tied_output;
            if (given("--seed")) base.seed = spec.seed;
            spec = base;
        }
        if (!template_file.empty()) {
            std::ifstream in(template_file, std::ios::binary);
            spec.chat_template.assign(std::istreambuf_iterator<char>(in), {});
            if (!in && !in.eof()) throw IoError("cannot read " + template_file);
        }
        write_random_model(spec, out);
        std::cerr << "wrote " << out << " (" << spec.arch << ", " << spec.n_layer << " layers, width " << spec.n_embd << ", " << spec.type
                  << ")\n";
    });
}
KMLM_CLI_COMMAND(80, setup_make_random);

} // namespace
} // namespace kmlm::cli
