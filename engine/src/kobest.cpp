// KoBEST's five tasks as lm-evaluation-harness formulates them (lm_eval/tasks/kobest:
// kobest_*.yaml and utils.py), its few-shot sampler and its metrics. See kmlm/kobest.h.
#include "kmlm/kobest.h"

#include "kmlm/error.h"
#include "kmlm/loglik.h"
#include "kmlm/utf8.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace kmlm {
namespace {

struct TaskDesc {
    KobestTask task;
    std::string_view name, dir;
};
constexpr std::array kTasks = {
    TaskDesc{KobestTask::BoolQ, "boolq", "BoolQ"},
    TaskDesc{KobestTask::Copa, "copa", "COPA"},
    TaskDesc{KobestTask::HellaSwag, "hellaswag", "HellaSwag"},
    TaskDesc{KobestTask::SentiNeg, "sentineg", "SentiNeg"},
    TaskDesc{KobestTask::WiC, "wic", "WiC"},
};

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> fields;
    size_t pos = 0;
    while (true) {
        const size_t tab = line.find('\t', pos);
        fields.push_back(line.substr(pos, tab == std::string_view::npos ? std::string_view::npos : tab - pos));
        if (tab == std::string_view::npos) break;
        pos = tab + 1;
    }
    return fields;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// One row of the file, fields looked up by header name.
class Row {
public:
    Row(const std::map<std::string, size_t>& columns, std::vector<std::string_view> fields, const std::string& where)
        : columns_(columns), fields_(std::move(fields)), where_(where) {}
    std::string_view operator[](std::string_view column) const { return fields_[columns_.at(lower(column))]; }
    [[noreturn]] void fail(std::string_view column, std::string_view why) const {
        throw FormatError(where_ + ": column '" + std::string(column) + "' " + std::string(why));
    }
    // "True"/"TRUE"/"False"/... -> 1/0
    int boolean(std::string_view column) const {
        const std::string v = lower(trim((*this)[column]));
        if (v == "true") return 1;
        if (v == "false") return 0;
        fail(column, "is '" + std::string((*this)[column]) + "', expected True or False");
    }
    // An integer label in [lo, hi].
    int integer(std::string_view column, int lo, int hi) const {
        const std::string_view v = trim((*this)[column]);
        int n = 0;
        bool ok = !v.empty() && v.size() < 4;
        for (char c : v) ok = ok && std::isdigit(static_cast<unsigned char>(c));
        if (ok)
            for (char c : v) n = n * 10 + (c - '0');
        if (!ok || n < lo || n > hi)
            fail(column, "is '" + std::string(v) + "', expected " + std::to_string(lo) + ".." + std::to_string(hi));
        return n;
    }

private:
    const std::map<std::string, size_t>& columns_;
    std::vector<std::string_view> fields_;
    const std::string& where_;
};

std::vector<std::string_view> required_columns(KobestTask task) {
    switch (task) {
    case KobestTask::BoolQ: return {"Text", "Question", "Answer"};
    case KobestTask::Copa: return {"sentence", "question", "1", "2", "Answer"};
    case KobestTask::HellaSwag: return {"context", "choice1", "choice2", "choice3", "choice4", "label"};
    case KobestTask::SentiNeg: return {"Text", "Label"};
    case KobestTask::WiC: return {"Target", "SENTENCE1", "SENTENCE2", "ANSWER"};
    }
    return {};
}

// doc_to_text / doc_to_choice / the gold index of each task (the harness's yaml and utils.py).
KobestDoc make_doc(KobestTask task, const Row& r) {
    KobestDoc d;
    const auto s = [&](std::string_view column) { return std::string(r[column]); };
    switch (task) {
    case KobestTask::BoolQ:
        d.text = s("Text") + " 질문: " + s("Question") + " 답변: ";
        d.choices = {"아니오", "예"};
        d.gold = r.boolean("Answer");
        break;
    case KobestTask::Copa: {
        const std::string_view q = trim(r["question"]);
        std::string connector;
        if (q == "원인")
            connector = " 왜냐하면";
        else if (q == "결과")
            connector = " 그래서";
        else
            r.fail("question", "is '" + std::string(q) + "', expected 원인 or 결과");
        d.text = s("sentence") + " " + connector;
        d.choices = {s("1"), s("2")};
        d.gold = r.integer("Answer", 1, 2) - 1;
        break;
    }
    case KobestTask::HellaSwag:
        d.text = "문장: " + s("context");
        d.choices = {s("choice1"), s("choice2"), s("choice3"), s("choice4")};
        d.gold = r.integer("label", 0, 3);
        break;
    case KobestTask::SentiNeg:
        d.text = "문장: " + s("Text") + " 긍부정:";
        d.choices = {"부정", "긍정"};
        d.gold = r.integer("Label", 0, 1);
        break;
    case KobestTask::WiC:
        d.text = "문장1: " + s("SENTENCE1") + " 문장2: " + s("SENTENCE2") + " 두 문장에서 " + s("Target") + "가 같은 뜻으로 쓰였나?";
        d.choices = {"아니오", "예"};
        d.gold = r.boolean("ANSWER");
        break;
    }
    return d;
}

} // namespace

