// The app core objects the windows work with (owned elsewhere: by main() or a test).
#pragma once

class AppSettings;
class ChatSession;
class ChatStore;
class EngineController;
class MemoryMonitor;
class ModelRegistry;

struct AppServices {
    AppSettings* settings = nullptr;
    EngineController* engine = nullptr;
    ChatStore* store = nullptr;
    ChatSession* session = nullptr;
    ModelRegistry* models = nullptr;
    MemoryMonitor* memory = nullptr; // optional
};
