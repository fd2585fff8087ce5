// The kmlm CLI's backend: N instances of one model, each with its own KV cache, sharing the
// weights through the file mapping. A request goes to the free instance whose cache holds
// the longest prefix of its prompt, so a conversation's next turn reads only the new turn.
#pragma once
#include "kmlm_server/backend.h"

#include "kmlm/language_model.h"

#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace kmlm::server {

// The prompt of a request for model: a chat through the model's chat template (its stop
// strings added to stops), a completion as text. Throws ApiError 400 for an empty prompt or
// one the context cannot hold (the message ends with where to set a longer one:
// context_hint). The tokenizer may be used from several threads.
std::vector<int32_t> request_prompt(const LanguageModel& model, const GenerationRequest& request, std::vector<std::string>& stops,
                                    std::string_view context_hint = "kmlm serve --ctx");

class ModelPool final : public Backend {
public:
    // memory_ceiling: generation stops (finish "length") before resident memory reaches it;
    // 0 = no check.
    ModelPool(std::vector<std::unique_ptr<LanguageModel>> models, std::string model_id, uint64_t memory_ceiling);

    // Loads `instances` copies of the model at path. Before loading, checks that the weights
    // once plus every instance's KV cache and buffers fit under options.memory_limit
    // (MemoryLimitError otherwise). Threads: options.n_threads each, or the cores divided
    // among the instances when 0.
    static std::unique_ptr<ModelPool> load(const std::filesystem::path& path, LoadOptions options, int instances);

    std::string model_id() const override { return model_id_; }
    BackendResult generate(const GenerationRequest& request, const std::function<void(std::string_view)>& on_text,
                           const std::atomic<bool>& cancel) override;

    size_t instances() const { return models_.size(); }
    const LanguageModel& model(size_t i) const { return *models_[i]; }

private:
    size_t acquire(std::span<const int32_t> prompt);
    void release(size_t slot);

    std::vector<std::unique_ptr<LanguageModel>> models_;
    std::string model_id_;
    uint64_t memory_ceiling_;
    std::mutex mutex_;
    std::vector<bool> busy_;
};

} // namespace kmlm::server
