// `kmlm info`: what a model file holds (architecture, size, tensor types, context,
// vocabulary), whether this engine can run it and why not, and the memory it would need,
// from its header alone (describe_model_file).
#include "model_options.h"

#include "kmlm/model_file.h"

#include <cstdio>
#include <iostream>

namespace kmlm::cli {
namespace {

void print_hparams(const TransformerHParams& hp) {
    std::cout << "layers:        " << hp.n_layer << "\n"
              << "embedding:     " << hp.n_embd << "\n"
              << "heads:         " << hp.n_head << " (KV heads " << hp.n_head_kv << ", head size " << hp.head_dim << ", rotary dims "
              << hp.n_rot << (hp.rope_neox ? ", neox" : ", normal") << " rope, base " << hp.rope_base << ")\n"
              << "feed-forward:  " << hp.n_ff << "\n";
}

void print_info(const ModelFileInfo& d) {
    std::cout << "file:          " << d.path.string();
    if (d.format == ModelFormat::Gguf)
        std::cout << " (GGUF v" << d.gguf_version << ", " << format_bytes(d.file_size) << ")";
    else
        std::cout << " (" << (d.format == ModelFormat::GruJson ? "GRU JSON" : "GRU binary") << ", " << format_bytes(d.file_size) << ")";
    std::cout << "\nname:          " << d.name << "\n"
              << "architecture:  " << (d.architecture.empty() ? "(none)" : d.architecture) << "\n"
              << "runs here:     " << (d.supported ? "yes" : "no: " + d.reason) << "\n";
    if (d.hparams) print_hparams(*d.hparams);
    if (d.gru) std::cout << "embedding:     " << d.gru->embed_dim << "\nhidden:        " << d.gru->hidden_dim << "\n";
    if (d.context_length) std::cout << "context:       " << d.context_length << "\n";
    std::cout << "vocabulary:    " << d.vocab_size << "\n";
    if (!d.tokenizer.empty()) std::cout << "tokenizer:     " << d.tokenizer << "\n";
    if (d.format == ModelFormat::Gguf) std::cout << "chat template: " << (d.has_chat_template ? "yes" : "no") << "\n";
    uint64_t tensors = 0;
    for (const auto& [name, s] : d.tensor_types) tensors += s.tensors;
    std::printf("parameters:    %.1f M", d.parameters / 1e6);
    if (tensors) std::printf(" in %llu tensors", (unsigned long long)tensors);
    std::printf("\n");
    for (const auto& [name, s] : d.tensor_types)
        std::printf("  %-7s %5llu tensors %8.1f M params %12s\n", name.c_str(), (unsigned long long)s.tensors, s.elements / 1e6,
                    format_bytes(s.bytes).c_str());
    std::fflush(stdout);
    if (d.memory) std::cout << describe(*d.memory);
    std::cout << std::flush;
}

void setup_info(CLI::App& root) {
    auto* cmd = root.add_subcommand(
        "info", "Describe a model: architecture, whether it runs here, parameters, tensor types, context, vocabulary, memory estimate");
    static ModelOptions opts;
    add_model_options(cmd, opts);
    cmd->callback([] {
        const std::filesystem::path path = opts.model.empty() ? default_model_path() : std::filesystem::path(opts.model);
        const LoadOptions lo = to_load_options(opts);
        print_info(describe_model_file(path, lo.n_ctx, lo.kv_type));
    });
}
KMLM_CLI_COMMAND(40, setup_info);

} // namespace
} // namespace kmlm::cli
