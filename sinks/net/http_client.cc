// The only translation unit of the sinks that includes Boost.Beast and Asio: they are slow to
// compile, and everything else sees the plain structs of http_client.h.
#include "sinks/net/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "sqlite_cdc/version.h"

namespace sqlite_cdc::sinks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (beast::iequals(key, beast::string_view(name.data(), name.size()))) return value;
  }
  return "";
}

namespace {

bool IsIpLiteral(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// The errors that mean "the server closed the idle connection": a request that met one of these
// before any response byte may be sent again on a fresh connection.
bool IsStaleConnection(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

class HttpClient::Impl {
 public:
  Impl(HttpEndpoint endpoint, std::chrono::milliseconds timeout, TlsOptions tls)
      : endpoint_(std::move(endpoint)), timeout_(timeout), tls_options_(std::move(tls)) {}

  HttpResult Send(const HttpRequest& request) {
    const bool reused = connected_;
    bool response_started = false;
    HttpResult result = Exchange(request, &response_started);
    if (reused && !response_started && std::holds_alternative<HttpError>(result) && stale_) {
      result = Exchange(request, &response_started);
    }
    return result;
  }

  const HttpEndpoint& endpoint() const { return endpoint_; }
  int connections_opened() const { return connections_opened_; }

 private:
  // Runs the io_context until the operation `start` began has completed; the operation's own
  // deadline (tcp_stream::expires_after) bounds the wait.
  template <typename Start>
  beast::error_code Run(Start start) {
    beast::error_code result = asio::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    return result;
  }

  beast::tcp_stream& Tcp() { return tls_stream_ ? beast::get_lowest_layer(*tls_stream_) : *plain_stream_; }

  HttpError Fail(const std::string& step, const beast::error_code& ec) {
    HttpError error;
    stale_ = IsStaleConnection(ec);
    error.kind = ec == beast::error::timeout ? HttpError::Kind::kTimeout : HttpError::Kind::kNetwork;
    std::string detail =
        ec == beast::error::timeout ? "timed out after " + std::to_string(timeout_.count()) + " ms" : ec.message();
    if (tls_stream_ && ec.category() == asio::error::get_ssl_category()) {
      const long verify = SSL_get_verify_result(tls_stream_->native_handle());
      if (verify != X509_V_OK) {
        error.kind = HttpError::Kind::kCertificate;
        detail = std::string("certificate refused: ") + X509_verify_cert_error_string(verify);
      }
    }
    error.message = step + " " + endpoint_.Origin() + ": " + detail;
    Close();
    return error;
  }

  void Close() {
    beast::error_code ignored;
    if (plain_stream_) plain_stream_->socket().close(ignored);
    if (tls_stream_) beast::get_lowest_layer(*tls_stream_).socket().close(ignored);
    plain_stream_.reset();
    tls_stream_.reset();
    buffer_.clear();
    connected_ = false;
  }

  std::optional<HttpError> Connect() {
    stale_ = false;
    tcp::resolver resolver(io_);
    tcp::resolver::results_type endpoints;
    beast::error_code ec = asio::error::would_block;
    resolver.async_resolve(endpoint_.host, endpoint_.port, [&](beast::error_code e, tcp::resolver::results_type r) {
      ec = e;
      endpoints = std::move(r);
    });
    io_.restart();
    io_.run_for(timeout_);
    if (ec == asio::error::would_block) {
      resolver.cancel();
      io_.restart();
      io_.run();
      ec = beast::error::timeout;
    }
    if (ec) return Fail("resolve", ec);

    if (endpoint_.tls) {
      if (Status status = PrepareTls(); !status.ok()) return HttpError{HttpError::Kind::kCertificate, status.message()};
      tls_stream_.emplace(io_, *tls_context_);
    } else {
      plain_stream_.emplace(io_);
    }
    Tcp().expires_after(timeout_);
    if (ec = Run([&](auto handler) { Tcp().async_connect(endpoints, handler); }); ec) return Fail("connect", ec);
    if (tls_stream_) {
      SSL* ssl = tls_stream_->native_handle();
      if (!IsIpLiteral(endpoint_.host)) SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str());
      if (tls_options_.verify) tls_stream_->set_verify_callback(ssl::host_name_verification(endpoint_.host));
      Tcp().expires_after(timeout_);
      ec = Run([&](auto handler) { tls_stream_->async_handshake(ssl::stream_base::client, handler); });
      if (ec) return Fail("TLS handshake with", ec);
    }
    connected_ = true;
    ++connections_opened_;
    return std::nullopt;
  }

  Status PrepareTls() {
    if (tls_context_) return Status::Ok();
    auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
    beast::error_code ec;
    if (tls_options_.verify) {
      context->set_verify_mode(ssl::verify_peer, ec);
      if (tls_options_.ca_file.empty()) {
        context->set_default_verify_paths(ec);
      } else {
        context->load_verify_file(tls_options_.ca_file, ec);
      }
      if (ec)
        return Status::InvalidArgument("cannot load CA certificates '" + tls_options_.ca_file + "': " + ec.message());
    } else {
      context->set_verify_mode(ssl::verify_none, ec);
    }
    tls_context_ = std::move(context);
    return Status::Ok();
  }

  template <typename Stream>
  HttpResult ExchangeOn(Stream& stream, const HttpRequest& request, bool* response_started) {
    http::request<http::string_body> message{http::string_to_verb(request.method), request.target, 11};
    message.set(http::field::host, endpoint_.HostHeader());
    message.set(http::field::user_agent, std::string("sqlite-cdc/") + kVersion);
    for (const auto& [name, value] : request.headers) message.set(name, value);
    message.body() = request.body;
    message.prepare_payload();

    Tcp().expires_after(timeout_);
    if (auto ec = Run([&](auto handler) { http::async_write(stream, message, handler); }); ec) {
      return Fail("send to", ec);
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(request.max_response_body);
    if (message.method() == http::verb::head) parser.skip(true);
    Tcp().expires_after(timeout_);
    const auto ec = Run([&](auto handler) { http::async_read(stream, buffer_, parser, handler); });
    *response_started = parser.got_some();
    if (ec) return Fail("read response from", ec);

    HttpResponse response;
    const auto& head = parser.get();
    response.status = static_cast<int>(head.result_int());
    for (const auto& field : head) response.headers.emplace_back(field.name_string(), field.value());
    response.body = std::move(parser.get().body());
    if (!head.keep_alive()) Close();
    return response;
  }

  HttpResult Exchange(const HttpRequest& request, bool* response_started) {
    if (!connected_) {
      if (auto error = Connect()) return *error;
    }
    if (tls_stream_) return ExchangeOn(*tls_stream_, request, response_started);
    return ExchangeOn(*plain_stream_, request, response_started);
  }

  HttpEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  TlsOptions tls_options_;
  asio::io_context io_;
  std::unique_ptr<ssl::context> tls_context_;
  std::optional<beast::tcp_stream> plain_stream_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
  bool stale_ = false;  // the last failure looked like a connection the server had closed
  int connections_opened_ = 0;
};

HttpClient::HttpClient(HttpEndpoint endpoint, std::chrono::milliseconds timeout, TlsOptions tls)
    : impl_(std::make_unique<Impl>(std::move(endpoint), timeout, std::move(tls))) {}
HttpClient::~HttpClient() = default;
HttpResult HttpClient::Send(const HttpRequest& request) { return impl_->Send(request); }
const HttpEndpoint& HttpClient::endpoint() const { return impl_->endpoint(); }
int HttpClient::connections_opened() const { return impl_->connections_opened(); }

}  // namespace sqlite_cdc::sinks
