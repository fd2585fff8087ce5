// Jinja trees to text: a tree-walking evaluator over a small dynamic Value, with the filters,
// tests, methods and globals chat templates use.
#include "kmlm/jinja.h"

#include "jinja_ast.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>

namespace kmlm {
namespace jinja {
namespace {

bool truthy(const Value& v) {
    switch (v.kind) {
    case Value::Undefined: case Value::None: return false;
    case Value::Bool: return v.b;
    case Value::Int: return v.i != 0;
    case Value::Float: return v.f != 0;
    case Value::Str: return !v.s.empty();
    case Value::ListV: return !v.list->empty();
    case Value::DictV: return !v.dict->empty();
    }
    return false;
}

std::string repr(const Value& v);

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
std::string to_str(const Value& v) {
    switch (v.kind) {
    case Value::Undefined: return "";
    case Value::None: return "None";
    case Value::Bool: return v.b ? "True" : "False";
    case Value::Int: return std::to_string(v.i);
    case Value::Float: return format_float(v.f);
    case Value::Str: return v.s;
    default: return repr(v);
    }
}

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string repr(const Value& v) {
    if (v.kind == Value::Str) return quote(v.s);
    if (v.kind == Value::ListV) {
        std::string out = "[";
        for (size_t k = 0; k < v.list->size(); ++k) out += (k ? ", " : "") + repr((*v.list)[k]);
        return out + "]";
    }
    if (v.kind == Value::DictV) {
        std::string out = "{";
        bool first = true;
        for (const auto& [key, val] : *v.dict) {
            out += (first ? "" : ", ") + quote(key) + ": " + repr(val);
            first = false;
        }
        return out + "}";
    }
    return to_str(v);
}

void json_string(std::string& out, const std::string& s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", c);
                out += buf;
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
}

// json.dumps(ensure_ascii=False), with Python's separators; indent < 0 for one line.
void to_json(std::string& out, const Value& v, int indent, int level) {
    auto newline = [&](int lvl) {
        if (indent < 0) return;
        out += '\n';
        out.append(size_t(indent * lvl), ' ');
    };
    switch (v.kind) {
    case Value::Undefined: case Value::None: out += "null"; return;
    case Value::Bool: out += v.b ? "true" : "false"; return;
    case Value::Int: out += std::to_string(v.i); return;
    case Value::Float: out += format_float(v.f); return;
    case Value::Str: json_string(out, v.s); return;
    case Value::ListV:
        out += '[';
        for (size_t k = 0; k < v.list->size(); ++k) {
            if (k) out += indent < 0 ? ", " : ",";
            newline(level + 1);
            to_json(out, (*v.list)[k], indent, level + 1);
        }
        if (!v.list->empty()) newline(level);
        out += ']';
        return;
    case Value::DictV: {
        out += '{';
        bool first = true;
        for (const auto& [key, val] : *v.dict) {
            if (!first) out += indent < 0 ? ", " : ",";
            first = false;
            newline(level + 1);
            json_string(out, key);
            out += ": ";
            to_json(out, val, indent, level + 1);
        }
        if (!v.dict->empty()) newline(level);
        out += '}';
        return;
    }
    }
}

bool equal(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return a.as_double() == b.as_double();
    if (a.kind != b.kind) return false;
    switch (a.kind) {
    case Value::Undefined: case Value::None: return true;
    case Value::Str: return a.s == b.s;
    case Value::ListV:
        if (a.list->size() != b.list->size()) return false;
        for (size_t k = 0; k < a.list->size(); ++k)
            if (!equal((*a.list)[k], (*b.list)[k])) return false;
        return true;
    case Value::DictV:
        if (a.dict->size() != b.dict->size()) return false;
        for (const auto& [key, val] : *a.dict) {
            const Value* other = b.find(key);
            if (!other || !equal(val, *other)) return false;
        }
        return true;
    default: return false;
    }
}

// ---- evaluation ------------------------------------------------------------------------

std::string py_strip(std::string s, std::string_view chars, bool left, bool right) {
    auto in = [&](char c) { return chars.find(c) != std::string_view::npos; };
    if (right) while (!s.empty() && in(s.back())) s.pop_back();
    size_t k = 0;
    if (left) while (k < s.size() && in(s[k])) ++k;
    return s.substr(k);
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

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    if (from.empty()) return s;
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
    return s;
}

// The code points of a string, each as a string (iteration, len()).
List characters(const std::string& s) {
    List out;
    for (size_t k = 0; k < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[k]);
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        out.push_back(Value::str(s.substr(k, n)));
        k += n;
    }
    return out;
}

List iterate(const Value& v) {
    switch (v.kind) {
    case Value::ListV: return *v.list;
    case Value::DictV: {
        List keys;
        for (const auto& kv : *v.dict) keys.push_back(Value::str(kv.first));
        return keys;
    }
    case Value::Str: return characters(v.s);
    case Value::Undefined: case Value::None: return {};
    default: fail("cannot iterate over " + to_str(v));
    }
}

int64_t length(const Value& v) {
    if (v.kind == Value::Str) return int64_t(characters(v.s).size());
    if (v.kind == Value::ListV) return int64_t(v.list->size());
    if (v.kind == Value::DictV) return int64_t(v.dict->size());
    if (v.kind == Value::Undefined) return 0;
    fail("object has no length");
}

class Renderer {
public:
    explicit Renderer(std::map<std::string, Value, std::less<>> globals) { scopes_.push_back(std::move(globals)); }

