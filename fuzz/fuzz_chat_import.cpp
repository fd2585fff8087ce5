// The app core's chat import (ChatImporter): a JSON file from anywhere, validated before
// anything is written. An in-memory database per process.
#include "chatexport.h"
#include "chatimport.h"
#include "chatstore.h"

#include <QCoreApplication>

using namespace kmlm::core;

namespace {

ChatStore* store() {
    static int argc = 1;
    static char name[] = "fuzz_chat_import";
    static char* argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv); // the SQLite driver is a plugin
    static ChatStore* s = [] {
        auto* st = new ChatStore;
        if (!st->open(QStringLiteral(":memory:"))) qFatal("cannot open an in-memory chat store");
        return st;
    }();
    return s;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const qint64 id = ChatImporter(*store()).importJson(QByteArray(reinterpret_cast<const char*>(data), int(size)));
    if (id > 0) {
        const ChatExporter exporter(*store()); // what was imported exports again
        exporter.json(id);
        exporter.markdown(id, {QStringLiteral("Conversation"), QStringLiteral("System prompt"), QStringLiteral("User"),
                               QStringLiteral("Assistant"), QStringLiteral("System")});
    }
    return 0;
}
