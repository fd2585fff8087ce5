// The app core objects the windows work with (owned elsewhere: by main() or a test).
#pragma once

class AppSettings;
struct Catalog;
class DownloadManager;
class ChatSession;
class ChatStore;
class EngineController;
class LocalApiServer;
class MemoryMonitor;
class ModelRegistry;

struct AppServices {
    AppSettings* settings = nullptr;
    EngineController* engine = nullptr;
    ChatStore* store = nullptr;
    ChatSession* session = nullptr;
    ModelRegistry* models = nullptr;
    MemoryMonitor* memory = nullptr; // optional
    const Catalog* catalog = nullptr;     // optional: the model catalog (downloads)
    DownloadManager* downloads = nullptr; // optional, with catalog
    LocalApiServer* apiServer = nullptr;  // optional: the local API server (status bar, settings)
};
