// Jinja text to trees: the scanner (text and tags, whitespace control), the expression
// parser (precedence climbing) and the statement parser.
#include "jinja_ast.h"

#include <algorithm>
#include <cctype>

namespace kmlm::jinja {
namespace {

// ---- expression tokens -----------------------------------------------------------------

struct Token {
    enum Kind { Name, Number, String, Op, End } kind = End;
    std::string text;
    Value number;
};

std::vector<Token> lex(std::string_view src) {
    std::vector<Token> out;
    size_t p = 0;
    while (p < src.size()) {
        const char c = src[p];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++p;
            continue;
        }
        Token t;
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            const size_t b = p;
            while (p < src.size() && (std::isalnum(static_cast<unsigned char>(src[p])) || src[p] == '_')) ++p;
            t.kind = Token::Name;
            t.text = src.substr(b, p - b);
        } else if (std::isdigit(static_cast<unsigned char>(c))) {
            const size_t b = p;
            bool is_float = false;
            while (p < src.size() && (std::isdigit(static_cast<unsigned char>(src[p])) || src[p] == '.')) {
                if (src[p] == '.') {
                    if (p + 1 >= src.size() || !std::isdigit(static_cast<unsigned char>(src[p + 1]))) break;
                    is_float = true;
                }
                ++p;
            }
            t.kind = Token::Number;
            const std::string digits(src.substr(b, p - b));
            try {
                t.number = is_float ? Value::number(std::stod(digits)) : Value::integer(std::stoll(digits));
            } catch (const std::exception&) {
                fail("bad number " + digits);
            }
        } else if (c == '\'' || c == '"') {
            ++p;
            std::string s;
            while (p < src.size() && src[p] != c) {
                if (src[p] == '\\' && p + 1 < src.size()) {
                    const char e = src[++p];
                    switch (e) {
                    case 'n': s += '\n'; break;
                    case 't': s += '\t'; break;
                    case 'r': s += '\r'; break;
                    default: s += e; break;
                    }
                    ++p;
                } else {
                    s += src[p++];
                }
            }
            if (p >= src.size()) fail("unterminated string");
            ++p;
            t.kind = Token::String;
            t.text = std::move(s);
        } else {
            static const char* two[] = {"==", "!=", "<=", ">=", "//", "**"};
            t.kind = Token::Op;
            for (const char* op : two)
                if (src.substr(p, 2) == op) t.text = op;
            if (t.text.empty()) {
                if (std::string_view("()[]{}.,:|~+-*/%<>=!").find(c) == std::string_view::npos)
                    fail(std::string("unexpected character '") + c + "'");
                t.text = std::string(1, c);
            }
            p += t.text.size();
        }
        out.push_back(std::move(t));
    }
    out.push_back(Token{});
    return out;
}

// Long chains (a.b.c..., x|f|g..., 1+1+1...) grow a tree without nesting in the text: its
// height is checked as it is built, since evaluating and freeing it recurse that deep.
void grow(Expr& parent, const Expr& child) {
    parent.height = std::max(parent.height, child.height + 1);
    if (parent.height > kMaxDepth) limit("expression nested too deeply");
}

void adopt(Expr& parent, ExprP child) {
    grow(parent, *child);
    parent.args.push_back(std::move(child));
}

ExprP make(Expr::Kind k, std::vector<ExprP> args = {}, std::string name = {}) {
    auto e = std::make_shared<Expr>();
    e->kind = k;
    for (const ExprP& a : args) grow(*e, *a);
    e->args = std::move(args);
    e->name = std::move(name);
    return e;
}

class Parser {
    struct Depth { // bounds recursion on hostile input
        int& d;
        explicit Depth(int& depth) : d(depth) {
            if (++d > kMaxDepth) limit("expression nested too deeply");
        }
        ~Depth() { --d; }
    };

public:
    explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