KobestTask parse_kobest_task(std::string_view name) {
    const std::string n = lower(trim(name));
    for (const auto& t : kTasks)
        if (t.name == n) return t.task;
    throw InvalidArgument("unknown KoBEST task '" + std::string(name) + "' (known: boolq, copa, hellaswag, sentineg, wic)");
}

std::string_view kobest_task_name(KobestTask task) {
    for (const auto& t : kTasks)
        if (t.task == task) return t.name;
    return "?";
}

std::string_view kobest_task_dir(KobestTask task) {
    for (const auto& t : kTasks)
        if (t.task == task) return t.dir;
    return "?";
}

std::vector<KobestDoc> read_kobest_tsv(KobestTask task, std::string_view tsv, const std::string& source) {
    require_valid_utf8(tsv, source);
    if (tsv.substr(0, 3) == "\xEF\xBB\xBF") tsv.remove_prefix(3);
    std::vector<std::string_view> lines;
    for (size_t pos = 0; pos < tsv.size();) {
        size_t nl = tsv.find('\n', pos);
        if (nl == std::string_view::npos) nl = tsv.size();
        std::string_view line = tsv.substr(pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        pos = nl + 1;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    if (lines.empty()) throw FormatError(source + ": empty file (expected a header row)");
    std::map<std::string, size_t> columns;
    const auto header = split_tabs(lines[0]);
    for (size_t i = 0; i < header.size(); ++i) columns.emplace(lower(trim(header[i])), i);
    for (std::string_view c : required_columns(task))
        if (!columns.count(lower(c)))
            throw FormatError(source + ": no column '" + std::string(c) + "' in the header (is this a " +
                              std::string(kobest_task_dir(task)) + " file?)");
    std::vector<KobestDoc> docs;
    for (size_t i = 1; i < lines.size(); ++i) {
        const std::string where = source + ":" + std::to_string(i + 1);
        auto fields = split_tabs(lines[i]);
        if (fields.size() < header.size())
            throw FormatError(where + ": " + std::to_string(fields.size()) + " fields, the header has " + std::to_string(header.size()));
        docs.push_back(make_doc(task, Row(columns, std::move(fields), where)));
    }
    if (docs.empty()) throw FormatError(source + ": no rows after the header");
    return docs;
}

std::vector<KobestDoc> read_kobest_file(KobestTask task, const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IoError("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return read_kobest_tsv(task, s.str(), path.string());
}

// ---- Python's random -----------------------------------------------------------------------

PyRandom::PyRandom(uint32_t seed) {
    // init_genrand(19650218), then init_by_array({seed}) as CPython's random_seed() does for a
    // non-negative int below 2^32.
    mt_[0] = 19650218u;
    for (int i = 1; i < 624; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + uint32_t(i);
    const uint32_t key[1] = {seed};
    int i = 1, j = 0;
    for (int k = 624; k > 0; --k) {
        mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] + uint32_t(j);
        ++i;
        j = 0; // one key word
        if (i >= 624) {
            mt_[0] = mt_[623];
            i = 1;
        }
    }
    for (int k = 623; k > 0; --k) {
        mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - uint32_t(i);
        ++i;
        if (i >= 624) {
            mt_[0] = mt_[623];
            i = 1;
        }
    }
    mt_[0] = 0x80000000u;
    index_ = 624;
}

uint32_t PyRandom::next_u32() {
    if (index_ >= 624) {
        for (int k = 0; k < 624; ++k) {
            const uint32_t y = (mt_[k] & 0x80000000u) | (mt_[(k + 1) % 624] & 0x7fffffffu);
            mt_[k] = mt_[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        index_ = 0;
    }
    uint32_t y = mt_[index_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint32_t PyRandom::below(uint32_t n) {
    // _randbelow_with_getrandbits: getrandbits(n.bit_length()) until below n.
    int bits = 0;
    while (bits < 32 && (uint64_t(1) << bits) <= n) ++bits;
    while (true) {
        const uint32_t r = bits == 0 ? 0 : next_u32() >> (32 - bits);
        if (r < n) return r;
    }
}

std::vector<size_t> PyRandom::sample(size_t n, size_t k) {
    if (k > n) throw InvalidArgument("sample larger than population");
    std::vector<size_t> result(k);
    size_t setsize = 21;
    if (k > 5) setsize += size_t(std::pow(4.0, std::ceil(std::log(double(k * 3)) / std::log(4.0))));
    if (n <= setsize) {
        std::vector<size_t> pool(n);
        for (size_t i = 0; i < n; ++i) pool[i] = i;
        for (size_t i = 0; i < k; ++i) {
            const size_t j = below(uint32_t(n - i));
            result[i] = pool[j];
            pool[j] = pool[n - i - 1];
        }
    } else {
        std::set<size_t> selected;
        for (size_t i = 0; i < k; ++i) {
            size_t j = below(uint32_t(n));
            while (selected.count(j)) j = below(uint32_t(n));
            selected.insert(j);
            result[i] = j;
        }
    }
    return result;
}

// ---- prompts, scoring, metrics -------------------------------------------------------------

std::string kobest_context(const KobestDoc& doc, const std::vector<const KobestDoc*>& examples) {
    std::string out;
    for (const KobestDoc* e : examples) out += e->text + " " + e->choices[size_t(e->gold)] + "\n\n";
    return out + doc.text;
}

double macro_f1(const std::vector<int>& gold, const std::vector<int>& pred) {
    if (gold.size() != pred.size()) throw InvalidArgument("macro_f1: gold and pred differ in length");
    std::set<int> labels(gold.begin(), gold.end());
    labels.insert(pred.begin(), pred.end());
    if (labels.empty()) return 0;
    double sum = 0;
    for (int label : labels) {
        size_t tp = 0, fp = 0, fn = 0;
        for (size_t i = 0; i < gold.size(); ++i) {
            if (pred[i] == label && gold[i] == label)
                ++tp;
            else if (pred[i] == label)
                ++fp;
            else if (gold[i] == label)
                ++fn;
        }
        const size_t denom = 2 * tp + fp + fn;
        sum += denom ? 2.0 * double(tp) / double(denom) : 0.0;
    }
    return sum / double(labels.size());
}

KobestMetrics kobest_metrics(const std::vector<KobestItem>& items) {
    KobestMetrics m;
    m.n = items.size();
    if (items.empty()) return m;
    std::vector<int> gold, pred;
    size_t right = 0, right_norm = 0;
    for (const auto& it : items) {
        gold.push_back(it.gold);
        pred.push_back(it.pred);
        right += it.pred == it.gold;
        right_norm += it.pred_norm == it.gold;
    }
    m.acc = double(right) / double(items.size());
    m.acc_norm = double(right_norm) / double(items.size());
    m.macro_f1 = macro_f1(gold, pred);
    return m;
}

KobestResult run_kobest(LanguageModel& model, KobestTask task, const std::vector<KobestDoc>& docs, const std::vector<KobestDoc>& train,
                        const KobestOptions& options) {
    if (options.shots > train.size())
        throw InvalidArgument(std::to_string(options.shots) + " shots asked, but the train split has " + std::to_string(train.size()) +
                              " docs");
    KobestResult result;
    result.task = task;
    PyRandom rnd(options.seed);
    const Tokenizer& tok = model.tokenizer();
    const size_t total = options.limit ? std::min(options.limit, docs.size()) : docs.size();
    for (size_t di = 0; di < total; ++di) {
        const KobestDoc& doc = docs[di];
        std::vector<const KobestDoc*> examples;
        if (options.shots > 0)
            for (size_t i : rnd.sample(train.size(), options.shots)) examples.push_back(&train[i]);
        const std::string context = kobest_context(doc, examples);
        // Every choice shares the context's tokens: encode_pair gives the same context
        // encoding for each, so the context is evaluated once.
        std::vector<int32_t> ctx;
        std::vector<std::vector<int32_t>> conts;
        for (const auto& choice : doc.choices) {
            TokenPair p = encode_pair(tok, context, " " + choice, options.add_bos);
            ctx = std::move(p.context);
            conts.push_back(std::move(p.continuation));
        }
        if (ctx.empty()) ctx.push_back(tok.bos() >= 0 ? tok.bos() : tok.eos());
        KobestItem item;
        const size_t before = ctx.size();
        fit_context(ctx, conts, model.context_length());
        item.truncated = ctx.size() != before;
        item.context_tokens = ctx.size();
        const auto scores = score_continuations(model, ctx, conts);
        double best = -INFINITY, best_norm = -INFINITY;
        for (size_t c = 0; c < scores.size(); ++c) {
            item.log_likelihoods.push_back(scores[c].log_likelihood);
            item.tokens.push_back(scores[c].tokens);
            const double norm = scores[c].log_likelihood / double(std::max<size_t>(1, count_code_points(doc.choices[c])));
            if (scores[c].log_likelihood > best) {
                best = scores[c].log_likelihood;
                item.pred = int(c);
            }
            if (norm > best_norm) {
                best_norm = norm;
                item.pred_norm = int(c);
            }
        }
        item.gold = doc.gold;
        result.items.push_back(std::move(item));
        if (options.progress) options.progress(di + 1, total);
    }
    result.metrics = kobest_metrics(result.items);
    return result;
}

} // namespace kmlm
