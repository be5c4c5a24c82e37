// Test helper: a tiny synchronous HTTP/1.1 client on Boost.Beast for the agent tests
// (one request per connection; the read is bounded by a socket timeout).
#ifndef VDIBK_TESTS_INTEGRATION_AGENT_HTTP_CLIENT_H_
#define VDIBK_TESTS_INTEGRATION_AGENT_HTTP_CLIENT_H_

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <string>

namespace vdibk::testing {

struct HttpReply {
  int status = 0;  // 0: no answer (connect/read error)
  std::string body;
};

inline HttpReply HttpCall(uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body = "", int timeout_s = 30) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  HttpReply out;
  try {
    boost::asio::io_context io;
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    timeval tv{timeout_s, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(false);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
  } catch (const std::exception& e) {
    out.status = 0;
    out.body = e.what();
  }
  return out;
}

}  // namespace vdibk::testing

#endif  // VDIBK_TESTS_INTEGRATION_AGENT_HTTP_CLIENT_H_
