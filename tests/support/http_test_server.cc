// The tests' HTTP receiver: Beast on Asio coroutines, one io_context on one thread.
#include "support/http_test_server.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "support/process.h"

namespace sqlite_cdc::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::use_awaitable;
using tcp = asio::ip::tcp;

class HttpTestServer::Impl {
 public:
  Impl(ReplyScript script, std::optional<ServerCertificate> tls)
      : script_(script ? std::move(script) : [](const ReceivedRequest&, size_t) { return Reply::Status(200); }),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    if (tls) {
      tls_.emplace(ssl::context::tls_server);
      tls_->use_certificate_chain_file(tls->cert_file);
      tls_->use_private_key_file(tls->key_file, ssl::context::pem);
    }
    asio::co_spawn(io_, Accept(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    io_.stop();
    thread_.join();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  bool tls() const { return tls_.has_value(); }

  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connections() const {
    std::lock_guard lock(mutex_);
    return connections_;
  }

 private:
  asio::awaitable<void> Accept() {
    for (;;) {
      tcp::socket socket = co_await acceptor_.async_accept(use_awaitable);
      int connection = 0;
      {
        std::lock_guard lock(mutex_);
        connection = ++connections_;
      }
      asio::co_spawn(io_, Session(std::move(socket), connection), asio::detached);
    }
  }

  asio::awaitable<void> Session(tcp::socket socket, int connection) {
    try {
      if (tls_) {
        beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_);
        co_await stream.async_handshake(ssl::stream_base::server, use_awaitable);
        co_await Serve(stream, connection);
      } else {
        beast::tcp_stream stream(std::move(socket));
        co_await Serve(stream, connection);
      }
    } catch (const std::exception&) {
      // The client went away or the handshake failed: this connection is over.
    }
  }

  template <typename Stream>
  asio::awaitable<void> Serve(Stream& stream, int connection) {
    beast::flat_buffer buffer;
    for (;;) {
      http::request<http::string_body> request;
      co_await http::async_read(stream, buffer, request, use_awaitable);
      ReceivedRequest received;
      received.method = std::string(request.method_string());
      received.target = std::string(request.target());
      for (const auto& field : request) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        received.headers[name] = std::string(field.value());
      }
      received.body = request.body();
      received.connection = connection;
      received.at = std::chrono::steady_clock::now();
      const size_t index = Record(received);
      const Reply reply = script_(received, index);

      switch (reply.kind) {
        case Reply::Kind::kRespond: {
          http::response<http::string_body> response{static_cast<http::status>(reply.status), 11};
          for (const auto& [name, value] : reply.headers) response.set(name, value);
          response.body() = reply.body;
          response.keep_alive(request.keep_alive());
          response.prepare_payload();
          co_await http::async_write(stream, response, use_awaitable);
          MarkAnswered(index, reply.status);
          if (reply.close_after || !request.keep_alive()) co_return;
          break;
        }
        case Reply::Kind::kCloseMidResponse: {
          const std::string partial = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial";
          co_await asio::async_write(stream, asio::buffer(partial), use_awaitable);
          co_return;
        }
        case Reply::Kind::kStall: {
          asio::steady_timer timer(io_, reply.stall);
          co_await timer.async_wait(use_awaitable);
          co_return;
        }
        case Reply::Kind::kCloseQuietly:
          co_return;
      }
    }
  }

  size_t Record(const ReceivedRequest& request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    return requests_.size() - 1;
  }
  void MarkAnswered(size_t index, int status) {
    std::lock_guard lock(mutex_);
    requests_[index].answered = status;
  }

  ReplyScript script_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::optional<ssl::context> tls_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<ReceivedRequest> requests_;
  int connections_ = 0;
};

HttpTestServer::HttpTestServer(ReplyScript script, std::optional<ServerCertificate> tls)
    : impl_(std::make_unique<Impl>(std::move(script), std::move(tls))) {}
HttpTestServer::~HttpTestServer() = default;
uint16_t HttpTestServer::port() const { return impl_->port(); }
std::vector<ReceivedRequest> HttpTestServer::requests() const { return impl_->requests(); }
int HttpTestServer::connections() const { return impl_->connections(); }

std::string HttpTestServer::Url(const std::string& path, const std::string& host) const {
  return std::string(impl_->tls() ? "https://" : "http://") + host + ":" + std::to_string(port()) + path;
}

TestPki MakeTestPki(const std::string& dir, const std::string& host_name) {
  TestPki pki{dir + "/ca.pem", {dir + "/server.pem", dir + "/server.key"}};
  const std::string script = "set -e; cd '" + dir +
                             "'; "
                             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                             "  -subj /CN=sqlite-cdc-test-ca -keyout ca.key -out ca.pem 2>/dev/null; "
                             "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                             "  -subj /CN=" +
                             host_name +
                             " -keyout server.key -out server.csr 2>/dev/null; "
                             "printf 'subjectAltName=DNS:" +
                             host_name +
                             "\\n' > san.ext; "
                             "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
                             "  -extfile san.ext -out server.pem 2>/dev/null";
  const ProcessResult result = RunProcess("/bin/sh", {"-c", script});
  if (result.exit_code != 0) throw std::runtime_error("openssl failed to make the test certificates: " + result.err);
  return pki;
}

}  // namespace sqlite_cdc::testing
