// Validation of SQL that comes from configuration (table names, filters, orders).
// A filter is accepted only if every token is a known column, a literal, an
// operator or one of a few keywords: no statements, comments, function calls or
// subqueries can get through, so configuration cannot inject SQL.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "outbound/calling_list.hpp"
#include "outbound/error.hpp"

namespace outbound {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool is_column(const std::string& word, const std::vector<std::string>& columns) {
  auto w = lower(word);
  return std::any_of(columns.begin(), columns.end(), [&](const auto& c) { return lower(c) == w; });
}

bool is_filter_keyword(const std::string& word) {
  static const std::array<const char*, 10> kKeywords = {"and", "or",      "not",  "in",   "is",
                                                         "null", "like", "between", "true", "false"};
  auto w = lower(word);
  return std::any_of(kKeywords.begin(), kKeywords.end(), [&](const char* k) { return w == k; });
}

// Far beyond any real filter, and within what both databases parse: SQLite
// refuses expressions deeper than 1000, PostgreSQL runs out of stack sooner or later.
constexpr std::size_t kMaxFilterLength = 4096;
constexpr int kMaxFilterDepth = 64;

[[noreturn]] void reject(const std::string& what, const std::string& text, std::size_t pos) {
  const std::string shown = text.size() > 200 ? text.substr(0, 200) + "…" : text;
  throw Error(ErrorCode::invalid_argument,
              what + " at offset " + std::to_string(pos) + " in \"" + shown + "\"");
}

std::size_t skip_string_literal(const std::string& s, std::size_t i) {
  std::size_t start = i++;
  for (; i < s.size(); ++i) {
    if (s[i] == '\\') reject("backslash in a string literal is not allowed", s, i);
    if (s[i] == '\'') {
      if (i + 1 < s.size() && s[i + 1] == '\'') {
        ++i;
        continue;
      }
      return i + 1;
    }
  }
  reject("unterminated string literal", s, start);
}

// Digits, then at most one decimal point and digits ("1.2.3" is no number).
std::size_t skip_number(const std::string& s, std::size_t i) {
  auto digits = [&] {
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  };
  digits();
  if (i < s.size() && s[i] == '.') {
    ++i;
    digits();
  }
  if (i < s.size() && (is_ident_char(s[i]) || s[i] == '.')) reject("malformed number", s, i);
  return i;
}

std::size_t skip_operator(const std::string& s, std::size_t i) {
  static const std::array<const char*, 6> kTwoChar = {"<=", ">=", "<>", "!=", "||", "=="};
  for (const char* op : kTwoChar)
    if (s.compare(i, 2, op) == 0) {
      if (std::string(op) == "||") reject("operator || is not allowed", s, i);
      return i + 2;
    }
  if (std::string("=<>+-*/,").find(s[i]) != std::string::npos) {
    if (s[i] == '-' && i + 1 < s.size() && s[i + 1] == '-') reject("SQL comment", s, i);
    if (s[i] == '/' && i + 1 < s.size() && s[i + 1] == '*') reject("SQL comment", s, i);
    return i + 1;
  }
  reject(std::string("character '") + s[i] + "' is not allowed", s, i);
}

}  // namespace

bool is_safe_identifier(const std::string& name) noexcept {
  if (name.empty() || name.size() > 63 || !is_ident_start(name[0])) return false;
  return std::all_of(name.begin(), name.end(), is_ident_char);
}

void check_safe_condition(const std::string& cond, const std::vector<std::string>& columns) {
  if (cond.size() > kMaxFilterLength)
    reject("a filter longer than " + std::to_string(kMaxFilterLength) + " characters", cond, kMaxFilterLength);
  int depth = 0;
  std::size_t i = 0;
  while (i < cond.size()) {
    char c = cond[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (is_ident_start(c)) {
      std::size_t start = i;
      while (i < cond.size() && is_ident_char(cond[i])) ++i;
      std::string word = cond.substr(start, i - start);
      if (!is_filter_keyword(word) && !is_column(word, columns))
        reject("\"" + word + "\" is neither a column of the list nor an allowed keyword", cond, start);
      std::size_t j = i;
      while (j < cond.size() && std::isspace(static_cast<unsigned char>(cond[j]))) ++j;
      if (j < cond.size() && cond[j] == '(' && !is_filter_keyword(word))
        reject("function calls are not allowed", cond, start);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      i = skip_number(cond, i);
    } else if (c == '\'') {
      i = skip_string_literal(cond, i);
    } else if (c == '(') {
      if (++depth > kMaxFilterDepth) reject("parentheses nested deeper than " + std::to_string(kMaxFilterDepth), cond, i);
      std::size_t j = i + 1;
      while (j < cond.size() && std::isspace(static_cast<unsigned char>(cond[j]))) ++j;
      if (j < cond.size() && cond[j] == ')') reject("empty parentheses (an empty IN list?)", cond, i);
      ++i;
    } else if (c == ')') {
      if (--depth < 0) reject("unbalanced ')'", cond, i);
      ++i;
    } else {
      i = skip_operator(cond, i);
    }
  }
  if (depth != 0) reject("unbalanced '('", cond, cond.size());
}

void check_safe_order(const std::string& order_by, const std::vector<std::string>& columns) {
  // Each item is a column, then at most one ASC or DESC, then a comma or the end.
  enum class Expect { column, direction_or_comma, comma } expect = Expect::column;
  std::size_t i = 0;
  while (i < order_by.size()) {
    char c = order_by[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == ',' && expect != Expect::column) {
      expect = Expect::column;
      ++i;
      continue;
    }
    if (!is_ident_start(c)) reject(std::string("unexpected '") + c + "' in ORDER BY", order_by, i);
    std::size_t start = i;
    while (i < order_by.size() && is_ident_char(order_by[i])) ++i;
    std::string word = lower(order_by.substr(start, i - start));
    if (expect == Expect::column) {
      if (!is_column(word, columns)) reject("\"" + word + "\" is not a column of the list", order_by, start);
      expect = Expect::direction_or_comma;
    } else if (expect == Expect::direction_or_comma && (word == "asc" || word == "desc")) {
      expect = Expect::comma;
    } else {
      reject("expected ',', ASC or DESC", order_by, start);
    }
  }
  if (expect == Expect::column && !order_by.empty()) reject("ORDER BY ends without a column", order_by, i);
}

const std::vector<std::string>& mandatory_columns() {
  static const std::vector<std::string> kColumns = {
      "record_id",  "contact_info", "contact_info_type", "record_type", "record_status", "call_result",
      "attempt",    "dial_sched_time", "call_time",     "daily_from",  "daily_till",    "tz_dbid",
      "campaign_id", "agent_id",    "chain_id",          "chain_n",     "group_id",      "app_id",
      "media_ref",  "email_template_id", "switch_id",   "treatments",  "email_subject"};
  return kColumns;
}

}  // namespace outbound
