// Internal to the Jinja interpreter: its values, expression and statement trees, and the
// parser entry point shared by jinja_parse.cpp (text to tree) and jinja.cpp (tree to text).
#pragma once
#include "kmlm/jinja.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kmlm::jinja {

[[noreturn]] inline void fail(const std::string& what) { throw FormatError("chat template: " + what); }
[[noreturn]] inline void limit(const std::string& what) { throw TemplateLimitError("chat template: " + what); }

// The budgets of one rendering. The published templates in tests/data/chat-templates, with a
// thousand-message conversation (270 KB of prompt), use under 5% of the steps and 6% of the bytes.
constexpr size_t kMaxOutput = 16u << 20;           // bytes of rendered text
constexpr size_t kMaxRange = 100000;               // items of one range()
constexpr int kMaxDepth = 200;                     // nested blocks, expression height, value nesting
constexpr uint64_t kMaxSteps = 2'000'000;          // nodes, expressions, loop turns, items copied
constexpr uint64_t kMaxBytes = uint64_t(64) << 20; // strings and list items built, all together
constexpr int kMaxMacroDepth = 64;                 // macros calling macros

// ---- values ----------------------------------------------------------------------------

struct Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>; // insertion order, as in Python

struct Value {
    enum Kind { Undefined, None, Bool, Int, Float, Str, ListV, DictV } kind = Undefined;
    bool b = false;
    int64_t i = 0;
    double f = 0;
    std::string s;
    std::shared_ptr<List> list;
    std::shared_ptr<Dict> dict; // namespaces are dicts that `set ns.x = ...` may change

    static Value none() {
        Value v;
        v.kind = None;
        return v;
    }
    static Value boolean(bool x) {
        Value v;
        v.kind = Bool;
        v.b = x;
        return v;
    }
    static Value integer(int64_t x) {
        Value v;
        v.kind = Int;
        v.i = x;
        return v;
    }
    static Value number(double x) {
        Value v;
        v.kind = Float;
        v.f = x;
        return v;
    }
    static Value str(std::string x) {
        Value v;
        v.kind = Str;
        v.s = std::move(x);
        return v;
    }

    bool is_number() const { return kind == Int || kind == Float || kind == Bool; }
    double as_double() const { return kind == Float ? f : kind == Bool ? double(b) : double(i); }
    const Value* find(std::string_view key) const {
        if (kind != DictV) return nullptr;
        for (const auto& [k, v] : *dict)
            if (k == key) return &v;
        return nullptr;
    }
};

// ---- expressions -----------------------------------------------------------------------

struct Expr;
using ExprP = std::shared_ptr<Expr>;
struct Expr {
    enum Kind { Lit, Var, Attr, Index, Slice, Call, Filter, Test, Not, Neg, Binary, And, Or, Cond, ListLit, DictLit } kind;
    Value value;                                       // Lit
    std::string name;                                  // Var, Attr, Filter/Test name, Binary operator
    std::vector<ExprP> args;                           // operands / positional arguments
    std::vector<std::pair<std::string, ExprP>> kwargs; // keyword arguments
    bool negate = false;                               // "is not", "not in"
    int height = 1;                                    // of the tree below, bounded by kMaxDepth (evaluation recurses that deep)
};

// ---- template structure ----------------------------------------------------------------

struct Node;
using Body = std::vector<Node>;
struct Node {
    enum Kind { Text, Output, If, For, Set, Break, Continue, Macro } kind;
    std::string text;                             // Text
    ExprP expr;                                   // Output, Set value (null: body), For iterable
    std::vector<std::pair<ExprP, Body>> branches; // If: (condition, body); else has no condition
    std::vector<std::string> vars;                // For: loop variables; Set: target (name or ns, attr);
                                                  // Macro: name, then the parameters
    ExprP filter;                                 // For ... if
    Body body, else_body;                         // For; Set block; Macro
    std::vector<ExprP> defaults;                  // Macro: per parameter, null when none
};

// Parses a template; FormatError names what this interpreter cannot read.
Body parse(std::string_view source);

} // namespace kmlm::jinja
