// The files that ship with the program (the jamo GRU model, the model catalog), found by one
// rule for the CLI and the app. The model: $KMLM_MODEL when set (as given: an explicit choice that is missing is an error to report,
// not a reason to take another file), else the first of these that holds
// models/kmlm-gru-ko.gguf: <dir of the running program>/../share/korean-mini-lm (an
// installed or relocated tree), the configured install prefix's share/korean-mini-lm, the
// source tree's resources/ (a build that was never installed).
#pragma once
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace kmlm {

inline constexpr std::string_view kBundledModelFile = "models/kmlm-gru-ko.gguf";

// The folders searched for bundled files, in order.
std::vector<std::filesystem::path> bundled_model_dirs();
// The first dirs[i] / relative that is a regular file; empty when none is.
std::filesystem::path find_bundled_file(std::span<const std::filesystem::path> dirs, std::string_view relative);
std::filesystem::path find_bundled_file(std::string_view relative); // in bundled_model_dirs()
// $KMLM_MODEL, else the first dirs[i] / kBundledModelFile that exists; empty when none does.
std::filesystem::path find_bundled_model(std::span<const std::filesystem::path> dirs);
std::filesystem::path find_bundled_model(); // in bundled_model_dirs()

} // namespace kmlm
