// Jinja trees to text: a tree-walking evaluator over a small dynamic Value, with the filters,
// tests, methods and globals chat templates use.
#include "kmlm/jinja.h"

#include "jinja_ast.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

namespace kmlm {
namespace jinja {
namespace {

uint64_t weight(const Value& v) { return sizeof(Value) + (v.kind == Value::Str ? v.s.size() : 0); }

// What one rendering has spent, against the budgets in jinja_ast.h. Work is paid before it
// is done where its size is known (a concatenation, a repeat), else as it goes.
struct Budget {
    uint64_t steps = 0, bytes = 0;

    void step(uint64_t n = 1) {
        if (n > kMaxSteps - steps) limit("too much work (over " + std::to_string(kMaxSteps) + " steps)");
        steps += n;
    }
    void charge(uint64_t n) {
        if (n > kMaxBytes - bytes) limit("builds too much data (over " + std::to_string(kMaxBytes >> 20) + " MiB)");
        bytes += n;
    }
    void append(std::string& out, std::string_view piece) {
        charge(piece.size());
        out += piece;
    }
    void item(const Value& v) { // a value copied into a list, a scope or a loop variable
        step();
        charge(weight(v));
    }
    // Searching needle in hay: up to |hay| * |needle| comparisons, most far cheaper.
    void search(size_t hay, size_t needle) { step((uint64_t(hay) + 1) * (uint64_t(needle) + 1) / 256); }
};

void check_depth(int depth) {
    if (depth > kMaxDepth) limit("value nested too deeply");
}

void check_overflow(bool overflow) {
    if (overflow) limit("integer overflow");
}

bool truthy(const Value& v) {
    switch (v.kind) {
    case Value::Undefined:
    case Value::None: return false;
    case Value::Bool: return v.b;
    case Value::Int: return v.i != 0;
    case Value::Float: return v.f != 0;
    case Value::Str: return !v.s.empty();
    case Value::ListV: return !v.list->empty();
    case Value::DictV: return !v.dict->empty();
    }
    return false;
}

std::string repr(const Value& v, Budget& b, int depth = 0);

std::string format_float(double x) {
    if (std::floor(x) == x && std::fabs(x) < 1e15) return std::to_string(int64_t(x)) + ".0";
    char buf[32];
    for (int precision = 1; precision <= 17; ++precision) { // the shortest that reads back, as Python
        std::snprintf(buf, sizeof buf, "%.*g", precision, x);
        if (std::strtod(buf, nullptr) == x) break;
    }
    return buf;
}

// str(): what {{ }} prints.
std::string to_str(const Value& v, Budget& b) {
    switch (v.kind) {
    case Value::Undefined: return "";
    case Value::None: return "None";
    case Value::Bool: return v.b ? "True" : "False";
    case Value::Int: return std::to_string(v.i);
    case Value::Float: return format_float(v.f);
    case Value::Str: b.charge(v.s.size()); return v.s;
    default: return repr(v, b);
    }
}

void append_quoted(std::string& out, const std::string& s, Budget& b) {
    b.charge(s.size() + 2);
    out += '\'';
    for (char c : s) {
        if (c == '\'' || c == '\\') b.append(out, "\\");
        out += c;
    }
    out += '\'';
}

std::string repr(const Value& v, Budget& b, int depth) {
    check_depth(depth);
    std::string out;
    if (v.kind == Value::Str) {
        append_quoted(out, v.s, b);
    } else if (v.kind == Value::ListV) {
        out = "[";
        for (size_t k = 0; k < v.list->size(); ++k) {
            b.step();
            if (k) b.append(out, ", ");
            b.append(out, repr((*v.list)[k], b, depth + 1));
        }
        out += "]";
    } else if (v.kind == Value::DictV) {
        out = "{";
        bool first = true;
        for (const auto& [key, val] : *v.dict) {
            b.step();
            if (!first) b.append(out, ", ");
            first = false;
            append_quoted(out, key, b);
            b.append(out, ": ");
            b.append(out, repr(val, b, depth + 1));
        }
        out += "}";
    } else {
        out = to_str(v, b);
    }
    return out;
}

void json_string(std::string& out, const std::string& s, Budget& b) {
    b.charge(s.size() + 2);
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': b.append(out, "\\\""); break;
        case '\\': b.append(out, "\\\\"); break;
        case '\n': b.append(out, "\\n"); break;
        case '\r': b.append(out, "\\r"); break;
        case '\t': b.append(out, "\\t"); break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                b.append(out, buf);
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
}

// json.dumps(ensure_ascii=False), with Python's separators; indent < 0 for one line.
void to_json(std::string& out, const Value& v, int indent, int level, Budget& b) {
    check_depth(level);
    b.step();
    auto newline = [&](int lvl) {
        if (indent < 0) return;
        b.charge(1 + uint64_t(indent) * uint64_t(lvl));
        out += '\n';
        out.append(size_t(indent * lvl), ' ');
    };
    switch (v.kind) {
    case Value::Undefined:
    case Value::None: b.append(out, "null"); return;
    case Value::Bool: b.append(out, v.b ? "true" : "false"); return;
    case Value::Int: b.append(out, std::to_string(v.i)); return;
    case Value::Float: b.append(out, format_float(v.f)); return;
    case Value::Str: json_string(out, v.s, b); return;
    case Value::ListV:
        b.append(out, "[");
        for (size_t k = 0; k < v.list->size(); ++k) {
            if (k) b.append(out, indent < 0 ? ", " : ",");
            newline(level + 1);
            to_json(out, (*v.list)[k], indent, level + 1, b);
        }
        if (!v.list->empty()) newline(level);
        b.append(out, "]");
        return;
    case Value::DictV: {
        b.append(out, "{");
        bool first = true;
        for (const auto& [key, val] : *v.dict) {
            if (!first) b.append(out, indent < 0 ? ", " : ",");
            first = false;
            newline(level + 1);
            json_string(out, key, b);
            b.append(out, ": ");
            to_json(out, val, indent, level + 1, b);
        }
        if (!v.dict->empty()) newline(level);
        b.append(out, "}");
        return;
    }
    }
}

bool equal(const Value& x, const Value& y, Budget& b, int depth = 0) {
    check_depth(depth);
    b.step();
    if (x.is_number() && y.is_number()) return x.as_double() == y.as_double();
    if (x.kind != y.kind) return false;
    switch (x.kind) {
    case Value::Undefined:
    case Value::None: return true;
    case Value::Str: return x.s == y.s;
    case Value::ListV:
        if (x.list->size() != y.list->size()) return false;
        for (size_t k = 0; k < x.list->size(); ++k)
            if (!equal((*x.list)[k], (*y.list)[k], b, depth + 1)) return false;
        return true;
    case Value::DictV:
        if (x.dict->size() != y.dict->size()) return false;
        for (const auto& [key, val] : *x.dict) {
            b.step(y.dict->size());
            const Value* other = y.find(key);
            if (!other || !equal(val, *other, b, depth + 1)) return false;
        }
        return true;
    default: return false;
    }
}

// ---- strings ---------------------------------------------------------------------------

std::string py_strip(const std::string& s, std::string_view chars, bool left, bool right) {
    auto in = [&](char c) { return chars.find(c) != std::string_view::npos; };
    size_t end = s.size(), begin = 0;
    if (right)
        while (end > 0 && in(s[end - 1])) --end;
    if (left)
        while (begin < end && in(s[begin])) ++begin;
    return s.substr(begin, end - begin);
}
constexpr std::string_view kWhitespace = " \t\n\r\f\v";

std::string ascii_case(std::string s, bool upper) {
    for (char& c : s) c = char(upper ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string capitalize(std::string s) {
    s = ascii_case(std::move(s), false);
    if (!s.empty()) s[0] = char(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

std::string title(std::string s) {
    bool start = true;
    for (char& c : s) {
        const bool alpha = std::isalpha(static_cast<unsigned char>(c));
        c = char(alpha ? (start ? std::toupper(static_cast<unsigned char>(c)) : std::tolower(static_cast<unsigned char>(c))) : c);
        start = !alpha;
    }
    return s;
}

std::string replace_all(const std::string& s, const std::string& from, const std::string& to, Budget& b) {
    if (from.empty()) {
        b.charge(s.size());
        return s;
    }
    b.search(s.size(), from.size());
    std::string out;
    size_t done = 0;
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, done)) {
        b.append(out, std::string_view(s).substr(done, at - done));
        b.append(out, to);
        done = at + from.size();
    }
    b.append(out, std::string_view(s).substr(done));
    return out;
}

// The bytes of the code point that starts with c (a stray byte counts as one of four).
size_t code_point_size(unsigned char c) { return c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4; }

// Where each code point of s starts: strings index, slice and count by code point.
int64_t code_point_count(const std::string& s) {
    int64_t n = 0;
    for (size_t k = 0; k < s.size(); k += code_point_size(static_cast<unsigned char>(s[k]))) ++n;
    return n;
}

std::vector<size_t> code_point_starts(const std::string& s, Budget& b) {
    b.step(s.size() / 64);
    b.charge(uint64_t(code_point_count(s)) * sizeof(size_t));
    std::vector<size_t> starts;
    for (size_t k = 0; k < s.size(); k += code_point_size(static_cast<unsigned char>(s[k]))) starts.push_back(k);
    return starts;
}

std::string code_point_at(const std::string& s, size_t k) {
    const size_t n = code_point_size(static_cast<unsigned char>(s[k]));
    return s.substr(k, n);
}

int64_t to_int(const Value& v) {
    if (v.kind == Value::Int) return v.i;
    if (v.kind == Value::Bool) return v.b;
    fail("expected an integer, got " + std::string(v.kind == Value::Str ? "a string" : "another value"));
}

// Python's floor division and modulo; the quotient of INT64_MIN by -1 does not fit.
int64_t floor_div(int64_t p, int64_t q) {
    if (q == 0) fail("division by zero");
    if (q == -1) {
        check_overflow(p == INT64_MIN);
        return -p;
    }
    return p / q - ((p % q != 0) && ((p < 0) != (q < 0)));
}
int64_t floor_mod(int64_t p, int64_t q) {
    if (q == 0) fail("division by zero");
    if (q == -1) return 0;
    return p - floor_div(p, q) * q;
}

// ---- evaluation ------------------------------------------------------------------------

class Renderer {
public:
    explicit Renderer(const JinjaChatContext& context) {
        List messages;
        for (const ChatMessage& m : context.messages)
            messages.push_back(dict({{"role", Value::str(m.role)}, {"content", Value::str(m.content)}}));
        std::map<std::string, Value, std::less<>> globals = {
            {"messages", list(std::move(messages))},
            {"add_generation_prompt", Value::boolean(context.add_generation_prompt)},
            {"bos_token", Value::str(context.bos_token)},
            {"eos_token", Value::str(context.eos_token)},
        };
        if (!context.date_string.empty()) globals["date_string"] = Value::str(context.date_string);
        for (const auto& [name, value] : context.variables)
            globals[name] =
                std::holds_alternative<bool>(value) ? Value::boolean(std::get<bool>(value)) : Value::str(std::get<std::string>(value));
        if (context.enable_thinking) globals["enable_thinking"] = Value::boolean(*context.enable_thinking);
        // Functions are called by name; these entries make "is defined" true for them.
        for (const char* f : {"raise_exception", "strftime_now", "namespace", "range"}) globals[f] = Value::str(f);
        scopes_.push_back(std::move(globals));
    }

    // Lists and dicts may hold each other (a.append(a), ns.x = ns) and nest as deep as the
    // steps allow: emptying each one while all are held frees them without cycles or a
    // deep recursion.
    ~Renderer() {
        scopes_.clear();
        for (const auto& l : lists_) l->clear();
        for (const auto& d : dicts_) d->clear();
    }

    void run(const Body& body, std::string& out) {
        for (const Node& n : body) {
            b_.step();
            switch (n.kind) {
            case Node::Text: b_.append(out, n.text); break;
            case Node::Output: b_.append(out, to_str(eval(*n.expr), b_)); break;
            case Node::If:
                for (const auto& [cond, branch] : n.branches) {
                    if (!cond || truthy(eval(*cond))) {
                        run(branch, out);
                        break;
                    }
                }
                break;
            case Node::For: run_for(n, out); break;
            case Node::Set: run_set(n); break;
            case Node::Break: flow_ = Flow::Break; break;
            case Node::Continue: flow_ = Flow::Continue; break;
            case Node::Macro: macros_[n.vars[0]] = &n; break;
            }
            if (out.size() > kMaxOutput) limit("output too long");
            if (flow_ != Flow::Normal) return; // unwinding to the loop
        }
    }

private:
    Value list(List items) {
        for (const Value& v : items) b_.item(v);
        Value v;
        v.kind = Value::ListV;
        v.list = std::make_shared<List>(std::move(items));
        lists_.push_back(v.list);
        return v;
    }
    Value dict(Dict entries) {
        for (const auto& [k, v] : entries) {
            b_.item(v);
            b_.charge(k.size());
        }
        Value v;
        v.kind = Value::DictV;
        v.dict = std::make_shared<Dict>(std::move(entries));
        dicts_.push_back(v.dict);
        return v;
    }

    // The items a for loop, a filter or "in" goes over (a copy, paid for).
    List iterate(const Value& v) {
        List out;
        switch (v.kind) {
        case Value::ListV:
            for (const Value& item : *v.list) b_.item(item);
            return *v.list;
        case Value::DictV:
            for (const auto& kv : *v.dict) {
                out.push_back(Value::str(kv.first));
                b_.item(out.back());
            }
            return out;
        case Value::Str:
            for (size_t k = 0; k < v.s.size(); k += code_point_size(static_cast<unsigned char>(v.s[k]))) {
                out.push_back(Value::str(code_point_at(v.s, k)));
                b_.item(out.back());
            }
            return out;
        case Value::Undefined:
        case Value::None: return {};
        default: fail("cannot iterate over " + to_str(v, b_));
        }
    }

    int64_t length(const Value& v) {
        if (v.kind == Value::Str) {
            b_.step(v.s.size() / 64);
            return code_point_count(v.s);
        }
        if (v.kind == Value::ListV) return int64_t(v.list->size());
        if (v.kind == Value::DictV) return int64_t(v.dict->size());
        if (v.kind == Value::Undefined) return 0;
        fail("object has no length");
    }

    void run_for(const Node& n, std::string& out) {
        List items = iterate(eval(*n.expr));
        scopes_.emplace_back();
        if (n.filter) {
            List kept;
            for (Value& item : items) {
                bind(n.vars, item);
                if (truthy(eval(*n.filter))) kept.push_back(std::move(item));
            }
            items = std::move(kept);
        }
        const int64_t count = int64_t(items.size());
        // One loop object, updated each turn.
        Value loop = dict({{"index", {}},
                           {"index0", {}},
                           {"revindex", {}},
                           {"revindex0", {}},
                           {"first", {}},
                           {"last", {}},
                           {"length", Value::integer(count)},
                           {"previtem", {}},
                           {"nextitem", {}}});
        scopes_.back()["loop"] = loop;
        for (int64_t k = 0; k < count; ++k) {
            b_.step();
            bind(n.vars, items[size_t(k)]);
            Dict& d = *loop.dict;
            d[0].second = Value::integer(k + 1);
            d[1].second = Value::integer(k);
            d[2].second = Value::integer(count - k);
            d[3].second = Value::integer(count - k - 1);
            d[4].second = Value::boolean(k == 0);
            d[5].second = Value::boolean(k == count - 1);
            d[7].second = k > 0 ? items[size_t(k - 1)] : Value{};
            d[8].second = k + 1 < count ? items[size_t(k + 1)] : Value{};
            b_.item(d[7].second);
            b_.item(d[8].second);
            run(n.body, out);
            const Flow flow = std::exchange(flow_, Flow::Normal);
            if (flow == Flow::Break) break;
        }
        scopes_.pop_back();
        if (count == 0) run(n.else_body, out);
    }

    void bind(const std::vector<std::string>& vars, const Value& item) {
        if (vars.size() == 1) {
            b_.item(item);
            scopes_.back()[vars[0]] = item;
            return;
        }
        const List parts = iterate(item);
        if (parts.size() != vars.size()) fail("cannot unpack loop item");
        for (size_t k = 0; k < vars.size(); ++k) scopes_.back()[vars[k]] = parts[k];
    }

    void run_set(const Node& n) {
        Value v;
        if (n.expr) {
            v = eval(*n.expr);
        } else {
            std::string text;
            run(n.body, text);
            v = Value::str(std::move(text));
        }
        if (n.vars.size() == 1) {
            scopes_.back()[n.vars[0]] = std::move(v);
            return;
        }
        Value ns = lookup(n.vars[0]);
        if (ns.kind != Value::DictV) fail("cannot set an attribute of " + n.vars[0]);
        b_.item(v);
        b_.step(ns.dict->size());
        for (auto& [k, val] : *ns.dict)
            if (k == n.vars[1]) {
                val = std::move(v);
                return;
            }
        ns.dict->emplace_back(n.vars[1], std::move(v));
    }

    Value lookup(std::string_view name) const {
        for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
            auto found = it->find(name);
            if (found != it->end()) return found->second;
        }
        return {};
    }

    // Every expression is a step; the strings it yields are paid for, since each is a copy.
    Value eval(const Expr& e) {
        b_.step();
        Value v = evaluate(e);
        if (v.kind == Value::Str) b_.charge(v.s.size());
        return v;
    }

    Value evaluate(const Expr& e) {
        switch (e.kind) {
        case Expr::Lit: return e.value;
        case Expr::Var: return lookup(e.name);
        case Expr::Attr: return attribute(eval(*e.args[0]), e.name);
        case Expr::Index: return subscript(eval(*e.args[0]), eval(*e.args[1]));
        case Expr::Slice: return slice(eval(*e.args[0]), eval(*e.args[1]), eval(*e.args[2]), eval(*e.args[3]));
        case Expr::Call: return call(e);
        case Expr::Filter: return filter(e);
        case Expr::Test: return Value::boolean(test(e) != e.negate);
        case Expr::Not: return Value::boolean(!truthy(eval(*e.args[0])));
        case Expr::Neg: {
            const Value v = eval(*e.args[0]);
            if (v.kind == Value::Int) {
                check_overflow(v.i == INT64_MIN);
                return Value::integer(-v.i);
            }
            if (v.is_number()) return Value::number(-v.as_double());
            fail("cannot negate " + to_str(v, b_));
        }
        case Expr::And: {
            Value a = eval(*e.args[0]);
            return truthy(a) ? eval(*e.args[1]) : a;
        }
        case Expr::Or: {
            Value a = eval(*e.args[0]);
            return truthy(a) ? a : eval(*e.args[1]);
        }
        case Expr::Cond: return truthy(eval(*e.args[0])) ? eval(*e.args[1]) : eval(*e.args[2]);
        case Expr::Binary: {
            Value r = binary(e.name, eval(*e.args[0]), eval(*e.args[1]));
            if (e.negate) r.b = !r.b;
            return r;
        }
        case Expr::ListLit: {
            List items;
            for (const ExprP& a : e.args) items.push_back(eval(*a));
            return list(std::move(items));
        }
        case Expr::DictLit: {
            Dict d;
            for (size_t k = 0; k + 1 < e.args.size(); k += 2) d.emplace_back(to_str(eval(*e.args[k]), b_), eval(*e.args[k + 1]));
            return dict(std::move(d));
        }
        }
        fail("bad expression");
    }

    Value attribute(const Value& obj, const std::string& name) {
        if (obj.kind == Value::DictV) b_.step(obj.dict->size());
        if (const Value* v = obj.find(name)) return *v;
        return {};
    }

    Value subscript(const Value& obj, const Value& key) {
        if (obj.kind == Value::DictV) return attribute(obj, to_str(key, b_));
        if (key.kind != Value::Int && key.kind != Value::Bool) return {};
        int64_t k = to_int(key);
        if (obj.kind == Value::ListV) {
            if (k < 0) k += int64_t(obj.list->size());
            if (k < 0 || k >= int64_t(obj.list->size())) return {};
            return (*obj.list)[size_t(k)];
        }
        if (obj.kind == Value::Str) {
            b_.step(obj.s.size() / 64);
            if (k < 0) k += code_point_count(obj.s);
            for (size_t at = 0; at < obj.s.size() && k >= 0; at += code_point_size(static_cast<unsigned char>(obj.s[at])))
                if (k-- == 0) return Value::str(code_point_at(obj.s, at));
            return {};
        }
        return {};
    }

    Value slice(const Value& obj, const Value& a, const Value& b, const Value& s) {
        const bool is_str = obj.kind == Value::Str;
        if (!is_str && obj.kind != Value::ListV) fail("cannot slice " + to_str(obj, b_));
        const std::vector<size_t> starts = is_str ? code_point_starts(obj.s, b_) : std::vector<size_t>{};
        const int64_t n = is_str ? int64_t(starts.size()) : int64_t(obj.list->size());
        const int64_t step = s.kind == Value::Int ? s.i : 1;
        if (step == 0) fail("slice step cannot be zero");
        auto bound = [&](const Value& v, int64_t fallback) {
            if (v.kind != Value::Int) return fallback;
            int64_t k = v.i < 0 ? v.i + n : v.i;
            return step > 0 ? std::clamp<int64_t>(k, 0, n) : std::clamp<int64_t>(k, -1, n - 1);
        };
        const int64_t begin = bound(a, step > 0 ? 0 : n - 1), end = bound(b, step > 0 ? n : -1);
        List items;
        std::string text;
        // begin and end lie in [-1, n]: a step past INT64_MAX ends the slice.
        for (int64_t k = begin; step > 0 ? k < end : k > end;) {
            b_.step();
            if (is_str)
                b_.append(text, code_point_at(obj.s, starts[size_t(k)]));
            else
                items.push_back((*obj.list)[size_t(k)]);
            if (__builtin_add_overflow(k, step, &k)) break;
        }
        return is_str ? Value::str(std::move(text)) : list(std::move(items));
    }

    Value binary(const std::string& op, const Value& a, const Value& b) {
        if (op == "==") return Value::boolean(equal(a, b, b_));
        if (op == "!=") return Value::boolean(!equal(a, b, b_));
        if (op == "~") {
            std::string out = to_str(a, b_);
            b_.append(out, to_str(b, b_));
            return Value::str(std::move(out));
        }
        if (op == "in") {
            if (b.kind == Value::Str) {
                const std::string needle = to_str(a, b_);
                b_.search(b.s.size(), needle.size());
                return Value::boolean(b.s.find(needle) != std::string::npos);
            }
            if (b.kind == Value::DictV) {
                const std::string key = to_str(a, b_);
                b_.step(b.dict->size());
                return Value::boolean(b.find(key) != nullptr);
            }
            if (b.kind == Value::ListV) {
                for (const Value& item : *b.list)
                    if (equal(a, item, b_)) return Value::boolean(true);
                return Value::boolean(false);
            }
            iterate(b); // nothing to find in none or undefined; numbers fail
            return Value::boolean(false);
        }
        if (op == "<" || op == ">" || op == "<=" || op == ">=") {
            int c = 0;
            if (a.is_number() && b.is_number())
                c = a.as_double() < b.as_double() ? -1 : a.as_double() > b.as_double() ? 1 : 0;
            else if (a.kind == Value::Str && b.kind == Value::Str)
                c = a.s.compare(b.s);
            else
                fail("cannot compare " + to_str(a, b_) + " and " + to_str(b, b_));
            return Value::boolean(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
        }
        if (op == "+") {
            if (a.kind == Value::Str && b.kind == Value::Str) {
                b_.charge(a.s.size() + b.s.size());
                return Value::str(a.s + b.s);
            }
            if (a.kind == Value::ListV && b.kind == Value::ListV) {
                List items = *a.list; // paid for by list()
                items.insert(items.end(), b.list->begin(), b.list->end());
                return list(std::move(items));
            }
        }
        if (op == "*" && a.kind == Value::Str && b.kind == Value::Int) {
            uint64_t total = 0;
            if (b.i > 0 && __builtin_mul_overflow(uint64_t(a.s.size()), uint64_t(b.i), &total)) limit("string too long");
            b_.charge(total);
            std::string out;
            for (int64_t k = 0; k < b.i && !a.s.empty(); ++k) out += a.s;
            return Value::str(std::move(out));
        }
        if (!a.is_number() || !b.is_number()) fail("unsupported operands for " + op + ": " + repr(a, b_) + ", " + repr(b, b_));
        const bool ints = a.kind != Value::Float && b.kind != Value::Float;
        const double x = a.as_double(), y = b.as_double();
        if (op == "**") {
            const double r = std::pow(x, y);
            if (!std::isfinite(r)) fail("number too large");
            return ints && y >= 0 && std::fabs(r) < 9e15 ? Value::integer(int64_t(r)) : Value::number(r);
        }
        if (op == "/") {
            if (y == 0) fail("division by zero");
            return Value::number(x / y);
        }
        if (ints) {
            const int64_t p = to_int(a), q = to_int(b);
            int64_t r = 0;
            bool overflow = false;
            if (op == "+")
                overflow = __builtin_add_overflow(p, q, &r);
            else if (op == "-")
                overflow = __builtin_sub_overflow(p, q, &r);
            else if (op == "*")
                overflow = __builtin_mul_overflow(p, q, &r);
            else if (op == "//")
                r = floor_div(p, q);
            else if (op == "%")
                r = floor_mod(p, q);
            else
                fail("unknown operator " + op);
            check_overflow(overflow);
            return Value::integer(r);
        }
        if (op == "+") return Value::number(x + y);
        if (op == "-") return Value::number(x - y);
        if (op == "*") return Value::number(x * y);
        if (y == 0) fail("division by zero");
        if (op == "//") return Value::number(std::floor(x / y));
        if (op == "%") return Value::number(x - std::floor(x / y) * y);
        fail("unknown operator " + op);
    }

    std::vector<Value> positional(const Expr& e, size_t skip = 0) {
        std::vector<Value> out;
        for (size_t k = skip; k < e.args.size(); ++k) out.push_back(eval(*e.args[k]));
        return out;
    }
    Value keyword(const Expr& e, std::string_view key, const std::vector<Value>& args, size_t pos, Value fallback = {}) {
        for (const auto& [k, v] : e.kwargs)
            if (k == key) return eval(*v);
        return pos < args.size() ? args[pos] : fallback;
    }

    Value call(const Expr& e) {
        const Expr& callee = *e.args[0];
        std::vector<Value> args = positional(e, 1);
        if (callee.kind == Expr::Attr) return method(eval(*callee.args[0]), callee.name, args);
        if (callee.kind != Expr::Var) fail("cannot call this expression");
        const std::string& f = callee.name;
        if (auto m = macros_.find(f); m != macros_.end()) return call_macro(*m->second, e, args);
        if (f == "raise_exception")
            throw TemplateRaised("chat template: template error: " + (args.empty() ? std::string() : to_str(args[0], b_)));
        if (f == "namespace") {
            Dict d;
            for (const auto& [k, v] : e.kwargs) d.emplace_back(k, eval(*v));
            return dict(std::move(d));
        }
        if (f == "range") return range(args);
        if (f == "strftime_now") {
            char buf[128];
            const std::time_t now = std::time(nullptr);
            std::tm tm{};
            localtime_r(&now, &tm);
            const std::string fmt = args.empty() ? std::string("%Y-%m-%d") : to_str(args[0], b_);
            return Value::str(std::strftime(buf, sizeof buf, fmt.c_str(), &tm) ? buf : "");
        }
        fail("unknown function " + f);
    }

    // A macro's text, its parameters bound from the call (positional, keyword, default).
    Value call_macro(const Node& m, const Expr& e, const std::vector<Value>& args) {
        if (macro_depth_ >= kMaxMacroDepth) fail("macros nested too deep");
        std::map<std::string, Value, std::less<>> scope;
        for (size_t k = 1; k < m.vars.size(); ++k) {
            const std::string& param = m.vars[k];
            Value v;
            if (k - 1 < args.size())
                v = args[k - 1];
            else if (m.defaults[k - 1])
                v = eval(*m.defaults[k - 1]);
            for (const auto& [name, value] : e.kwargs)
                if (name == param) v = eval(*value);
            scope[param] = std::move(v);
        }
        scopes_.push_back(std::move(scope));
        ++macro_depth_;
        std::string out;
        const Flow flow = std::exchange(flow_, Flow::Normal);
        run(m.body, out);
        flow_ = flow;
        --macro_depth_;
        scopes_.pop_back();
        return Value::str(std::move(out));
    }

    Value range(const std::vector<Value>& args) {
        int64_t begin = 0, end = 0, step = 1;
        if (args.size() == 1)
            end = to_int(args[0]);
        else if (args.size() >= 2) {
            begin = to_int(args[0]);
            end = to_int(args[1]);
            if (args.size() > 2) step = to_int(args[2]);
        }
        if (step == 0) fail("range step cannot be zero");
        List out;
        for (int64_t k = begin; step > 0 ? k < end : k > end;) {
            if (out.size() >= kMaxRange) limit("range too long");
            out.push_back(Value::integer(k));
            if (__builtin_add_overflow(k, step, &k)) break; // past INT64_MAX (or MIN): past end
        }
        return list(std::move(out));
    }

    Value method(const Value& obj, const std::string& name, const std::vector<Value>& args) {
        auto arg = [&](size_t k) { return k < args.size() ? to_str(args[k], b_) : std::string(); };
        if (obj.kind == Value::Str) {
            const std::string& s = obj.s;
            const std::string chars = args.empty() || args[0].kind == Value::None ? std::string(kWhitespace) : arg(0);
            if (name == "strip" || name == "lstrip" || name == "rstrip") {
                b_.search(s.size(), chars.size());
                return Value::str(py_strip(s, chars, name != "rstrip", name != "lstrip"));
            }
            if (name == "upper") return Value::str(ascii_case(s, true));
            if (name == "lower") return Value::str(ascii_case(s, false));
            if (name == "title") return Value::str(title(s));
            if (name == "capitalize") return Value::str(capitalize(s));
            if (name == "startswith") return Value::boolean(s.starts_with(arg(0)));
            if (name == "endswith") return Value::boolean(s.ends_with(arg(0)));
            if (name == "replace") return Value::str(replace_all(s, arg(0), arg(1), b_));
            if (name == "split") return split(s, args.empty() || args[0].kind == Value::None ? nullptr : &args[0]);
        }
        if (obj.kind == Value::DictV) {
            if (name == "items" || name == "keys" || name == "values") {
                List out;
                for (const auto& [k, v] : *obj.dict) {
                    if (name == "items")
                        out.push_back(list({Value::str(k), v}));
                    else
                        out.push_back(name == "keys" ? Value::str(k) : v);
                }
                return list(std::move(out));
            }
            if (name == "get") {
                b_.step(obj.dict->size());
                const Value* v = obj.find(arg(0));
                return v ? *v : (args.size() > 1 ? args[1] : Value::none());
            }
        }
        if (obj.kind == Value::ListV && name == "append" && args.size() == 1) {
            b_.item(args[0]);
            obj.list->push_back(args[0]);
            return Value::none();
        }
        fail("unknown method " + name);
    }

    Value split(const std::string& s, const Value* separator) {
        List parts;
        if (!separator) {
            b_.step(s.size() / 64);
            size_t k = 0;
            while (k < s.size()) {
                while (k < s.size() && kWhitespace.find(s[k]) != std::string_view::npos) ++k;
                const size_t b = k;
                while (k < s.size() && kWhitespace.find(s[k]) == std::string_view::npos) ++k;
                if (k > b) parts.push_back(Value::str(s.substr(b, k - b)));
            }
        } else {
            const std::string sep = to_str(*separator, b_);
            if (sep.empty()) fail("empty separator");
            b_.search(s.size(), sep.size());
            size_t b = 0;
            for (size_t at; (at = s.find(sep, b)) != std::string::npos; b = at + sep.size()) {
                parts.push_back(Value::str(s.substr(b, at - b)));
                b_.item(parts.back());
            }
            parts.push_back(Value::str(s.substr(b)));
        }
        return list(std::move(parts));
    }

    Value filter(const Expr& e) {
        const Value in = eval(*e.args[0]);
        const std::vector<Value> args = positional(e, 1);
        const std::string& f = e.name;
        if (f == "trim") return Value::str(py_strip(to_str(in, b_), kWhitespace, true, true));
        if (f == "length" || f == "count") return Value::integer(length(in));
        if (f == "upper") return Value::str(ascii_case(to_str(in, b_), true));
        if (f == "lower") return Value::str(ascii_case(to_str(in, b_), false));
        if (f == "capitalize") return Value::str(capitalize(to_str(in, b_)));
        if (f == "title") return Value::str(title(to_str(in, b_)));
        if (f == "string") return Value::str(to_str(in, b_));
        if (f == "safe" || f == "e" || f == "escape") return in; // no autoescaping in chat templates
        if (f == "int") {
            if (in.kind == Value::Float) {
                if (!(in.f > -9.2e18 && in.f < 9.2e18)) limit("number too large for an integer");
                return Value::integer(int64_t(in.f));
            }
            if (in.is_number()) return Value::integer(to_int(in));
            try {
                return Value::integer(std::stoll(to_str(in, b_)));
            } catch (const std::exception&) {
                return Value::integer(0);
            }
        }
        if (f == "float") return Value::number(in.is_number() ? in.as_double() : 0.0);
        if (f == "abs") {
            if (in.kind == Value::Int) {
                check_overflow(in.i == INT64_MIN);
                return Value::integer(std::llabs(in.i));
            }
            return Value::number(std::fabs(in.as_double()));
        }
        if (f == "first" || f == "last") {
            const List items = iterate(in);
            if (items.empty()) return {};
            return f == "first" ? items.front() : items.back();
        }
        if (f == "list") return list(iterate(in));
        if (f == "reverse") {
            List items = iterate(in);
            std::reverse(items.begin(), items.end());
            if (in.kind != Value::Str) return list(std::move(items));
            std::string out;
            for (const Value& c : items) b_.append(out, c.s);
            return Value::str(std::move(out));
        }
        if (f == "join") {
            const std::string sep = to_str(keyword(e, "d", args, 0, Value::str("")), b_);
            std::string out;
            bool first = true;
            for (const Value& item : iterate(in)) {
                if (!first) b_.append(out, sep);
                b_.append(out, to_str(item, b_));
                first = false;
            }
            return Value::str(std::move(out));
        }
        if (f == "default" || f == "d") {
            const bool boolean = truthy(keyword(e, "boolean", args, 1, Value::boolean(false)));
            const bool use_default = in.kind == Value::Undefined || (boolean && !truthy(in));
            return use_default ? keyword(e, "default_value", args, 0, Value::str("")) : in;
        }
        if (f == "replace") {
            if (args.size() < 2) fail("replace needs two arguments");
            return Value::str(replace_all(to_str(in, b_), to_str(args[0], b_), to_str(args[1], b_), b_));
        }
        if (f == "tojson") {
            const Value indent = keyword(e, "indent", args, 0);
            std::string out;
            to_json(out, in, indent.kind == Value::Int ? int(std::clamp<int64_t>(indent.i, 0, 16)) : -1, 0, b_);
            return Value::str(std::move(out));
        }
        if (f == "items") return method(in, "items", {});
        if (f == "map") {
            const Value attr = keyword(e, "attribute", {}, 0);
            if (attr.kind != Value::Str) fail("map() is supported with attribute= only");
            List out;
            for (const Value& item : iterate(in)) out.push_back(attribute(item, attr.s));
            return list(std::move(out));
        }
        if (f == "selectattr" || f == "rejectattr") {
            if (args.empty()) fail(f + " needs an attribute");
            const std::string attr = to_str(args[0], b_);
            const std::string test_name = args.size() > 1 ? to_str(args[1], b_) : std::string();
            List out;
            for (const Value& item : iterate(in)) {
                const Value v = attribute(item, attr);
                bool ok = truthy(v);
                if (test_name == "equalto" || test_name == "eq" || test_name == "==")
                    ok = args.size() > 2 && equal(v, args[2], b_);
                else if (test_name == "defined")
                    ok = v.kind != Value::Undefined;
                else if (test_name == "undefined")
                    ok = v.kind == Value::Undefined;
                else if (test_name == "none")
                    ok = v.kind == Value::None;
                else if (!test_name.empty())
                    fail("unsupported test " + test_name + " in " + f);
                if (ok == (f == "selectattr")) out.push_back(item);
            }
            return list(std::move(out));
        }
        fail("unknown filter " + f);
    }

    bool test(const Expr& e) {
        const Value v = eval(*e.args[0]);
        const std::vector<Value> args = positional(e, 1);
        const std::string& t = e.name;
        if (t == "defined") return v.kind != Value::Undefined;
        if (t == "undefined") return v.kind == Value::Undefined;
        if (t == "none") return v.kind == Value::None;
        if (t == "string") return v.kind == Value::Str;
        if (t == "number") return v.kind == Value::Int || v.kind == Value::Float;
        if (t == "integer") return v.kind == Value::Int;
        if (t == "float") return v.kind == Value::Float;
        if (t == "boolean") return v.kind == Value::Bool;
        if (t == "true") return v.kind == Value::Bool && v.b;
        if (t == "false") return v.kind == Value::Bool && !v.b;
        if (t == "mapping") return v.kind == Value::DictV;
        if (t == "iterable") return v.kind == Value::ListV || v.kind == Value::DictV || v.kind == Value::Str;
        if (t == "sequence") return v.kind == Value::ListV || v.kind == Value::Str;
        if (t == "even" || t == "odd") {
            if (v.kind != Value::Int) fail("even/odd of a non-integer");
            return (v.i % 2 == 0) == (t == "even");
        }
        if (t == "equalto" || t == "eq" || t == "sameas") return !args.empty() && equal(v, args[0], b_);
        if (t == "ne") return args.empty() || !equal(v, args[0], b_);
        if (t == "in") return !args.empty() && truthy(binary("in", v, args[0]));
        fail("unknown test " + t);
    }

    Budget b_;
    std::vector<std::shared_ptr<List>> lists_; // every container made, freed by the destructor
    std::vector<std::shared_ptr<Dict>> dicts_;
    std::vector<std::map<std::string, Value, std::less<>>> scopes_;
    std::map<std::string, const Node*, std::less<>> macros_; // defined so far, by name
    int macro_depth_ = 0;
    enum class Flow { Normal, Break, Continue } flow_ = Flow::Normal;
};

} // namespace
} // namespace jinja

std::string render_jinja_chat(std::string_view source, const JinjaChatContext& context) {
    using namespace jinja;
    const Body body = parse(source);
    std::string out;
    Renderer(context).run(body, out);
    return out;
}

} // namespace kmlm
