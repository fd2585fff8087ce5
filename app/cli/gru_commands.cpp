// kmlm tokenize / generate / score / convert-gru / bench-gru: the jamo GRU from the command
// line (tokenize and generate work with every model).
#include "command.h"
#include "generation.h"
#include "model_options.h"

#include "kmlm/cpu.h"
#include "kmlm/error.h"
#include "kmlm/generate.h"
#include "kmlm/gru_io.h"
#include "kmlm/gru_train.h"
#include "kmlm/loglik.h"
#include "kmlm/memory.h"
#include "kmlm/utf8.h"
#include "kmlm/vocab.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <thread>

namespace kmlm::cli {
namespace {

// "1 2 3", "1,2,3" or "[1, 2, 3]" -> ids
std::vector<int32_t> parse_ids(const std::string& text) {
    std::vector<int32_t> ids;
    std::string cleaned = text;
    for (char& c : cleaned)
        if (c == ',' || c == '[' || c == ']') c = ' ';
    std::istringstream in(cleaned);
    std::string word;
    while (in >> word) {
        size_t pos = 0;
        long long v = 0;
        try {
            v = std::stoll(word, &pos);
        } catch (const std::exception&) {
            pos = 0;
        }
        if (pos != word.size() || v < INT32_MIN || v > INT32_MAX) throw InvalidArgument("not a token id: '" + word + "'");
        ids.push_back(int32_t(v));
    }
    return ids;
}

std::string read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot open " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string join_ids(std::span<const int32_t> ids) {
    std::string out;
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? " " : "") + std::to_string(ids[i]);
    return out;
}

const GruModel& require_gru(const LanguageModel& m) {
    const auto* gru = dynamic_cast<const GruModel*>(&m);
    if (!gru) throw InvalidArgument("this command needs a kmlm-gru model, not " + m.info().architecture);
    return *gru;
}

// ---- tokenize ----------------------------------------------------------------------------
struct TokenizeArgs {
    ModelOptions model;
    std::string text, file, stats;
    bool decode = false, no_bos = false, eos = false, pieces = false;
};

// Tokens per Hangul syllable and per character of a text, line by line (no BOS/EOS; the
// newlines are neither tokenized nor counted).
void print_token_stats(const Tokenizer& tok, const std::string& path) {
    const std::string text = read_text_file(path);
    require_valid_utf8(text, path);
    uint64_t tokens = 0, lines = 0, bytes = 0;
    TextCounts counts;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        tokens += tok.encode(line, false).size();
        const TextCounts c = count_text(line);
        counts.code_points += c.code_points;
        counts.syllables += c.syllables;
        bytes += line.size();
        ++lines;
    }
    const auto per = [](uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0.0; };
    std::printf("%llu lines, %llu tokens, %llu characters, %llu Hangul syllables, %llu bytes\n", (unsigned long long)lines,
                (unsigned long long)tokens, (unsigned long long)counts.code_points, (unsigned long long)counts.syllables,
                (unsigned long long)bytes);
    std::printf("%.4f tokens/syllable, %.4f tokens/char, %.3f bytes/token\n", per(tokens, counts.syllables),
                per(tokens, counts.code_points), per(bytes, tokens));
}

void run_tokenize(const TokenizeArgs& a, bool text_given) {
    const std::filesystem::path path = a.model.model.empty() ? default_model_path() : std::filesystem::path(a.model.model);
    const auto tokenizer = load_tokenizer(path);
    const Tokenizer& tok = *tokenizer;
    if (!a.stats.empty()) {
        print_token_stats(tok, a.stats);
        return;
    }
    std::string input;
    if (!a.file.empty())
        input = read_text_file(a.file);
    else if (text_given)
        input = a.text;
    else
        input.assign(std::istreambuf_iterator<char>(std::cin), {});
    require_valid_utf8(input, a.file.empty() ? (text_given ? "--text" : "standard input") : a.file);
    if (a.decode) {
        std::cout << tok.decode(parse_ids(input)) << "\n";
        return;
    }
    auto ids = tok.encode(input, !a.no_bos);
    if (a.eos && tok.eos() >= 0) ids.push_back(tok.eos());
    if (a.pieces) {
        for (size_t i = 0; i < ids.size(); ++i) std::cout << (i ? " " : "") << tok.token_text(ids[i]);
        std::cout << "\n";
    }
    std::cout << join_ids(ids) << "\n";
}

