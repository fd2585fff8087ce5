// `kmlm serve`: the model as an OpenAI-compatible HTTP API (kmlm_server), until Ctrl-C or
// SIGTERM.
#include "model_options.h"

#include "kmlm_server/http_server.h"
#include "kmlm_server/model_pool.h"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace kmlm::cli {
namespace {

void log_line(const std::string& line) {
    static std::mutex mutex;
    std::lock_guard lock(mutex);
    std::fprintf(stderr, "%s\n", line.c_str());
}

// SIGINT and SIGTERM are blocked in every thread and taken by one that stops the server:
// stopping is not safe from a signal handler. Call before any thread starts.
sigset_t block_stop_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN); // a client gone mid-stream is a failed write, not a signal
    return set;
}

void setup_serve(CLI::App& root) {
    auto* cmd = root.add_subcommand("serve", "Serve a model as an OpenAI-compatible HTTP API (/v1/chat/completions, ...)");
    static ModelOptions opts;
    static server::ServerOptions so;
    add_model_options(cmd, opts);
    cmd->add_option("--host", so.host, "Address to listen on (other than loopback: give --api-key)")->capture_default_str();
    cmd->add_option("--port", so.port, "Port (0 = any free port)")->capture_default_str()->check(CLI::Range(0, 65535));
    cmd->add_option("--api-key", so.api_key, "Key clients must send as 'Authorization: Bearer KEY'")->envname("KMLM_API_KEY");
    cmd->add_option("--parallel", so.parallel, "Requests generating at once (each one more KV cache)")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    cmd->add_option("--queue", so.queue, "Requests waiting beyond --parallel; more get 503")
        ->capture_default_str()
        ->check(CLI::Range(0, 1024));
    cmd->callback([] {
        const sigset_t stop_signals = block_stop_signals();
        const std::filesystem::path path = opts.model.empty() ? default_model_path() : std::filesystem::path(opts.model);
        auto pool = server::ModelPool::load(path, to_load_options(opts), so.parallel);
        so.log = log_line;
        server::HttpServer http(*pool, so);
        const int port = http.bind();
        if (!server::is_loopback_host(so.host) && so.api_key.empty())
            log_line("warning: listening on " + so.host + " without --api-key: anyone who can reach this address can use the model");
        log_line("kmlm serve: " + pool->model_id() + " (" + pool->model(0).info().architecture + ", context " +
                 (pool->model(0).context_length() ? std::to_string(pool->model(0).context_length()) : std::string("unbounded")) +
                 ", parallel " + std::to_string(so.parallel) + ", queue " + std::to_string(so.queue) + ") listening on http://" + so.host +
                 ":" + std::to_string(port) + "/v1");
        std::thread([&http, stop_signals] {
            int sig = 0;
            sigwait(&stop_signals, &sig);
            log_line("kmlm serve: stopping");
            http.stop();
        }).detach();
        http.run();
    });
}
KMLM_CLI_COMMAND(35, setup_serve);

} // namespace
} // namespace kmlm::cli
