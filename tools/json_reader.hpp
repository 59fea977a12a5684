// Strict JSON reading for the tool's inputs (scenarios, the serve config,
// API request bodies): every key known, every value checked, and every error
// naming the JSON path of the offending value ("network.ring_s.mean").
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "outbound/campaign.hpp"
#include "outbound/sim.hpp"
#include "outbound/treatment.hpp"

namespace outbound::cli {

/// A value that is wrong, with its JSON path; callers add what the document is.
class JsonPathError : public std::runtime_error {
 public:
  /// An error at `path` ("" for the top level) saying `what`.
  JsonPathError(std::string path, const std::string& what)
      : std::runtime_error(what), path_(path.empty() ? "(top level)" : std::move(path)) {}
  /// The JSON path of the offending value.
  const std::string& path() const noexcept { return path_; }

 private:
  std::string path_;
};

/// Throws JsonPathError(path, what).
[[noreturn]] void bad(const std::string& path, const std::string& what);
/// "parent.key", or "key" at the top level.
std::string join(const std::string& path, const std::string& key);
/// Throws unless `obj` is an object whose keys are all in `allowed`.
void only_keys(const nlohmann::json& obj, const std::string& path, std::initializer_list<const char*> allowed);
/// Throws unless `obj` has `key`.
void require(const nlohmann::json& obj, const char* key, const std::string& path);
/// obj[key] as a number in [lo, hi], or `fallback` when absent.
double number(const nlohmann::json& obj, const char* key, const std::string& path, double fallback, double lo, double hi);
/// obj[key] as a whole number in [lo, hi], or `fallback` when absent.
long long integer(const nlohmann::json& obj, const char* key, const std::string& path, long long fallback, long long lo,
                  long long hi);
/// obj[key] as a string, or `fallback` when absent.
std::string text(const nlohmann::json& obj, const char* key, const std::string& path, const std::string& fallback);
/// obj[key] as true or false, or `fallback` when absent.
bool boolean(const nlohmann::json& obj, const char* key, const std::string& path, bool fallback);

/// A distribution {"dist", "mean", "sd"} at obj[key], or `fallback` when absent.
sim::Distribution distribution(const nlohmann::json& obj, const char* key, const std::string& path, sim::Distribution fallback);
/// A network model object at `path` over `base` (keys it names replace base's).
sim::NetworkModel network(const nlohmann::json& obj, const std::string& path, sim::NetworkModel base);
/// A treatment array: [{"result", "action", "sequence", "cycle_attempts",
/// "interval_min", "increment_min", "date_utc", "group_id", "call_action",
/// "destination", "id", "name"}]; the set's own checks are reported at `path`.
TreatmentSet treatments(const nlohmann::json& arr, const std::string& path);
/// obj["contact_limits"]: [{"max_calls": N, "window_h": H}, …]; empty when absent.
std::vector<ContactLimit> contact_limits(const nlohmann::json& obj, const std::string& path);
/// obj["no_call_days"]: ["2026-12-25", "sun", "America/New_York:2026-07-04", …] (the campaign checks each).
std::vector<std::string> no_call_days(const nlohmann::json& obj, const std::string& path);
/// "2026-03-08T13:00:00Z" as epoch seconds; throws JsonPathError at `path`.
EpochSeconds parse_utc_text(const std::string& iso, const std::string& path);

/// Parses JSON text; a syntax error is a JsonPathError at the top level.
nlohmann::json parse_json_text(const std::string& text);

}  // namespace outbound::cli
