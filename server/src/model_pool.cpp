// N engine instances of one model behind the server, chosen by the longest cached prefix.
#include "kmlm_server/model_pool.h"

#include "kmlm/chat_template.h"
#include "kmlm/error.h"
#include "kmlm/memory.h"

#include <algorithm>
#include <thread>

namespace kmlm::server {

std::vector<int32_t> request_prompt(const LanguageModel& model, const GenerationRequest& request, std::vector<std::string>& stops,
                                    std::string_view context_hint) {
    std::vector<int32_t> tokens;
    if (!request.chat) {
        tokens = model.tokenizer().encode(request.prompt, true);
    } else {
        const ChatPrompt p = render_chat(model, request.messages);
        stops.insert(stops.end(), p.stop_strings.begin(), p.stop_strings.end());
        tokens = model.tokenizer().encode(p.text, true, true);
    }
    if (tokens.empty()) throw ApiError::bad_request("the prompt is empty", "empty_prompt");
    const size_t ctx = model.context_length();
    if (ctx > 0 && tokens.size() >= ctx)
        throw ApiError::bad_request("the prompt has " + std::to_string(tokens.size()) + " tokens; the context holds " +
                                        std::to_string(ctx) + " (" + std::string(context_hint) + ")",
                                    "context_length_exceeded");
    return tokens;
}

ModelPool::ModelPool(std::vector<std::unique_ptr<LanguageModel>> models, std::string model_id, uint64_t memory_ceiling)
    : models_(std::move(models)), model_id_(std::move(model_id)), memory_ceiling_(memory_ceiling), busy_(models_.size(), false) {
    if (models_.empty()) throw InvalidArgument("the model pool needs at least one model");
}

std::unique_ptr<ModelPool> ModelPool::load(const std::filesystem::path& path, LoadOptions options, int instances) {
    instances = std::max(1, instances);
    const uint64_t ceiling = options.memory_limit;
    if (ceiling > 0) {
        // The weights are mapped once and shared; each instance adds its state and buffers.
        MemoryEstimate e = estimate_model_file(path, options.n_ctx, options.kv_type, current_rss());
        e.kv_cache *= uint64_t(instances);
        e.compute *= uint64_t(instances);
        e.vocab *= uint64_t(instances);
        check_admission(e, ceiling, nullptr, path.filename().string());
    }
    if (options.n_threads == 0) options.n_threads = std::max(1, int(std::thread::hardware_concurrency()) / instances);
    options.memory_limit = 0; // checked above for all instances together
    std::vector<std::unique_ptr<LanguageModel>> models;
    for (int i = 0; i < instances; ++i) models.push_back(load_model(path, options));
    return std::make_unique<ModelPool>(std::move(models), path.stem().string(), ceiling);
}

size_t ModelPool::acquire(std::span<const int32_t> prompt) {
    std::lock_guard lock(mutex_);
    size_t best = models_.size(), best_shared = 0;
    for (size_t i = 0; i < models_.size(); ++i) {
        if (busy_[i]) continue;
        const size_t shared = common_prefix(models_[i]->history(), prompt);
        if (best == models_.size() || shared > best_shared) best = i, best_shared = shared;
    }
    // The server lets at most instances() requests in at once, so one is always free.
    if (best == models_.size()) throw Error("no free model instance (more requests than --parallel)");
    busy_[best] = true;
    return best;
}

void ModelPool::release(size_t slot) {
    std::lock_guard lock(mutex_);
    busy_[slot] = false;
}

BackendResult ModelPool::generate(const GenerationRequest& request, const std::function<void(std::string_view)>& on_text,
                                  const std::atomic<bool>& cancel) {
    GenerateOptions g;
    g.sampling = request.params.sampling;
    g.max_tokens = request.params.max_tokens;
    g.stop_strings = request.params.stop;
    g.ignore_eos = request.params.ignore_eos;
    // The tokenizer is shared read-only by every instance's generation (its cache is locked).
    const std::vector<int32_t> tokens = request_prompt(*models_.front(), request, g.stop_strings);
    g.cancel = &cancel;
    g.on_text = on_text;
    if (memory_ceiling_ > 0) g.memory_ok = MemoryGuard(memory_ceiling_).callback();

    const size_t slot = acquire(tokens);
    struct Release {
        ModelPool& pool;
        size_t slot;
        ~Release() { pool.release(slot); }
    } release_on_exit{*this, slot};
    const GenerateResult r = kmlm::generate(*models_[slot], tokens, g);
    BackendResult out;
    out.text = r.text;
    out.reason = r.reason;
    out.usage = {r.stats.prompt_tokens, r.stats.generated_tokens};
    out.reused_tokens = r.stats.reused_tokens;
    return out;
}

} // namespace kmlm::server
