// `kmlm prune IN OUT`: smaller models by measured pruning. Layers and attention heads are
// ranked by what removing each one costs in bits per character on a calibration text (the
// least harmful go first); --sparsity zeroes the smallest weights instead.
#include "command.h"
#include "progress.h"

#include "kmlm/error.h"
#include "kmlm/gguf.h"
#include "kmlm/loglik.h"
#include "kmlm/prune.h"
#include "kmlm/threadpool.h"
#include "kmlm/transformer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <sstream>

namespace kmlm::cli {
namespace {

namespace fs = std::filesystem;

struct PruneArgs {
    std::string in, out, calib, layers;
    double drop_layers = 0, sparsity = -1;
    uint32_t heads = 0, kv_groups = 0;
    uint64_t calib_lines = 200;
    int threads = 0;
};

// Bits per character of the calibration text under a model file.
class Calibration {
public:
    Calibration(const PruneArgs& a) : a_(a) {
        if (a.calib.empty()) throw InvalidArgument("--calib FILE is needed to measure what each part costs");
        std::ifstream in(a.calib, std::ios::binary);
        if (!in) throw IoError("cannot read " + a.calib);
        std::ostringstream s;
        s << in.rdbuf();
        text_ = s.str();
    }
    double bits_per_char(const fs::path& model_path) const {
        LoadOptions lo;
        lo.n_threads = a_.threads;
        lo.n_ctx = 0; // the model's own context
        auto model = load_model(model_path, lo);
        TextScoreOptions o;
        o.max_lines = a_.calib_lines;
        return score_text(*model, text_, o).bits_per_char();
    }

private:
    const PruneArgs& a_;
    std::string text_;
};

// A scratch file next to OUT for the measurements, removed at the end.
struct ScratchFile {
    fs::path path;
    explicit ScratchFile(const std::string& out) : path(out + ".measure.tmp") {}
    ~ScratchFile() {
        std::error_code ec;
        fs::remove(path, ec);
    }
};

std::vector<uint32_t> parse_list(const std::string& text) {
    std::vector<uint32_t> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        size_t pos = 0;
        unsigned long v = 0;
        try {
            v = std::stoul(item, &pos);
        } catch (const std::exception&) {
            pos = 0;
        }
        if (item.empty() || pos != item.size()) throw InvalidArgument("--layers: not a layer index: '" + item + "'");
        out.push_back(uint32_t(v));
    }
    return out;
}

// Indices of the n smallest values, ascending by index.
std::vector<uint32_t> smallest(const std::vector<double>& v, size_t n) {
    std::vector<uint32_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) { return v[a] < v[b]; });
    idx.resize(std::min(n, idx.size()));
    std::sort(idx.begin(), idx.end());
    return idx;
}

void prune_layers(const PruneArgs& a, const gguf::GgufFile& in, const TransformerHParams& hp) {
    std::vector<uint32_t> drop;
    if (!a.layers.empty()) {
        drop = parse_list(a.layers);
    } else {
        const size_t n = a.drop_layers >= 1 ? size_t(a.drop_layers) : size_t(std::lround(a.drop_layers * hp.n_layer));
        if (n == 0 || n >= hp.n_layer)
            throw InvalidArgument("--drop-layers: " + std::to_string(n) + " of " + std::to_string(hp.n_layer) +
                                  " layers is not something to drop");
        const Calibration calib(a);
        const ScratchFile scratch(a.out);
        const double base = calib.bits_per_char(a.in);
        std::printf("calibration: %.4f bits/char with all %u layers\n", base, hp.n_layer);
        std::vector<double> cost(hp.n_layer);
        for (uint32_t l = 0; l < hp.n_layer; ++l) {
            drop_layers(in, {l}, scratch.path);
            cost[l] = calib.bits_per_char(scratch.path) - base;
            std::printf("  without layer %2u: %+.4f bits/char\n", l, cost[l]);
            std::fflush(stdout);
        }
        drop = smallest(cost, n);
    }
    drop_layers(in, drop, a.out);
    std::string list;
    for (uint32_t l : drop) list += (list.empty() ? "" : ",") + std::to_string(l);
    std::printf("dropped layers %s: %u -> %u layers\n", list.c_str(), hp.n_layer, hp.n_layer - uint32_t(drop.size()));
}