    void run(const Body& body, std::string& out) {
        for (const Node& n : body) {
            switch (n.kind) {
            case Node::Text: out += n.text; break;
            case Node::Output: out += to_str(eval(*n.expr)); break;
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
            if (out.size() > kMaxOutput) fail("output too long");
            if (flow_ != Flow::Normal) return; // unwinding to the loop
        }
    }

private:
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
        for (int64_t k = 0; k < count; ++k) {
            bind(n.vars, items[size_t(k)]);
            Dict loop = {{"index", Value::integer(k + 1)}, {"index0", Value::integer(k)},
                         {"revindex", Value::integer(count - k)}, {"revindex0", Value::integer(count - k - 1)},
                         {"first", Value::boolean(k == 0)}, {"last", Value::boolean(k == count - 1)},
                         {"length", Value::integer(count)},
                         {"previtem", k > 0 ? items[size_t(k - 1)] : Value{}},
                         {"nextitem", k + 1 < count ? items[size_t(k + 1)] : Value{}}};
            scopes_.back()["loop"] = Value::of_dict(std::move(loop));
            run(n.body, out);
            const Flow flow = std::exchange(flow_, Flow::Normal);
            if (flow == Flow::Break) break;
        }
        scopes_.pop_back();
        if (count == 0) run(n.else_body, out);
    }

    void bind(const std::vector<std::string>& vars, const Value& item) {
        if (vars.size() == 1) {
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
        for (auto& [k, val] : *ns.dict)
            if (k == n.vars[1]) { val = std::move(v); return; }
        ns.dict->emplace_back(n.vars[1], std::move(v));
    }

    Value lookup(std::string_view name) const {
        for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
            auto found = it->find(name);
            if (found != it->end()) return found->second;
        }
        return {};
    }

    Value eval(const Expr& e) {
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
            if (v.kind == Value::Int) return Value::integer(-v.i);
            if (v.is_number()) return Value::number(-v.as_double());
            fail("cannot negate " + to_str(v));
        }
        case Expr::And: { Value a = eval(*e.args[0]); return truthy(a) ? eval(*e.args[1]) : a; }
        case Expr::Or: { Value a = eval(*e.args[0]); return truthy(a) ? a : eval(*e.args[1]); }
        case Expr::Cond: return truthy(eval(*e.args[0])) ? eval(*e.args[1]) : eval(*e.args[2]);
        case Expr::Binary: {
            Value r = binary(e.name, eval(*e.args[0]), eval(*e.args[1]));
            if (e.negate) r.b = !r.b;
            return r;
        }
        case Expr::ListLit: {
            List items;
            for (const ExprP& a : e.args) items.push_back(eval(*a));
            return Value::of_list(std::move(items));
        }
        case Expr::DictLit: {
            Dict d;
            for (size_t k = 0; k + 1 < e.args.size(); k += 2) d.emplace_back(to_str(eval(*e.args[k])), eval(*e.args[k + 1]));
            return Value::of_dict(std::move(d));
        }
        }
        fail("bad expression");
    }

    static Value attribute(const Value& obj, const std::string& name) {
        if (const Value* v = obj.find(name)) return *v;
        return {};
    }

