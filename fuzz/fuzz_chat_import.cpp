// The app core's chat import (ChatStore::importJson): a JSON file from anywhere, validated
// before anything is written. An in-memory database per process.
#include "chatstore.h"

#include <QCoreApplication>

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
    const qint64 id = store()->importJson(QByteArray(reinterpret_cast<const char*>(data), int(size)));
    if (id > 0) {
        store()->exportJson(id); // what was imported exports again
        store()->exportMarkdown(id);
    }
    return 0;
}
