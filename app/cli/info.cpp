// `kmlm info`: what a model file holds (architecture, size, tensor types, context,
// vocabulary) and the memory it would need, from its metadata alone.
#include "model_options.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/memory.h"
#include "kmlm/transformer.h"

#include <cstdio>
#include <iostream>
#include <map>

namespace kmlm::cli {
namespace {

void print_gguf(const std::filesystem::path& path, const ModelOptions& opts) {
    const auto file = gguf::GgufFile::open(path);
    const std::string arch = file->architecture();
    std::cout << "file:          " << path.string() << " (GGUF v" << file->version() << ", " << format_bytes(file->file_size()) << ")\n";
    if (auto name = file->get_string("general.name")) std::cout << "name:          " << *name << "\n";
    std::cout << "architecture:  " << arch << "\n";
    if (is_transformer_arch(arch)) {
        const TransformerHParams hp = read_hparams(*file);
        std::cout << "layers:        " << hp.n_layer << "\n"
                  << "embedding:     " << hp.n_embd << "\n"
                  << "heads:         " << hp.n_head << " (KV heads " << hp.n_head_kv << ", head size " << hp.head_dim
                  << ", rotary dims " << hp.n_rot << (hp.rope_neox ? ", neox" : ", normal") << " rope, base " << hp.rope_base << ")\n"
                  << "feed-forward:  " << hp.n_ff << "\n"
                  << "context:       " << hp.n_ctx_train << "\n"
                  << "vocabulary:    " << hp.n_vocab << "\n";
    }
    if (auto model = file->get_string("tokenizer.ggml.model")) std::cout << "tokenizer:     " << *model << "\n";
    std::cout << "chat template: " << (file->has("tokenizer.chat_template") ? "yes" : "no") << "\n";

    struct TypeStats { uint64_t tensors = 0, elements = 0, bytes = 0; };
    std::map<std::string, TypeStats> types;
    uint64_t params = 0;
    for (const auto& t : file->tensors()) {
        auto& s = types[std::string(type_traits(t.type).name)];
        ++s.tensors;
        s.elements += t.n_elements;
        s.bytes += t.n_bytes;
        params += t.n_elements;
    }
    std::printf("parameters:    %.1f M in %zu tensors\n", params / 1e6, file->tensors().size());
    for (const auto& [name, s] : types)
        std::printf("  %-6s %5llu tensors %8.1f M params %12s\n", name.c_str(), (unsigned long long)s.tensors,
                    s.elements / 1e6, format_bytes(s.bytes).c_str());
    std::fflush(stdout);
    const LoadOptions lo = to_load_options(opts);
    std::cout << describe(estimate_memory(*file, lo.n_ctx, lo.kv_type)) << "\n";
}

void setup_info(CLI::App& root) {
    auto* cmd = root.add_subcommand("info", "Describe a model: architecture, parameters, tensor types, context, vocabulary, memory estimate");
    static ModelOptions opts;
    add_model_options(cmd, opts);
    cmd->callback([] {
        const std::filesystem::path path = opts.model.empty() ? default_model_path() : std::filesystem::path(opts.model);
        require_regular_file(path, "model file");
        char magic[4] = {};
        if (FILE* f = std::fopen(path.c_str(), "rb")) {
            if (std::fread(magic, 1, 4, f) != 4) magic[0] = 0;
            std::fclose(f);
        }
        if (std::string_view(magic, 4) == "GGUF") return print_gguf(path, opts);
        // The GRU's own formats: what the loaded model says about itself.
        const auto model = load_model_from_options(opts);
        const ModelInfo& info = model->info();
        std::cout << "file:          " << path.string() << "\n"
                  << "name:          " << info.name << "\n"
                  << "architecture:  " << info.architecture << "\n"
                  << "parameters:    " << info.parameters << "\n"
                  << "vocabulary:    " << info.vocab_size << "\n";
    });
}
KMLM_CLI_COMMAND(40, setup_info);

} // namespace
} // namespace kmlm::cli
