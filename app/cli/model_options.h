// Options shared by every kmlm command that loads a model, so they read the same everywhere.
#pragma once
#include "command.h"

#include "kmlm/language_model.h"
#include "kmlm/sampler.h"

#include <filesystem>
#include <memory>
#include <string>

namespace kmlm::cli {

struct ModelOptions {
    std::string model; // empty: the bundled GRU model
    int threads = 0;
    uint32_t ctx = 2048;
    std::string kv_type = "q8_0";
    std::string mem_limit; // the ceiling; empty: kDefaultMemoryLimit; "0" or "none" turns the check off
};

// --model/-m, --threads/-t, --ctx/-c, --kv-type, --mem-limit
void add_model_options(CLI::App* cmd, ModelOptions& opts);
// --temp, --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n, --presence-penalty, --seed
void add_sampling_options(CLI::App* cmd, SamplingParams& params);

// -n/--max-tokens, checked against kMaxTokensRange (kmlm/generate.h).
void add_max_tokens_option(CLI::App* cmd, int32_t& max_tokens, const std::string& description);
// --draft N and --no-draft (= --draft 0): speculative decoding of greedy sampling, checked
// against kDraftTokensRange.
void add_draft_options(CLI::App* cmd, int32_t& draft_tokens);
// Throws IoError saying when path is a directory or missing ("model file", "text file").
void require_regular_file(const std::filesystem::path& path, const std::string& what);

// Parses "3G", "3GiB", "1536M", "3221225472"; "0"/"none" → 0. Throws InvalidArgument.
uint64_t parse_byte_size(const std::string& text);
LoadOptions to_load_options(const ModelOptions& opts);
// Loads opts.model (or the bundled model) with a progress line on stderr when slow.
std::unique_ptr<LanguageModel> load_model_from_options(const ModelOptions& opts);

} // namespace kmlm::cli
