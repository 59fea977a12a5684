// The HTTP server (http_server.hpp) on Boost.Beast and Boost.Asio, one
// io_context on one thread. Every object here lives on that thread, except
// what crosses to the engine: EngineWork posted to the dialer (holding the
// session weakly, answering through the io_context) and event queues the
// engine thread fills and the session drains on a timer.
#include "http_server.hpp"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "outbound/error.hpp"

namespace outbound::serve {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr auto kQueuePoll = std::chrono::milliseconds(50);
constexpr auto kKeepAliveEvery = std::chrono::seconds(15);
constexpr auto kStatusEvery = std::chrono::seconds(1);
constexpr std::size_t kQueueLimit = 5000;      // events a slow stream may fall behind before they are dropped
constexpr std::size_t kHeaderLimit = 16 * 1024;
constexpr std::size_t kDiscardLimit = 4 * 1024 * 1024;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  std::size_t at = 0;
  while (at < q.size()) {
    std::size_t end = std::min(q.find('&', at), q.size());
    std::string_view item = q.substr(at, end - at);
    std::size_t eq = item.find('=');
    if (!item.empty())
      out[url_decode(item.substr(0, eq), true)] = eq == std::string_view::npos ? "" : url_decode(item.substr(eq + 1), true);
    at = end + 1;
  }
  return out;
}

/// Events waiting for one stream: filled by the engine thread, drained by the session.
struct StreamQueue {
  std::mutex mutex;
  std::deque<std::string> items;
  long dropped = 0;
};

}  // namespace

