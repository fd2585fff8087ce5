// `kmlm train-gru`: trains the jamo GRU on a corpus (one document per line), with periodic
// validation, checkpoints that resume exactly, and the best model exported as GGUF.
#include "command.h"
#include "progress.h"

#include "kmlm/error.h"
#include "kmlm/gru_io.h"
#include "kmlm/gru_train.h"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

namespace kmlm::cli {
namespace {

namespace fs = std::filesystem;

struct TrainArgs {
    std::string corpus, valid, out_dir = "train-runs/gru", export_path, gguf_type = "f16";
    GruTrainOptions o;
    int64_t eval_every = 500;
    size_t valid_lines = 1000;
    bool fresh = false;
};

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// The best validation figure so far, kept next to the checkpoints so a resumed run knows it.
double read_best(const fs::path& file) {
    std::ifstream in(file);
    double v = 0;
    return (in >> v) ? v : 1e30;
}

void write_best(const fs::path& file, double bpc, int64_t step) { std::ofstream(file, std::ios::trunc) << bpc << " " << step << "\n"; }

void run_train(TrainArgs& a) {
    a.o.config.vocab_size = JamoTokenizer::kFullVocabSize;
    a.o.config.validate("--embed/--hidden");
    const JamoTokenizer tok;
    std::fprintf(stderr, "reading %s ...\n", a.corpus.c_str());
    auto stream = tokenize_corpus(a.corpus, tok);
    std::vector<std::string> valid;
    if (!a.valid.empty()) {
        valid = read_lines(a.valid);
        if (a.valid_lines > 0 && valid.size() > a.valid_lines) valid.resize(a.valid_lines);
    }
    std::fprintf(stderr, "%s tokens; model %dx%d, %s parameters\n", human_count(double(stream.size())).c_str(), a.o.config.embed_dim,
                 a.o.config.hidden_dim, human_count(double(a.o.config.param_count())).c_str());
    GruTrainer trainer(a.o, std::move(stream));

    fs::create_directories(a.out_dir);
    const fs::path ckpt = fs::path(a.out_dir) / "latest.ckpt", best_file = fs::path(a.out_dir) / "best.txt";
    const fs::path export_path = a.export_path.empty() ? fs::path(a.out_dir) / "best.gguf" : fs::path(a.export_path);
    double best = 1e30;
    if (!a.fresh && fs::exists(ckpt)) {
        trainer.load_checkpoint(ckpt);
        best = read_best(best_file);
        std::fprintf(stderr, "resumed from %s at step %lld\n", ckpt.string().c_str(), (long long)trainer.step_index());
    }
    const GgmlType type = a.gguf_type == "f32" ? GgmlType::F32 : GgmlType::F16;
    const int threads = a.o.threads > 0 ? a.o.threads : int(std::max(1u, std::thread::hardware_concurrency()));

    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    const double tps = double(trainer.tokens_per_step());
    ProgressBar bar("train", double(trainer.total_steps()) * tps, "tok", double(trainer.step_index()) * tps);
    double avg_loss = 0;
    while (!trainer.done() && !g_stop) {
        const float loss = trainer.step();
        avg_loss = avg_loss == 0 ? loss : 0.98 * avg_loss + 0.02 * loss;
        char note[96];
        std::snprintf(note, sizeof note, "step %lld/%lld  loss %.3f  lr %.2e", (long long)trainer.step_index(),
                      (long long)trainer.total_steps(), avg_loss, trainer.learning_rate());
        bar.update(double(trainer.step_index()) * tps, note);
        const bool eval_now = trainer.step_index() % a.eval_every == 0 || trainer.done();
        if (!eval_now) continue;
        trainer.save_checkpoint(ckpt);
        if (valid.empty()) continue;
        const GruModel model(trainer.weights(), {});
        const ScoreResult r = score_lines(model, valid, threads);
        char line[160];
        const bool improved = r.bits_per_char() < best;
        std::snprintf(line, sizeof line, "step %lld: train loss %.4f, valid %.4f bits/char (%.4f bits/token)%s",
                      (long long)trainer.step_index(), avg_loss, r.bits_per_char(), r.bits_per_token(), improved ? ", best: exported" : "");
        if (improved) {
            best = r.bits_per_char();
            write_gru_gguf(trainer.weights(), export_path, type, "kmlm-gru-ko");
            write_best(best_file, best, trainer.step_index());
        }
        bar.message(line);
    }
    if (g_stop) {
        trainer.save_checkpoint(ckpt);
        bar.finish("interrupted: checkpoint saved");
        set_exit_code(kInterrupted);
        return;
    }
    bar.finish("done");
    if (valid.empty()) write_gru_gguf(trainer.weights(), export_path, type, "kmlm-gru-ko");
    std::fprintf(stderr, "model: %s\n", export_path.string().c_str());
}

void setup_train(CLI::App& root) {
    auto a = std::make_shared<TrainArgs>();
    auto* cmd = root.add_subcommand("train-gru", "Train the jamo GRU language model (truncated BPTT, AdamW)");
    cmd->add_option("--corpus", a->corpus, "Training text, one document per line")->required()->check(CLI::ExistingFile);
    cmd->add_option("--valid", a->valid, "Validation text; the best model by its bits/char is exported")->check(CLI::ExistingFile);
    cmd->add_option("--embed", a->o.config.embed_dim, "Embedding size E")->capture_default_str()->check(CLI::Range(1, 4096));
    cmd->add_option("--hidden", a->o.config.hidden_dim, "Hidden size H")->capture_default_str()->check(CLI::Range(1, 4096));
    cmd->add_option("--batch", a->o.batch, "Sequences per batch")->capture_default_str()->check(CLI::Range(1, 4096));
    cmd->add_option("--bptt", a->o.bptt, "Tokens per sequence per step (truncated BPTT)")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    cmd->add_option("--epochs", a->o.epochs, "Passes over the corpus")->capture_default_str()->check(CLI::Range(1, 1000));
    cmd->add_option("--steps", a->o.max_steps, "Length of the run in steps (overrides --epochs)")
        ->check(CLI::Range(int64_t(1), int64_t(1) << 40));
    cmd->add_option("--lr", a->o.learning_rate, "Peak learning rate")->capture_default_str();
    cmd->add_option("--min-lr", a->o.min_learning_rate, "Learning rate at the end of the cosine")->capture_default_str();
    cmd->add_option("--warmup", a->o.warmup_steps, "Linear warmup steps")->capture_default_str();
    cmd->add_option("--weight-decay", a->o.weight_decay, "AdamW decay of the matrices")->capture_default_str();
    cmd->add_option("--clip", a->o.clip_norm, "Global gradient norm clip (0 = off)")->capture_default_str();
    cmd->add_option("--seed", a->o.seed, "Initialisation seed")->capture_default_str();
    cmd->add_option("-t,--threads", a->o.threads, "Threads (0 = all cores)")->capture_default_str()->check(CLI::Range(0, 256));
    cmd->add_option("--out-dir", a->out_dir, "Checkpoints: latest.ckpt, best.txt (and best.gguf)")->capture_default_str();
    cmd->add_option("--export", a->export_path, "Where the best model goes (default OUT_DIR/best.gguf)");
    cmd->add_option("--gguf-type", a->gguf_type, "Tensor type of the exported GGUF")
        ->capture_default_str()
        ->check(CLI::IsMember({"f16", "f32"}));
    cmd->add_option("--eval-every", a->eval_every, "Checkpoint and validate every N steps")
        ->capture_default_str()
        ->check(CLI::Range(int64_t(1), int64_t(1) << 40));
    cmd->add_option("--valid-lines", a->valid_lines, "Validation lines used (0 = all)")->capture_default_str();
    cmd->add_flag("--fresh", a->fresh, "Start over even when OUT_DIR/latest.ckpt exists");
    cmd->footer("Resumes from OUT_DIR/latest.ckpt when it exists (same settings required); Ctrl-C saves a checkpoint.");
    cmd->callback([a] { run_train(*a); });
}

KMLM_CLI_COMMAND(60, setup_train);

} // namespace
} // namespace kmlm::cli