void setup_tokenize(CLI::App& root) {
    auto a = std::make_shared<TokenizeArgs>();
    auto* cmd = root.add_subcommand("tokenize", "Turn text into token ids, or ids back into text (--decode)");
    auto* pos = cmd->add_option("text", a->text, "Text (or ids with --decode); default: read standard input");
    auto* opt = cmd->add_option("--text", a->text, "Text (or ids with --decode)");
    cmd->add_option("-f,--file", a->file, "Read the input from a file");
    cmd->add_option("--stats", a->stats, "Print tokens per Hangul syllable and per character of this text file");
    cmd->add_flag("-d,--decode", a->decode, "Input is token ids (\"1 2 3\" or \"1,2,3\"); print their text");
    cmd->add_flag("--no-bos", a->no_bos, "Do not prepend BOS");
    cmd->add_flag("--eos", a->eos, "Append EOS");
    cmd->add_flag("--pieces", a->pieces, "Also print each token's piece");
    add_model_options(cmd, a->model);
    cmd->footer("The model may be a vocabulary-only GGUF (tokenizer metadata, no weights).");
    cmd->callback([a, pos, opt] { run_tokenize(*a, pos->count() + opt->count() > 0); });
}

// ---- generate ----------------------------------------------------------------------------
// `kmlm run` without --chat, echoing the prompt before its continuation: the same
// generation loop (generation.h), so the same NFC prompt, Ctrl-C and memory ceiling.
struct GenerateArgs {
    ModelOptions model;
    SamplingParams sampling;
    std::string prompt, margin;
    int32_t max_tokens = GenerateOptions{}.max_tokens;
    std::vector<std::string> stops;
    bool print_ids = false, quiet = false;
};

void run_generate(const GenerateArgs& a) {
    require_valid_utf8(a.prompt, "--prompt");
    auto model = load_model_from_options(a.model);
    GenerateOptions o;
    o.sampling = a.sampling;
    o.max_tokens = a.max_tokens;
    o.stop_strings = a.stops;
    const std::string prompt = to_nfc(a.prompt);
    const auto tokens = model->tokenizer().encode(prompt, true);
    const MemoryGuard guard = memory_guard(to_load_options(a.model).memory_limit, a.margin);
    install_sigint();
    print_text(prompt);
    const GenerateResult r = stream_answer(*model, tokens, o, guard);
    restore_sigint();
    std::printf("\n");
    if (a.print_ids) std::printf("%s\n", join_ids(r.tokens).c_str());
    if (!a.quiet)
        std::fprintf(stderr, "[%d tokens, %.1f tokens/s, stop: %s]\n", r.stats.generated_tokens, r.stats.tokens_per_second(),
                     std::string(to_string(r.reason)).c_str());
    report_end(r, guard);
}

void setup_generate(CLI::App& root) {
    auto a = std::make_shared<GenerateArgs>();
    auto* cmd = root.add_subcommand("generate", "Continue a prompt, streaming the text to stdout");
    cmd->add_option("-p,--prompt", a->prompt, "The text to continue")->capture_default_str();
    cmd->add_option("-n,--max-tokens", a->max_tokens, "Most tokens to generate")->capture_default_str()->check(CLI::Range(0, 1 << 20));
    cmd->add_option("--stop", a->stops, "Stop before this text (repeatable)");
    cmd->add_flag("--print-ids", a->print_ids, "Print the generated token ids on a line after the text");
    cmd->add_flag("-q,--quiet", a->quiet, "No statistics on stderr");
    add_model_options(cmd, a->model);
    add_margin_option(cmd, a->margin, "Stop generating when resident memory comes this close to the ceiling");
    add_sampling_options(cmd, a->sampling);
    cmd->callback([a] { run_generate(*a); });
}

// ---- score -------------------------------------------------------------------------------
struct ScoreArgs {
    ModelOptions model;
    std::string text, file, ids;
    bool json = false;
};

void print_token_scores(const GruModel& gru, const std::vector<int32_t>& ids, const std::vector<float>& lp, uint64_t code_points,
                        bool as_json) {
    double sum = 0;
    for (float x : lp) sum += x;
    const double bits = -sum / std::log(2.0);
    if (as_json) {
        nlohmann::json j;
        j["tokens"] = nlohmann::json::array();
        for (size_t i = 0; i < lp.size(); ++i)
            j["tokens"].push_back({{"id", ids[i + 1]}, {"piece", gru.tokenizer().token_text(ids[i + 1])}, {"logprob", lp[i]}});
        j["log_likelihood"] = sum;
        j["bits"] = bits;
        j["predicted_tokens"] = lp.size();
        if (code_points) j["bits_per_char"] = bits / double(code_points);
        std::cout << j.dump(1) << "\n";
        return;
    }
    std::printf("tokens %zu  log-likelihood %.4f nats  %.4f bits/token", lp.size(), sum, lp.empty() ? 0.0 : bits / double(lp.size()));
    if (code_points) std::printf("  %.4f bits/char", bits / double(code_points));
    std::printf("\n");
}