    ExprP expression() { // a if c else b
        Depth d(depth_);
        ExprP e = or_expr();
        if (is_name("if")) {
            ++p_;
            ExprP cond = or_expr();
            ExprP other = is_name("else") ? (++p_, expression()) : make(Expr::Lit);
            return make(Expr::Cond, {cond, e, other});
        }
        return e;
    }
    ExprP expression_no_cond() { return or_expr(); } // "for x in xs if c": the if filters
    const Token& peek() const { return t_[p_]; }
    bool at_end() const { return t_[p_].kind == Token::End; }
    bool is_name(std::string_view n) const { return t_[p_].kind == Token::Name && t_[p_].text == n; }
    bool is_op(std::string_view o) const { return t_[p_].kind == Token::Op && t_[p_].text == o; }
    void expect_op(std::string_view o) {
        if (!is_op(o)) fail("expected '" + std::string(o) + "' near '" + t_[p_].text + "'");
        ++p_;
    }
    std::string name() {
        if (t_[p_].kind != Token::Name) fail("expected a name near '" + t_[p_].text + "'");
        return t_[p_++].text;
    }
    void expect_end() {
        if (!at_end()) fail("unexpected '" + t_[p_].text + "'");
    }

private:
    ExprP or_expr() {
        ExprP e = and_expr();
        while (is_name("or")) {
            ++p_;
            e = make(Expr::Or, {e, and_expr()});
        }
        return e;
    }
    ExprP and_expr() {
        ExprP e = not_expr();
        while (is_name("and")) {
            ++p_;
            e = make(Expr::And, {e, not_expr()});
        }
        return e;
    }
    ExprP not_expr() {
        if (is_name("not")) {
            Depth d(depth_);
            ++p_;
            return make(Expr::Not, {not_expr()});
        }
        return comparison();
    }
    ExprP comparison() {
        ExprP e = concat();
        for (;;) {
            if (is_op("==") || is_op("!=") || is_op("<") || is_op(">") || is_op("<=") || is_op(">=")) {
                const std::string op = t_[p_++].text;
                e = make(Expr::Binary, {e, concat()}, op);
            } else if (is_name("in") || (is_name("not") && t_[p_ + 1].kind == Token::Name && t_[p_ + 1].text == "in")) {
                const bool neg = is_name("not");
                p_ += neg ? 2 : 1;
                e = make(Expr::Binary, {e, concat()}, "in");
                e->negate = neg;
            } else if (is_name("is")) {
                ++p_;
                const bool neg = is_name("not");
                if (neg) ++p_;
                ExprP test = make(Expr::Test, {e}, name());
                test->negate = neg;
                // one argument without parentheses: "is equalto 'x'", or in parentheses
                if (is_op("("))
                    call_args(*test);
                else if (peek().kind == Token::String || peek().kind == Token::Number)
                    adopt(*test, primary());
                e = test;
            } else {
                return e;
            }
        }
    }
    ExprP concat() {
        ExprP e = additive();
        while (is_op("~")) {
            ++p_;
            e = make(Expr::Binary, {e, additive()}, "~");
        }
        return e;
    }
    ExprP additive() {
        ExprP e = multiplicative();
        while (is_op("+") || is_op("-")) {
            const std::string op = t_[p_++].text;
            e = make(Expr::Binary, {e, multiplicative()}, op);
        }
        return e;
    }
    ExprP multiplicative() {
        ExprP e = power();
        while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
            const std::string op = t_[p_++].text;
            e = make(Expr::Binary, {e, power()}, op);
        }
        return e;
    }
    ExprP power() { // as Jinja: left to right, after unary minus (-2 ** 2 is 4)
        ExprP e = unary();
        while (is_op("**")) {
            ++p_;
            e = make(Expr::Binary, {e, unary()}, "**");
        }
        return e;
    }
    ExprP unary() {
        if (is_op("-")) {
            Depth d(depth_);
            ++p_;
            return make(Expr::Neg, {unary()});
        }
        if (is_op("+")) {
            ++p_;
            return unary();
        }
        return filtered();
    }
    ExprP filtered() {
        ExprP e = postfix();
        while (is_op("|")) {
            ++p_;
            ExprP f = make(Expr::Filter, {e}, name());
            if (is_op("(")) call_args(*f);
            e = f;
        }
        return e;
    }
    void call_args(Expr& call) {
        expect_op("(");
        while (!is_op(")")) {
            if (t_[p_].kind == Token::Name && t_[p_ + 1].kind == Token::Op && t_[p_ + 1].text == "=") {
                std::string key = name();
                ++p_;
                ExprP value = expression();
                grow(call, *value);
                call.kwargs.emplace_back(std::move(key), std::move(value));
            } else {
                adopt(call, expression());
            }
            if (!is_op(")")) expect_op(",");
        }
        ++p_;
    }
    ExprP postfix() {
        ExprP e = primary();
        for (;;) {
            if (is_op(".")) {
                ++p_;
                e = make(Expr::Attr, {e}, name());
            } else if (is_op("[")) {
                ++p_;
                ExprP a = is_op(":") ? make(Expr::Lit) : expression();
                if (is_op(":")) {
                    ++p_;
                    ExprP b = (is_op("]") || is_op(":")) ? make(Expr::Lit) : expression();
                    ExprP step = make(Expr::Lit);
                    if (is_op(":")) {
                        ++p_;
                        if (!is_op("]")) step = expression();
                    }
                    e = make(Expr::Slice, {e, a, b, step});
                } else {
                    e = make(Expr::Index, {e, a});
                }
                expect_op("]");
            } else if (is_op("(")) {
                ExprP c = make(Expr::Call, {e});
                call_args(*c);
                e = c;
            } else {
                return e;
            }
        }
    }
    ExprP primary() {
        Depth d(depth_);
        const Token& t = t_[p_];
        if (t.kind == Token::Number) {
            ++p_;
            auto e = make(Expr::Lit);
            e->value = t.number;
            return e;
        }
        if (t.kind == Token::String) {
            std::string s;
            while (t_[p_].kind == Token::String) s += t_[p_++].text; // adjacent literals join
            auto e = make(Expr::Lit);
            e->value = Value::str(std::move(s));
            return e;
        }
        if (t.kind == Token::Name) {
            ++p_;
            auto e = make(Expr::Lit);
            if (t.text == "true" || t.text == "True")
                e->value = Value::boolean(true);
            else if (t.text == "false" || t.text == "False")
                e->value = Value::boolean(false);
            else if (t.text == "none" || t.text == "None")
                e->value = Value::none();
            else
                return make(Expr::Var, {}, t.text);
            return e;
        }
        if (is_op("(")) {
            ++p_;
            ExprP e = expression();
            if (is_op(",")) { // a tuple: a list will do
                ExprP list = make(Expr::ListLit, {e});
                while (is_op(",")) {
                    ++p_;
                    if (!is_op(")")) adopt(*list, expression());
                }
                e = list;
            }
            expect_op(")");
            return e;
        }
        if (is_op("[")) {
            ++p_;
            ExprP list = make(Expr::ListLit);
            while (!is_op("]")) {
                adopt(*list, expression());
                if (!is_op("]")) expect_op(",");
            }
            ++p_;
            return list;
        }
        if (is_op("{")) {
            ++p_;
            ExprP dict = make(Expr::DictLit);
            while (!is_op("}")) {
                adopt(*dict, expression());
                expect_op(":");
                adopt(*dict, expression());
                if (!is_op("}")) expect_op(",");
            }
            ++p_;
            return dict;
        }
        fail("unexpected '" + t.text + "'");
    }

    std::vector<Token> t_;
    size_t p_ = 0;
    int depth_ = 0;
};