// Members are declared so that the io_context goes before everything its
// queued handlers (and the sessions they hold) still use, and after the acceptor.
struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(Dialer& d, const Api& a, HttpConfig c) : dialer(d), api(a), cfg(std::move(c)) {}

  Dialer& dialer;
  const Api& api;
  HttpConfig cfg;
  std::atomic<bool> stopped{false};
  int connections = 0;
  struct Bucket {
    double tokens;
    Clock::time_point at;
  };
  std::unordered_map<std::string, Bucket> buckets;
  Clock::time_point buckets_pruned = Clock::now();
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;

  void accept();
  bool take_token(const std::string& client);
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  // The server outlives its sessions: they live in its io_context's handlers.
  Session(HttpServer::Impl& server, tcp::socket socket)
      : server_(&server), stream_(std::move(socket)), timer_(server.ioc), work_timer_(server.ioc) {
    ++server_->connections;
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    client_ = ec ? "unknown" : endpoint.address().to_string();
  }
  ~Session() {
    if (subscription_) server_->dialer.events().unsubscribe(subscription_);
    --server_->connections;
  }

  void start() { read(); }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(server_->cfg.max_body_bytes);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::connection_reset ||
        ec == net::error::operation_aborted)
      return close();
    if (ec == http::error::body_limit)
      return reply(Api::error(413, "payload_too_large",
                              "the body exceeds " + std::to_string(server_->cfg.max_body_bytes) + " bytes (http.max_body_bytes)"),
                   false, true);
    if (ec == http::error::header_limit) return reply(Api::error(431, "headers_too_large", "the request's headers are too large"), false, true);
    if (ec) return reply(Api::error(400, "bad_request", "not an HTTP request: " + ec.message()), false, true);
    handle(parser_->release());
  }

  void handle(http::request<http::string_body> req) {
    keep_alive_ = req.keep_alive();
    head_ = req.method() == http::verb::head;
    if (!server_->take_token(client_)) {
      HttpResponse r = Api::error(429, "rate_limited", "more than " + std::to_string(server_->cfg.rate_per_s) + " requests a second from " + client_);
      r.headers.emplace_back("Retry-After", "1");
      return reply(std::move(r), keep_alive_);
    }
    HttpRequest rq;
    rq.method = std::string(req.method_string());
    std::string_view target(req.target().data(), req.target().size());
    auto q = target.find('?');
    rq.path = url_decode(target.substr(0, q), false);
    if (q != std::string_view::npos) rq.query = parse_query(target.substr(q + 1));
    rq.body = std::move(req.body());
    if (auto it = req.find(http::field::authorization); it != req.end()) rq.authorization = std::string(it->value());
    Routed routed = server_->api.route(rq);
    if (auto* r = std::get_if<HttpResponse>(&routed)) return reply(std::move(*r), keep_alive_);
    if (auto* w = std::get_if<EngineWork>(&routed)) return run_engine_work(std::move(*w));
    open_stream(std::get<EventStream>(routed));
  }

  // The engine takes the work or, if it has not started it in time, the
  // client hears so (and the work will never run): never both.
  void run_engine_work(EngineWork work) {
    auto state = std::make_shared<std::atomic<int>>(0);  // 0 waiting, 1 taken by the engine, 2 timed out
    std::weak_ptr<Session> weak = shared_from_this();
    std::weak_ptr<HttpServer::Impl> server = server_->weak_from_this();
    server_->dialer.post([state, work = std::move(work), weak, server] {
      int waiting = 0;
      if (!state->compare_exchange_strong(waiting, 1)) return;
      HttpResponse r;
      try {
        r = work();
      } catch (...) {
        r = Api::from_exception(std::current_exception());
      }
      auto s = server.lock();
      if (!s || s->stopped.load()) return;
      net::post(s->ioc, [weak, r = std::move(r)]() mutable {
        if (auto self = weak.lock()) {
          self->work_timer_.cancel();
          self->reply(std::move(r), self->keep_alive_);
        }
      });
    });
    work_timer_.expires_after(std::chrono::milliseconds(static_cast<long>(server_->cfg.engine_timeout_s * 1000)));
    work_timer_.async_wait([state, self = shared_from_this()](beast::error_code ec) {
      int waiting = 0;
      if (ec || !state->compare_exchange_strong(waiting, 2)) return;
      self->reply(Api::error(503, "timeout", "the engine did not take the request in time; nothing was done"), self->keep_alive_);
    });
  }

  void reply(HttpResponse r, bool keep_alive, bool drain_first = false) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "outbound");
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-store");
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head_) res->body().clear();
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive, drain_first](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      if (drain_first) return self->discard_then_close();
      if (!keep_alive) return self->close();
      self->read();
    });
  }

  // After refusing a request mid-body: stop sending, read what the client
  // still sends (up to a limit), then close, so it can read the refusal
  // instead of a connection reset.
  void discard_then_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code e, std::size_t n) {
      self->discarded_ += n;
      if (e || self->discarded_ > kDiscardLimit) return self->close();
      self->discard_then_close();
    });
  }

  void close() {
    beast::error_code ec;
    timer_.cancel();
    work_timer_.cancel();
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  // --- event streams ----------------------------------------------------------

  void open_stream(const EventStream& s) {
    stream_.expires_never();
    kind_ = s.kind;
    auto header = std::make_shared<std::string>(
        "HTTP/1.1 200 OK\r\nServer: outbound\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
        "Connection: close\r\nX-Accel-Buffering: no\r\n\r\n: outbound event stream\n\n");
    if (s.kind == EventStream::Kind::events) {
      queue_ = std::make_shared<StreamQueue>();
      subscription_ = server_->dialer.events().subscribe(
          [q = queue_, campaign = s.campaign, kinds = s.kinds](const std::string& c, const std::string& k, const std::string& m) {
            if ((!campaign.empty() && c != campaign) || (!kinds.empty() && !kinds.count(k))) return;
            std::lock_guard lock(q->mutex);
            if (q->items.size() >= kQueueLimit) {
              ++q->dropped;
              return;
            }
            q->items.push_back(m);
          });
    }
    net::async_write(stream_, net::buffer(*header), [self = shared_from_this(), header](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->watch_peer();
      self->last_write_ = Clock::now();
      self->kind_ == EventStream::Kind::events ? self->pump_events() : self->send_status();
    });
  }

  // A stream's client sends nothing; a read ends when it goes away.
  void watch_peer() {
    stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        return self->close();
      }
      self->watch_peer();
    });
  }

  void pump_events() {
    if (closed_) return;
    std::string out;
    {
      std::lock_guard lock(queue_->mutex);
      if (queue_->dropped) {
        out += "event: overflow\ndata: {\"dropped\": " + std::to_string(queue_->dropped) + "}\n\n";
        queue_->dropped = 0;
      }
      for (auto& m : queue_->items) out += "data: " + m + "\n\n";
      queue_->items.clear();
    }
    if (out.empty() && Clock::now() - last_write_ > kKeepAliveEvery) out = ": keepalive\n\n";
    if (out.empty()) return wait_then(&Session::pump_events, kQueuePoll);
    write_stream(std::move(out), &Session::pump_events, kQueuePoll);
  }

  void send_status() {
    if (closed_) return;
    std::weak_ptr<Session> weak = shared_from_this();
    std::weak_ptr<HttpServer::Impl> server = server_->weak_from_this();
    const Api* api = &server_->api;
    server_->dialer.post([weak, server, api] {
      std::string body = api->status_json();
      auto s = server.lock();
      if (!s || s->stopped.load()) return;
      net::post(s->ioc, [weak, body = std::move(body)]() mutable {
        if (auto self = weak.lock()) self->write_stream("event: status\ndata: " + body + "\n\n", &Session::send_status, kStatusEvery);
      });
    });
  }

  void write_stream(std::string text, void (Session::*next)(), std::chrono::milliseconds then) {
    auto buf = std::make_shared<std::string>(std::move(text));
    net::async_write(stream_, net::buffer(*buf), [self = shared_from_this(), buf, next, then](beast::error_code ec, std::size_t) {
      if (ec) {
        self->closed_ = true;
        return self->close();
      }
      self->last_write_ = Clock::now();
      self->wait_then(next, then);
    });
  }

  void wait_then(void (Session::*next)(), std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this(), next](beast::error_code ec) {
      if (!ec) ((*self).*next)();
    });
  }

  HttpServer::Impl* server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  net::steady_timer timer_;       // event streams: the next poll or status
  net::steady_timer work_timer_;  // the engine's deadline for the request under way
  std::string client_;
  bool keep_alive_ = false;
  bool head_ = false;
  std::array<char, 4096> scratch_{};
  std::size_t discarded_ = 0;
  EventStream::Kind kind_ = EventStream::Kind::events;
  std::shared_ptr<StreamQueue> queue_;
  int subscription_ = 0;
  bool closed_ = false;
  Clock::time_point last_write_{};
};

}  // namespace