    static Value subscript(const Value& obj, const Value& key) {
        if (obj.kind == Value::DictV) return attribute(obj, to_str(key));
        if (key.kind != Value::Int && key.kind != Value::Bool) return {};
        if (obj.kind == Value::ListV || obj.kind == Value::Str) {
            const List chars = obj.kind == Value::Str ? characters(obj.s) : List{};
            const List& items = obj.kind == Value::Str ? chars : *obj.list;
            int64_t k = key.kind == Value::Bool ? int64_t(key.b) : key.i;
            if (k < 0) k += int64_t(items.size());
            if (k < 0 || k >= int64_t(items.size())) return {};
            return items[size_t(k)];
        }
        return {};
    }

    static Value slice(const Value& obj, const Value& a, const Value& b, const Value& s) {
        const bool is_str = obj.kind == Value::Str;
        if (!is_str && obj.kind != Value::ListV) fail("cannot slice " + to_str(obj));
        const List items = is_str ? characters(obj.s) : *obj.list;
        const int64_t n = int64_t(items.size());
        const int64_t step = s.kind == Value::Int ? s.i : 1;
        if (step == 0) fail("slice step cannot be zero");
        auto bound = [&](const Value& v, int64_t fallback) {
            if (v.kind != Value::Int) return fallback;
            int64_t k = v.i < 0 ? v.i + n : v.i;
            return step > 0 ? std::clamp<int64_t>(k, 0, n) : std::clamp<int64_t>(k, -1, n - 1);
        };
        const int64_t begin = bound(a, step > 0 ? 0 : n - 1), end = bound(b, step > 0 ? n : -1);
        List out;
        for (int64_t k = begin; step > 0 ? k < end : k > end; k += step) out.push_back(items[size_t(k)]);
        if (!is_str) return Value::of_list(std::move(out));
        std::string joined;
        for (const Value& c : out) joined += c.s;
        return Value::str(std::move(joined));
    }