struct Piece {
    enum Kind { Text, Expr, Stmt } kind;
    std::string text;
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Splits the source into text, {{ }} and {% %} pieces, applying "-" trimming, trim_blocks
// and lstrip_blocks (comments vanish).
std::vector<Piece> scan(std::string_view src) {
    std::vector<Piece> pieces;
    bool strip_next = false, trim_newline = false;
    size_t p = 0;
    for (;;) {
        size_t open = src.find('{', p);
        while (open != std::string_view::npos && open + 1 < src.size() && src[open + 1] != '{' && src[open + 1] != '%' &&
               src[open + 1] != '#')
            open = src.find('{', open + 1);
        if (open + 1 >= src.size()) open = std::string_view::npos;
        std::string text(src.substr(p, open == std::string_view::npos ? std::string_view::npos : open - p));
        if (trim_newline && !text.empty()) {
            if (text[0] == '\n')
                text.erase(0, 1);
            else if (text.compare(0, 2, "\r\n") == 0)
                text.erase(0, 2);
        }
        if (strip_next) {
            size_t k = 0;
            while (k < text.size() && is_space(text[k])) ++k;
            text.erase(0, k);
        }
        if (open == std::string_view::npos) {
            if (!text.empty()) pieces.push_back({Piece::Text, text});
            return pieces;
        }
        const char kind = src[open + 1];
        size_t inner = open + 2;
        const bool strip_before = inner < src.size() && src[inner] == '-';
        const bool keep_before = inner < src.size() && src[inner] == '+';
        if (strip_before || keep_before) ++inner;
        if (strip_before) {
            while (!text.empty() && is_space(text.back())) text.pop_back();
        } else if (kind != '{' && !keep_before) {
            // lstrip_blocks: a block tag alone on its line takes the line's indentation away.
            size_t line_start = open;
            while (line_start > 0 && (src[line_start - 1] == ' ' || src[line_start - 1] == '\t')) --line_start;
            if (line_start == 0 || src[line_start - 1] == '\n')
                for (size_t k = line_start; k < open && !text.empty() && (text.back() == ' ' || text.back() == '\t'); ++k) text.pop_back();
        }
        if (!text.empty()) pieces.push_back({Piece::Text, text});
        // Find the closer, skipping string literals inside the tag.
        const std::string closer = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
        size_t q = inner;
        char quote = 0;
        for (; q < src.size(); ++q) {
            if (kind == '#') {
                q = src.find(closer, q);
                break;
            }
            if (quote) {
                if (src[q] == '\\')
                    ++q;
                else if (src[q] == quote)
                    quote = 0;
                continue;
            }
            if (src[q] == '\'' || src[q] == '"') {
                quote = src[q];
                continue;
            }
            if (src.compare(q, 2, closer) == 0) break;
        }
        if (q == std::string_view::npos || q >= src.size()) fail("unclosed tag");
        size_t content_end = q;
        strip_next = content_end > inner && src[content_end - 1] == '-';
        const bool keep_after = content_end > inner && src[content_end - 1] == '+';
        if (strip_next || keep_after) --content_end;
        trim_newline = kind != '{' && !keep_after;
        if (kind != '#') pieces.push_back({kind == '{' ? Piece::Expr : Piece::Stmt, std::string(src.substr(inner, content_end - inner))});
        p = q + 2;
    }
}

class TemplateParser {
public:
    explicit TemplateParser(std::vector<Piece> pieces) : pieces_(std::move(pieces)) {}