void run_score(const ScoreArgs& a) {
    const int given = int(!a.text.empty()) + int(!a.file.empty()) + int(!a.ids.empty());
    if (given != 1) throw CLI::ValidationError("score", "give exactly one of --text, --file, --ids");
    auto model = load_model_from_options(a.model);
    const GruModel& gru = require_gru(*model);
    if (!a.ids.empty()) {
        const auto ids = parse_ids(a.ids);
        if (ids.size() < 2) throw InvalidArgument("--ids needs at least two ids (a context and a token to score)");
        print_token_scores(gru, ids, gru.token_log_probs(ids), 0, a.json);
        return;
    }
    if (!a.text.empty() && a.text.find('\n') == std::string::npos) {
        const std::string nfc = to_nfc(a.text);
        const auto ids = gru.jamo_tokenizer().encode_line(nfc);
        print_token_scores(gru, ids, gru.token_log_probs(ids), count_code_points(nfc) + 1, a.json);
        return;
    }
    std::vector<std::string> lines;
    if (!a.file.empty()) {
        lines = read_lines(a.file);
        for (size_t i = 0; i < lines.size(); ++i) require_valid_utf8(lines[i], a.file + ":" + std::to_string(i + 1));
    } else {
        std::istringstream in(a.text);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
    }
    const int threads = a.model.threads > 0 ? a.model.threads : int(std::max(1u, std::thread::hardware_concurrency()));
    const auto t0 = std::chrono::steady_clock::now();
    const ScoreResult r = score_lines(gru, lines, threads);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (a.json) {
        nlohmann::json j = {{"lines", r.lines},
                            {"code_points", r.code_points},
                            {"tokens", r.tokens},
                            {"log_likelihood", r.log_likelihood},
                            {"bits_per_char", r.bits_per_char()},
                            {"bits_per_token", r.bits_per_token()},
                            {"seconds", secs}};
        std::cout << j.dump(1) << "\n";
        return;
    }
    std::printf("lines %llu  characters %llu (with line ends)  tokens %llu\n", (unsigned long long)r.lines,
                (unsigned long long)r.code_points, (unsigned long long)r.tokens);
    std::printf("log-likelihood %.1f nats  %.4f bits/char  %.4f bits/token\n", r.log_likelihood, r.bits_per_char(), r.bits_per_token());
    std::fprintf(stderr, "[%.1f s, %.0f tokens/s on %d threads]\n", secs, double(r.tokens) / secs, threads);
}

void setup_score(CLI::App& root) {
    auto a = std::make_shared<ScoreArgs>();
    auto* cmd = root.add_subcommand("score", "Log-likelihood and bits per character of text under the GRU model");
    cmd->add_option("--text", a->text, "Text to score (each line as BOS + line + EOS)");
    cmd->add_option("-f,--file", a->file, "Text file to score line by line (bits/char counts the line ends)");
    cmd->add_option("--ids", a->ids, "Token ids (\"2 10 29 3\"): log-probability of each id after the first");
    cmd->add_flag("--json", a->json, "JSON output (per-token log-probabilities for --text and --ids)");
    add_model_options(cmd, a->model);
    cmd->callback([a] { run_score(*a); });
}

// ---- convert-gru -------------------------------------------------------------------------
struct ConvertArgs {
    std::string in, out, type = "f16";
};

void setup_convert(CLI::App& root) {
    auto a = std::make_shared<ConvertArgs>();
    auto* cmd = root.add_subcommand("convert-gru", "Convert a GRU model among .gguf, .json and .bin (by OUT's extension)");
    cmd->add_option("in", a->in, "Model file (.gguf, .json or .bin, recognised by content)")->required();
    cmd->add_option("out", a->out, "Output file: .gguf, .json or .bin")->required();
    cmd->add_option("--type", a->type, "GGUF tensor type")->capture_default_str()->check(CLI::IsMember({"f16", "f32"}));
    cmd->callback([a] {
        const GruFormat format = gru_format_from_extension(a->out);
        const GruWeights w = read_gru_file(a->in);
        write_gru_file(w, a->out, format, a->type == "f32" ? GgmlType::F32 : GgmlType::F16);
        std::printf("%s -> %s (%dx%d, vocabulary %d, %llu parameters)\n", a->in.c_str(), a->out.c_str(), w.config.embed_dim,
                    w.config.hidden_dim, w.config.vocab_size, (unsigned long long)w.config.param_count());
    });
}

// ---- bench-gru ---------------------------------------------------------------------------
struct BenchArgs {
    int threads = 0, gen_tokens = 2000, train_steps = 4;
    bool train_shapes = false;
};