void prune_heads(const PruneArgs& a, const gguf::GgufFile& in, const TransformerHParams& hp, ThreadPool& pool) {
    const uint32_t group = hp.n_head / hp.n_head_kv;
    if (a.heads > 0 && a.heads >= group)
        throw InvalidArgument("--heads " + std::to_string(a.heads) + ": each KV group has " + std::to_string(group) +
                              " query heads; at least one must stay");
    if (a.kv_groups > 0 && a.kv_groups >= hp.n_head_kv)
        throw InvalidArgument("--kv-groups " + std::to_string(a.kv_groups) + ": the model has " + std::to_string(hp.n_head_kv) +
                              " KV groups; at least one must stay");
    const Calibration calib(a);
    const ScratchFile scratch(a.out);
    const double base = calib.bits_per_char(a.in);
    std::printf("calibration: %.4f bits/char with all heads\n", base);
    std::vector<std::vector<uint32_t>> kept(hp.n_layer);
    for (uint32_t l = 0; l < hp.n_layer; ++l) {
        if (a.kv_groups > 0) {
            std::vector<double> cost(hp.n_head_kv);
            for (uint32_t g = 0; g < hp.n_head_kv; ++g) {
                std::vector<uint32_t> heads(group);
                std::iota(heads.begin(), heads.end(), g * group);
                zero_heads(in, l, heads, scratch.path, pool);
                cost[g] = calib.bits_per_char(scratch.path) - base;
                std::printf("  layer %2u without KV group %u: %+.4f bits/char\n", l, g, cost[g]);
                std::fflush(stdout);
            }
            const auto removed = smallest(cost, a.kv_groups);
            for (uint32_t g = 0; g < hp.n_head_kv; ++g)
                if (!std::binary_search(removed.begin(), removed.end(), g))
                    for (uint32_t h = g * group; h < (g + 1) * group; ++h) kept[l].push_back(h);
        } else {
            std::vector<double> cost(hp.n_head);
            for (uint32_t h = 0; h < hp.n_head; ++h) {
                zero_heads(in, l, {h}, scratch.path, pool);
                cost[h] = calib.bits_per_char(scratch.path) - base;
                std::printf("  layer %2u without head %2u: %+.4f bits/char\n", l, h, cost[h]);
                std::fflush(stdout);
            }
            for (uint32_t g = 0; g < hp.n_head_kv; ++g) {
                const std::vector<double> in_group(cost.begin() + g * group, cost.begin() + (g + 1) * group);
                const auto removed = smallest(in_group, a.heads);
                for (uint32_t i = 0; i < group; ++i)
                    if (!std::binary_search(removed.begin(), removed.end(), i)) kept[l].push_back(g * group + i);
            }
        }
    }
    keep_heads(in, kept, a.out, pool);
    const uint32_t kv_after = hp.n_head_kv - a.kv_groups;
    std::printf("heads: %u query / %u KV -> %u query / %u KV in each of %u layers\n", hp.n_head, hp.n_head_kv, uint32_t(kept[0].size()),
                kv_after, hp.n_layer);
}

void run_prune(const PruneArgs& a) {
    const int modes = (a.drop_layers > 0 || !a.layers.empty()) + (a.heads > 0) + (a.kv_groups > 0) + (a.sparsity >= 0);
    if (modes != 1) throw InvalidArgument("choose one of --drop-layers/--layers, --heads, --kv-groups or --sparsity");
    const auto in = gguf::GgufFile::open(a.in);
    const TransformerHParams hp = read_hparams(*in);
    ThreadPool pool(a.threads);
    if (a.drop_layers > 0 || !a.layers.empty())
        prune_layers(a, *in, hp);
    else if (a.heads > 0 || a.kv_groups > 0)
        prune_heads(a, *in, hp, pool);
    else {
        const double zero = sparsify(*in, a.sparsity, a.out, pool);
        std::printf("sparsity %.2f: %.2f%% of the block weights are zero in %s\n", a.sparsity, 100.0 * zero, a.out.c_str());
    }
    const auto out = gguf::GgufFile::open(a.out);
    std::printf("%s: %.2f MiB -> %.2f MiB\n", a.out.c_str(), double(in->file_size()) / (1 << 20), double(out->file_size()) / (1 << 20));
}

void setup_prune(CLI::App& root) {
    auto a = std::make_shared<PruneArgs>();
    auto* cmd = root.add_subcommand("prune", "Remove layers or attention heads by measured cost, or zero small weights");
    cmd->add_option("IN", a->in, "Input GGUF decoder")->required()->check(CLI::ExistingFile);
    cmd->add_option("OUT", a->out, "Output GGUF file (written atomically)")->required();
    cmd->add_option("--drop-layers", a->drop_layers, "Layers to drop: a count (2) or a fraction of them (0.33)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--layers", a->layers, "Drop exactly these layers (\"3,4\"), without measuring");
    cmd->add_option("--heads", a->heads, "Query heads to remove from each KV group of every layer");
    cmd->add_option("--kv-groups", a->kv_groups, "KV groups (with their query heads) to remove from every layer");
    cmd->add_option("--sparsity", a->sparsity, "Zero this fraction of each block weight matrix, smallest magnitudes first")
        ->check(CLI::Range(0.0, 0.99));
    cmd->add_option("--calib", a->calib, "Calibration text (one document per line) for measuring each part's cost");
    cmd->add_option("--calib-lines", a->calib_lines, "Lines of the calibration text to score")->capture_default_str();
    cmd->add_option("-t,--threads", a->threads, "Threads (0 = all cores)")->check(CLI::Range(0, 256));
    cmd->footer("A part's cost is the rise in bits per character on the calibration text when it alone is\n"
                "removed (a head: its attn_output columns zeroed); the cheapest go. Sparsity keeps the\n"
                "tensor shapes and types: dense kernels run exactly as slowly, and the file is no smaller.");
    cmd->callback([a] { run_prune(*a); });
}
KMLM_CLI_COMMAND(66, setup_prune);

} // namespace
} // namespace kmlm::cli
