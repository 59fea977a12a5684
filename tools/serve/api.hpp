// The HTTP API (/api/v1), the status page and /metrics, independent of the
// HTTP library: a request goes in, and out comes a response, work for the
// engine thread that makes the response, or an event stream to keep open.
// Bodies are parsed and checked here, on the HTTP thread, so a malformed
// request never reaches the engine; the token is checked before anything.
#pragma once

#include <exception>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "dialer.hpp"

namespace outbound::serve {

/// What the API needs of an HTTP request.
struct HttpRequest {
  std::string method;                        ///< "GET", "POST", …
  std::string path;                          ///< "/api/v1/campaigns/spring" (decoded, no query)
  std::map<std::string, std::string> query;  ///< decoded query parameters
  std::string body;                          ///< the body (size already limited)
  std::string authorization;                 ///< the Authorization header
};

/// An HTTP response.
struct HttpResponse {
  int status = 200;                                          ///< status code
  std::string content_type = "application/json";             ///< Content-Type
  std::string body;                                          ///< the body
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra headers
};

/// A server-sent event stream to keep open.
struct EventStream {
  enum class Kind {
    events,  ///< campaign events as they happen
    status,  ///< the status of every campaign, once a second
  } kind = Kind::events;
  std::string campaign;         ///< only this campaign's events ("": all)
  std::set<std::string> kinds;  ///< only these event kinds (empty: all)
};

/// Work for the engine thread; what it returns is the response.
using EngineWork = std::function<HttpResponse()>;
/// What a request leads to.
using Routed = std::variant<HttpResponse, EngineWork, EventStream>;

/// The API over a dialer.
class Api {
 public:
  /// Serves `dialer`; mutating requests need `Authorization: Bearer <token>`.
  Api(Dialer& dialer, std::string token);

  /// Routes a request (HTTP thread).
  Routed route(const HttpRequest& request) const;
  /// The status of every campaign, as the page shows it (engine thread).
  std::string status_json() const;

  /// {"error": {"code", "message", "field"}} with `status`.
  static HttpResponse error(int status, const std::string& code, const std::string& message, const std::string& field = {});
  /// The response for an exception thrown while handling a request.
  static HttpResponse from_exception(std::exception_ptr e);

 private:
  Routed route_checked(const HttpRequest& request) const;
  Dialer& dialer_;
  std::string token_;
};

/// True when `a` equals `b`, in time that does not depend on where they differ.
bool same_secret(const std::string& a, const std::string& b) noexcept;

}  // namespace outbound::serve