// Training tokens/s of a size at one batch shape, over `steps` steps after a warm-up step.
double train_tokens_per_second(const GruConfig& cfg, int batch, int bptt, int steps, int threads) {
    using Clock = std::chrono::steady_clock;
    GruTrainOptions t;
    t.config = cfg;
    t.threads = threads;
    t.batch = batch;
    t.bptt = bptt;
    std::vector<uint16_t> stream(size_t(t.batch) * t.bptt * (steps + 2));
    for (size_t i = 0; i < stream.size(); ++i) stream[i] = uint16_t((i * 2654435761u >> 7) % cfg.vocab_size);
    GruTrainer trainer(t, stream);
    trainer.step(); // warm-up
    const auto t0 = Clock::now();
    for (int s = 0; s < steps; ++s) trainer.step();
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    return double(steps) * double(trainer.tokens_per_step()) / secs;
}

// The batch shapes scripts/train-gru.sh chooses from, for its size (256x512). Every shape
// trains on about the tokens of `steps` default steps (64 x 64), so small shapes are not timed
// over a fraction of a second.
void bench_train_shapes(int steps, int threads) {
    const GruConfig cfg{JamoTokenizer::kFullVocabSize, 256, 512};
    std::printf("\ntraining 256x512, tokens/s by streams (batch) x tokens per stream (bptt)\n%-6s", "batch");
    const int bptts[] = {32, 64, 128};
    for (int bptt : bptts) {
        char head[16];
        std::snprintf(head, sizeof head, "bptt %d", bptt);
        std::printf(" %13s", head);
    }
    std::printf("\n");
    for (int batch : {32, 64, 128, 256}) {
        std::printf("%-6d", batch);
        for (int bptt : bptts) {
            const int shape_steps = std::max(2, steps * 64 * 64 / (batch * bptt));
            std::printf(" %13.0f", train_tokens_per_second(cfg, batch, bptt, shape_steps, threads));
            std::fflush(stdout);
        }
        std::printf("\n");
    }
}

void run_bench(const BenchArgs& a) {
    const int threads = a.threads > 0 ? a.threads : int(std::max(1u, std::thread::hardware_concurrency()));
    std::printf("CPU: %s (%u hardware threads); training on %d threads, generation on 1\n", cpu_model_name().c_str(),
                std::thread::hardware_concurrency(), threads);
    // Other work on the machine slows every figure down.
    if (const std::string load = load_average(); !load.empty()) std::printf("load average: %s\n", load.c_str());
    std::printf("%-9s %10s %16s %16s\n", "E x H", "params", "generate tok/s", "train tok/s");
    for (auto [E, H] : {std::pair{64, 128}, std::pair{128, 256}, std::pair{256, 512}}) {
        const GruConfig cfg{JamoTokenizer::kFullVocabSize, E, H};
        GruModel model(GruWeights::random(cfg, 1), {});
        GenerateOptions o;
        o.max_tokens = a.gen_tokens;
        o.sampling.seed = 1;
        o.sampling.temperature = 1.0f;
        const std::vector<int32_t> prompt = {JamoTokenizer::kBos};
        // Random weights rarely pick EOS; count whatever was generated.
        const GenerateResult g = generate(model, prompt, o);
        const GruTrainOptions defaults;
        const double train_tps = train_tokens_per_second(cfg, defaults.batch, defaults.bptt, a.train_steps, threads);
        char dims[16];
        std::snprintf(dims, sizeof dims, "%dx%d", E, H);
        std::printf("%-9s %10llu %16.0f %16.0f\n", dims, (unsigned long long)cfg.param_count(), g.stats.tokens_per_second(), train_tps);
    }
    if (a.train_shapes) bench_train_shapes(a.train_steps, threads);
}

void setup_bench(CLI::App& root) {
    auto a = std::make_shared<BenchArgs>();
    auto* cmd = root.add_subcommand("bench-gru", "Generation and training speed of the GRU sizes 64x128, 128x256, 256x512");
    cmd->add_option("-t,--threads", a->threads, "Training threads (0 = all cores)")->capture_default_str()->check(CLI::Range(0, 256));
    cmd->add_option("--gen-tokens", a->gen_tokens, "Tokens generated per size")->capture_default_str()->check(CLI::Range(1, 1 << 20));
    cmd->add_option("--train-steps", a->train_steps, "Training steps timed per size (64 x 64 tokens each)")
        ->capture_default_str()
        ->check(CLI::Range(1, 10000));
    cmd->add_flag("--train-shapes", a->train_shapes, "Also time training of 256x512 at batch 32-256 x bptt 32-128");
    cmd->callback([a] { run_bench(*a); });
}

KMLM_CLI_COMMAND(20, setup_tokenize);
KMLM_CLI_COMMAND(21, setup_generate);
KMLM_CLI_COMMAND(22, setup_score);
KMLM_CLI_COMMAND(61, setup_convert);
KMLM_CLI_COMMAND(62, setup_bench);

} // namespace
} // namespace kmlm::cli