bool HttpServer::Impl::take_token(const std::string& client) {
  const auto now = Clock::now();
  if (now - buckets_pruned > std::chrono::minutes(1)) {  // forget clients with full buckets
    for (auto it = buckets.begin(); it != buckets.end();)
      it = now - it->second.at > std::chrono::minutes(1) ? buckets.erase(it) : std::next(it);
    buckets_pruned = now;
  }
  auto [it, fresh] = buckets.try_emplace(client, Bucket{cfg.burst, now});
  Bucket& b = it->second;
  b.tokens = std::min(cfg.burst, b.tokens + std::chrono::duration<double>(now - b.at).count() * cfg.rate_per_s);
  b.at = now;
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void HttpServer::Impl::accept() {
  acceptor.async_accept([self = this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != net::error::operation_aborted && !self->stopped.load()) self->accept();
      return;
    }
    if (self->connections >= self->cfg.max_connections) {
      static const std::string busy =
          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 92\r\n\r\n"
          "{\"error\": {\"code\": \"too_many_connections\", \"message\": \"try again later\", \"field\": null}}\n";
      beast::error_code ignore;
      net::write(socket, net::buffer(busy), ignore);
      socket.close(ignore);
    } else {
      std::make_shared<Session>(*self, std::move(socket))->start();
    }
    self->accept();
  });
}

HttpServer::HttpServer(Dialer& dialer, const Api& api, const HttpConfig& config)
    : impl_(std::make_shared<Impl>(dialer, api, config)) {
  beast::error_code ec;
  auto address = net::ip::make_address(config.address == "localhost" ? "127.0.0.1" : config.address, ec);
  if (ec) throw Error(ErrorCode::invalid_argument, "http.listen: \"" + config.address + "\" is not an IP address");
  tcp::endpoint endpoint(address, config.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw Error(ErrorCode::busy, "http.listen: cannot listen on " + config.address + ":" + std::to_string(config.port) + ": " + ec.message());
}

HttpServer::~HttpServer() { stop(); }

unsigned short HttpServer::port() const { return impl_->acceptor.local_endpoint().port(); }

void HttpServer::start() {
  impl_->accept();
  impl_->thread = std::thread([impl = impl_] {
    for (;;) {
      try {
        impl->ioc.run();
        return;
      } catch (const std::exception& e) {
        std::cerr << "serve: http: " << e.what() << "\n";  // one request's failure; keep serving
      }
    }
  });
}

void HttpServer::stop() {
  if (impl_->stopped.exchange(true)) return;
  net::post(impl_->ioc, [impl = impl_.get()] {  // not owning: a handler left queued must not keep the server alive
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace outbound::serve
