// The app core objects the windows work with (owned elsewhere: by main() or a test).
#pragma once

namespace kmlm::core {
class AppSettings;
struct Catalog;
class DownloadManager;
class ChatSession;
class ChatStore;
class EngineController;
class LocalApiServer;
class MemoryMonitor;
class ModelRegistry;
} // namespace kmlm::core

namespace kmlm::ui {

struct AppServices {
    core::AppSettings* settings = nullptr;
    core::EngineController* engine = nullptr;
    core::ChatStore* store = nullptr;
    core::ChatSession* session = nullptr;
    core::ModelRegistry* models = nullptr;
    core::MemoryMonitor* memory = nullptr;      // optional
    const core::Catalog* catalog = nullptr;     // optional: the model catalog (downloads)
    core::DownloadManager* downloads = nullptr; // optional, with catalog
    core::LocalApiServer* apiServer = nullptr;  // optional: the local API server (status bar, settings)
};

} // namespace kmlm::ui