    Body parse_all() {
        Body body = parse_until({});
        if (i_ < pieces_.size()) fail("unexpected {% " + keyword_ + " %}");
        return body;
    }

private:
    // Parses nodes until a statement whose keyword is in stops (left in keyword_/parser_).
    Body parse_until(std::initializer_list<std::string_view> stops) {
        if (++depth_ > kMaxDepth) limit("blocks nested too deeply");
        Body body;
        while (i_ < pieces_.size()) {
            const Piece& piece = pieces_[i_];
            if (piece.kind == Piece::Text) {
                body.push_back(Node{Node::Text, piece.text, {}, {}, {}, {}, {}, {}, {}});
                ++i_;
                continue;
            }
            parser_ = std::make_unique<Parser>(lex(piece.text));
            if (piece.kind == Piece::Expr) {
                Node n{Node::Output, {}, parser_->expression(), {}, {}, {}, {}, {}, {}};
                parser_->expect_end();
                body.push_back(std::move(n));
                ++i_;
                continue;
            }
            keyword_ = parser_->name();
            for (std::string_view s : stops)
                if (keyword_ == s) {
                    --depth_;
                    return body;
                }
            ++i_;
            if (keyword_ == "if")
                body.push_back(parse_if());
            else if (keyword_ == "for")
                body.push_back(parse_for());
            else if (keyword_ == "set")
                body.push_back(parse_set());
            else if (keyword_ == "break" || keyword_ == "continue")
                body.push_back(parse_loop_control());
            else if (keyword_ == "macro")
                body.push_back(parse_macro());
            else if (keyword_ == "generation" || keyword_ == "endgeneration")
                continue; // training markers
            else
                fail("unsupported {% " + keyword_ + " %}");
        }
        if (stops.size() != 0) fail("missing {% end... %}");
        --depth_;
        return body;
    }

