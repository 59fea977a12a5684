// The HTTP server of `outbound serve`: Boost.Beast on one thread of its own,
// so HTTP never blocks the engine. It limits body sizes, requests per client
// address and open connections, hands each request to the Api, runs engine
// work on the engine's thread with a timeout, and keeps event streams open.
#pragma once

#include <memory>

#include "api.hpp"
#include "config.hpp"

namespace outbound::serve {

/// An HTTP server over an Api.
class HttpServer {
 public:
  /// Binds the listener (Error when the address cannot be used); serves once start() is called.
  HttpServer(Dialer& dialer, const Api& api, const HttpConfig& config);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// The port it listens on (the one the system chose for port 0).
  unsigned short port() const;
  /// Starts serving on the server's thread.
  void start();
  /// Stops accepting and serving, and joins the thread. Engine work still
  /// queued finds the server stopped and is dropped.
  void stop();

  struct Impl;  ///< the server's state, shared with its connections (http_server.cpp)

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace outbound::serve