    static Value binary(const std::string& op, const Value& a, const Value& b) {
        if (op == "==") return Value::boolean(equal(a, b));
        if (op == "!=") return Value::boolean(!equal(a, b));
        if (op == "~") return Value::str(to_str(a) + to_str(b));
        if (op == "in") {
            if (b.kind == Value::Str) return Value::boolean(b.s.find(to_str(a)) != std::string::npos);
            if (b.kind == Value::DictV) return Value::boolean(b.find(to_str(a)) != nullptr);
            for (const Value& item : iterate(b))
                if (equal(a, item)) return Value::boolean(true);
            return Value::boolean(false);
        }
        if (op == "<" || op == ">" || op == "<=" || op == ">=") {
            int c = 0;
            if (a.is_number() && b.is_number()) c = a.as_double() < b.as_double() ? -1 : a.as_double() > b.as_double() ? 1 : 0;
            else if (a.kind == Value::Str && b.kind == Value::Str) c = a.s.compare(b.s);
            else fail("cannot compare " + to_str(a) + " and " + to_str(b));
            return Value::boolean(op == "<" ? c < 0 : op == ">" ? c > 0 : op == "<=" ? c <= 0 : c >= 0);
        }
        if (op == "+") {
            if (a.kind == Value::Str && b.kind == Value::Str) return Value::str(a.s + b.s);
            if (a.kind == Value::ListV && b.kind == Value::ListV) {
                List items = *a.list;
                items.insert(items.end(), b.list->begin(), b.list->end());
                return Value::of_list(std::move(items));
            }
        }
        if (op == "*" && a.kind == Value::Str && b.kind == Value::Int) {
            std::string out;
            for (int64_t k = 0; k < b.i && out.size() < kMaxOutput; ++k) out += a.s;
            return Value::str(std::move(out));
        }
        if (!a.is_number() || !b.is_number()) fail("unsupported operands for " + op + ": " + repr(a) + ", " + repr(b));
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
            const int64_t p = a.kind == Value::Bool ? a.b : a.i, q = b.kind == Value::Bool ? b.b : b.i;
            if (op == "+") return Value::integer(p + q);
            if (op == "-") return Value::integer(p - q);
            if (op == "*") return Value::integer(p * q);
            if (q == 0) fail("division by zero");
            const int64_t d = p / q - ((p % q != 0) && ((p < 0) != (q < 0))); // Python floors
            if (op == "//") return Value::integer(d);
            if (op == "%") return Value::integer(p - d * q);
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
        if (f == "raise_exception") fail("template error: " + (args.empty() ? std::string() : to_str(args[0])));
        if (f == "namespace") {
            Dict d;
            for (const auto& [k, v] : e.kwargs) d.emplace_back(k, eval(*v));
            return Value::of_dict(std::move(d));
        }
        if (f == "range") {
            int64_t begin = 0, end = 0, step = 1;
            if (args.size() == 1) end = args[0].i;
            else if (args.size() >= 2) { begin = args[0].i; end = args[1].i; if (args.size() > 2) step = args[2].i; }
            if (step == 0) fail("range step cannot be zero");
            List out;
            for (int64_t k = begin; step > 0 ? k < end : k > end; k += step) {
                if (out.size() >= kMaxRange) fail("range too long");
                out.push_back(Value::integer(k));
            }
            return Value::of_list(std::move(out));
        }
        if (f == "strftime_now") {
            char buf[128];
            const std::time_t now = std::time(nullptr);
            std::tm tm{};
            localtime_r(&now, &tm);
            const std::string fmt = args.empty() ? std::string("%Y-%m-%d") : to_str(args[0]);
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
            if (k - 1 < args.size()) v = args[k - 1];
            else if (m.defaults[k - 1]) v = eval(*m.defaults[k - 1]);
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

    static Value method(const Value& obj, const std::string& name, const std::vector<Value>& args) {
        auto arg = [&](size_t k) { return k < args.size() ? to_str(args[k]) : std::string(); };
        if (obj.kind == Value::Str) {
            const std::string& s = obj.s;
            const std::string chars = args.empty() || args[0].kind == Value::None ? std::string(kWhitespace) : arg(0);
            if (name == "strip") return Value::str(py_strip(s, chars, true, true));
            if (name == "lstrip") return Value::str(py_strip(s, chars, true, false));
            if (name == "rstrip") return Value::str(py_strip(s, chars, false, true));
            if (name == "upper") return Value::str(ascii_case(s, true));
            if (name == "lower") return Value::str(ascii_case(s, false));
            if (name == "title") return Value::str(title(s));
            if (name == "capitalize") return Value::str(capitalize(s));
            if (name == "startswith") return Value::boolean(s.starts_with(arg(0)));
            if (name == "endswith") return Value::boolean(s.ends_with(arg(0)));
            if (name == "replace") return Value::str(replace_all(s, arg(0), arg(1)));
            if (name == "split") {
                List parts;
                if (args.empty() || args[0].kind == Value::None) {
                    size_t k = 0;
                    while (k < s.size()) {
                        while (k < s.size() && kWhitespace.find(s[k]) != std::string_view::npos) ++k;
                        const size_t b = k;
                        while (k < s.size() && kWhitespace.find(s[k]) == std::string_view::npos) ++k;
                        if (k > b) parts.push_back(Value::str(s.substr(b, k - b)));
                    }
                } else {
                    const std::string sep = arg(0);
                    if (sep.empty()) fail("empty separator");
                    size_t b = 0;
                    for (size_t at; (at = s.find(sep, b)) != std::string::npos; b = at + sep.size())
                        parts.push_back(Value::str(s.substr(b, at - b)));
                    parts.push_back(Value::str(s.substr(b)));
                }
                return Value::of_list(std::move(parts));
            }
        }
        if (obj.kind == Value::DictV) {
            if (name == "items" || name == "keys" || name == "values") {
                List out;
                for (const auto& [k, v] : *obj.dict) {
                    if (name == "items") out.push_back(Value::of_list({Value::str(k), v}));
                    else out.push_back(name == "keys" ? Value::str(k) : v);
                }
                return Value::of_list(std::move(out));
            }
            if (name == "get") {
                const Value* v = obj.find(arg(0));
                return v ? *v : (args.size() > 1 ? args[1] : Value::none());
            }
        }
        if (obj.kind == Value::ListV && name == "append" && args.size() == 1) {
            obj.list->push_back(args[0]);
            return Value::none();
        }
        fail("unknown method " + name);
    }

    Value filter(const Expr& e) {
        const Value in = eval(*e.args[0]);
        const std::vector<Value> args = positional(e, 1);
        const std::string& f = e.name;
        if (f == "trim") return Value::str(py_strip(to_str(in), kWhitespace, true, true));
        if (f == "length" || f == "count") return Value::integer(length(in));
        if (f == "upper") return Value::str(ascii_case(to_str(in), true));
        if (f == "lower") return Value::str(ascii_case(to_str(in), false));
        if (f == "capitalize") return Value::str(capitalize(to_str(in)));
        if (f == "title") return Value::str(title(to_str(in)));
        if (f == "string") return Value::str(to_str(in));
        if (f == "safe" || f == "e" || f == "escape") return in; // no autoescaping in chat templates
        if (f == "int") {
            if (in.is_number()) return Value::integer(int64_t(in.as_double()));
            try { return Value::integer(std::stoll(to_str(in))); } catch (const std::exception&) { return Value::integer(0); }
        }
        if (f == "float") return Value::number(in.is_number() ? in.as_double() : 0.0);
        if (f == "abs") return in.kind == Value::Int ? Value::integer(std::llabs(in.i)) : Value::number(std::fabs(in.as_double()));
        if (f == "first" || f == "last") {
            const List items = iterate(in);
            if (items.empty()) return {};
            return f == "first" ? items.front() : items.back();
        }
        if (f == "list") return Value::of_list(iterate(in));
        if (f == "reverse") {
            if (in.kind == Value::Str) {
                List chars = characters(in.s);
                std::string out;
                for (auto it = chars.rbegin(); it != chars.rend(); ++it) out += it->s;
                return Value::str(std::move(out));
            }
            List items = iterate(in);
            std::reverse(items.begin(), items.end());
            return Value::of_list(std::move(items));
        }
        if (f == "join") {
            const std::string sep = to_str(keyword(e, "d", args, 0, Value::str("")));
            std::string out;
            bool first = true;
            for (const Value& item : iterate(in)) {
                out += (first ? "" : sep) + to_str(item);
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
            return Value::str(replace_all(to_str(in), to_str(args[0]), to_str(args[1])));
        }
        if (f == "tojson") {
            const Value indent = keyword(e, "indent", args, 0);
            std::string out;
            to_json(out, in, indent.kind == Value::Int ? int(std::clamp<int64_t>(indent.i, 0, 16)) : -1, 0);
            return Value::str(std::move(out));
        }
        if (f == "items") return method(in, "items", {});
        if (f == "map") {
            const Value attr = keyword(e, "attribute", {}, 0);
            if (attr.kind != Value::Str) fail("map() is supported with attribute= only");
            List out;
            for (const Value& item : iterate(in)) out.push_back(attribute(item, attr.s));
            return Value::of_list(std::move(out));
        }
        if (f == "selectattr" || f == "rejectattr") {
            if (args.empty()) fail(f + " needs an attribute");
            const std::string attr = to_str(args[0]);
            const std::string test_name = args.size() > 1 ? to_str(args[1]) : std::string();
            List out;
            for (const Value& item : iterate(in)) {
                const Value v = attribute(item, attr);
                bool ok = truthy(v);
                if (test_name == "equalto" || test_name == "eq" || test_name == "==") ok = args.size() > 2 && equal(v, args[2]);
                else if (test_name == "defined") ok = v.kind != Value::Undefined;
                else if (test_name == "undefined") ok = v.kind == Value::Undefined;
                else if (test_name == "none") ok = v.kind == Value::None;
                else if (!test_name.empty()) fail("unsupported test " + test_name + " in " + f);
                if (ok == (f == "selectattr")) out.push_back(item);
            }
            return Value::of_list(std::move(out));
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
        if (t == "equalto" || t == "eq" || t == "sameas") return !args.empty() && equal(v, args[0]);
        if (t == "ne") return args.empty() || !equal(v, args[0]);
        if (t == "in") return !args.empty() && truthy(binary("in", v, args[0]));
        fail("unknown test " + t);
    }

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
    List messages;
    for (const ChatMessage& m : context.messages)
        messages.push_back(Value::of_dict({{"role", Value::str(m.role)}, {"content", Value::str(m.content)}}));
    std::map<std::string, Value, std::less<>> globals = {
        {"messages", Value::of_list(std::move(messages))},
        {"add_generation_prompt", Value::boolean(context.add_generation_prompt)},
        {"bos_token", Value::str(context.bos_token)},
        {"eos_token", Value::str(context.eos_token)},
    };
    if (!context.date_string.empty()) globals["date_string"] = Value::str(context.date_string);
    for (const auto& [name, value] : context.variables)
        globals[name] = std::holds_alternative<bool>(value) ? Value::boolean(std::get<bool>(value))
                                                           : Value::str(std::get<std::string>(value));
    // Functions are called by name; these entries make "is defined" true for them.
    for (const char* f : {"raise_exception", "strftime_now", "namespace", "range"}) globals[f] = Value::str(f);
    std::string out;
    Renderer(std::move(globals)).run(body, out);
    return out;
}

} // namespace kmlm