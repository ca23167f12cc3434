#include "cli/metrics/metrics_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

namespace sqlite_cdc::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

class MetricsServer::Impl {
 public:
  Impl(tcp::endpoint endpoint, Scrape scrape, Healthy healthy)
      : scrape_(std::move(scrape)), healthy_(std::move(healthy)), acceptor_(io_, endpoint) {}

  void Run() {
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  std::string url() const {
    const tcp::endpoint bound = acceptor_.local_endpoint();
    const std::string host =
        bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
    return "http://" + host + ":" + std::to_string(bound.port());
  }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      tcp::socket socket = co_await acceptor_.async_accept(use_awaitable);
      asio::co_spawn(io_, Session(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  // Keep-alive, as Prometheus scrapes; a client that goes quiet is dropped after the timeout.
  asio::awaitable<void> Session(beast::tcp_stream stream) {
    beast::flat_buffer buffer;
    try {
      for (;;) {
        http::request<http::string_body> request;
        stream.expires_after(std::chrono::seconds(30));
        co_await http::async_read(stream, buffer, request, use_awaitable);
        http::response<http::string_body> response = Answer(request);
        co_await http::async_write(stream, response, use_awaitable);
        if (!request.keep_alive()) break;
      }
    } catch (const std::exception&) {
      // The client left or stalled: nothing to do but close.
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  http::response<http::string_body> Answer(const http::request<http::string_body>& request) {
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    const std::string target(request.target());
    const std::string path = target.substr(0, target.find('?'));
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      response.result(http::status::method_not_allowed);
      response.body() = "GET only\n";
    } else if (path == "/metrics") {
      response.result(http::status::ok);
      response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response.body() = scrape_();
    } else if (path == "/healthz") {
      const bool healthy = healthy_();
      response.result(healthy ? http::status::ok : http::status::service_unavailable);
      response.body() = healthy ? "ok\n" : "failing: the output is not accepting batches\n";
    } else {
      response.result(http::status::not_found);
      response.body() = "not found: try /metrics or /healthz\n";
    }
    if (response.result() != http::status::ok || path != "/metrics") {
      response.set(http::field::content_type, "text/plain; charset=utf-8");
    }
    response.prepare_payload();
    return response;
  }

  Scrape scrape_;
  Healthy healthy_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsServer::~MetricsServer() = default;

std::string MetricsServer::url() const { return impl_->url(); }

Status MetricsServer::Start(const std::string& address, Scrape scrape, Healthy healthy,
                            std::unique_ptr<MetricsServer>* server) {
  const auto bad = [&address](const std::string& why) {
    return Status::InvalidArgument("invalid --metrics-addr '" + address + "': " + why);
  };
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) return bad("expected HOST:PORT");
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port_text = address.substr(colon + 1);
  if (port_text.find_first_not_of("0123456789") != std::string::npos || port_text.size() > 5 ||
      std::stoi(port_text) > 65535) {
    return bad("the port must be a number from 0 to 65535");
  }
  try {
    asio::io_context resolver_io;
    tcp::resolver resolver(resolver_io);
    const auto endpoints = resolver.resolve(host.empty() ? "0.0.0.0" : host, port_text);
    auto impl = std::make_unique<Impl>(endpoints.begin()->endpoint(), std::move(scrape), std::move(healthy));
    impl->Run();
    server->reset(new MetricsServer(std::move(impl)));
    return Status::Ok();
  } catch (const std::exception& error) {
    return bad(error.what());
  }
}

}  // namespace sqlite_cdc::cli