    Node parse_if() {
        Node n{Node::If, {}, {}, {}, {}, {}, {}, {}, {}};
        ExprP cond = parser_->expression();
        parser_->expect_end();
        for (;;) {
            Body body = parse_until({"elif", "else", "endif"});
            n.branches.emplace_back(cond, std::move(body));
            const std::string kw = keyword_;
            ++i_;
            if (kw == "endif") return n;
            if (kw == "else") {
                parser_->expect_end();
                n.branches.emplace_back(nullptr, parse_until({"endif"}));
                ++i_;
                return n;
            }
            cond = parser_->expression(); // elif
            parser_->expect_end();
        }
    }

    Node parse_for() {
        Node n{Node::For, {}, {}, {}, {}, {}, {}, {}, {}};
        n.vars.push_back(parser_->name());
        while (parser_->is_op(",")) {
            parser_->expect_op(",");
            n.vars.push_back(parser_->name());
        }
        if (parser_->name() != "in") fail("expected 'in' in for");
        n.expr = parser_->expression_no_cond();
        if (parser_->is_name("if")) {
            parser_->name();
            n.filter = parser_->expression();
        }
        if (parser_->is_name("recursive")) fail("unsupported recursive loop");
        parser_->expect_end();
        ++loops_;
        n.body = parse_until({"else", "endfor"});
        --loops_;
        if (keyword_ == "else") {
            ++i_;
            n.else_body = parse_until({"endfor"});
        }
        ++i_;
        return n;
    }

    Node parse_set() {
        Node n{Node::Set, {}, {}, {}, {}, {}, {}, {}, {}};
        n.vars.push_back(parser_->name());
        if (parser_->is_op(".")) {
            parser_->expect_op(".");
            n.vars.push_back(parser_->name());
        }
        if (!parser_->is_op("=")) { // {% set x %}text{% endset %}
            parser_->expect_end();
            n.body = parse_until({"endset"});
            ++i_;
            return n;
        }
        parser_->expect_op("=");
        n.expr = parser_->expression();
        parser_->expect_end();
        return n;
    }

    // {% macro name(a, b=default) %}body{% endmacro %}
    Node parse_macro() {
        Node n{Node::Macro, {}, {}, {}, {}, {}, {}, {}, {}};
        n.vars.push_back(parser_->name());
        parser_->expect_op("(");
        while (!parser_->is_op(")")) {
            n.vars.push_back(parser_->name());
            ExprP fallback;
            if (parser_->is_op("=")) {
                parser_->expect_op("=");
                fallback = parser_->expression();
            }
            n.defaults.push_back(fallback);
            if (!parser_->is_op(")")) parser_->expect_op(",");
        }
        parser_->expect_op(")");
        parser_->expect_end();
        const int loops = std::exchange(loops_, 0); // a macro's body is outside any loop
        n.body = parse_until({"endmacro"});
        loops_ = loops;
        ++i_;
        return n;
    }

    Node parse_loop_control() { // loopcontrols, which the model hubs enable
        parser_->expect_end();
        if (loops_ == 0) fail("{% " + keyword_ + " %} outside a loop");
        return Node{keyword_ == "break" ? Node::Break : Node::Continue, {}, {}, {}, {}, {}, {}, {}, {}};
    }

    std::vector<Piece> pieces_;
    size_t i_ = 0;
    int depth_ = 0;
    int loops_ = 0; // for-loop bodies being parsed
    std::string keyword_;
    std::unique_ptr<Parser> parser_;
};

} // namespace

Body parse(std::string_view source) { return TemplateParser(scan(source)).parse_all(); }

} // namespace kmlm::jinja
