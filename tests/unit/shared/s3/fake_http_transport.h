// Test seams for the S3 client: FakeHttpTransport answers requests from a script and records
// them; FakeRetryClock is a clock whose sleeps only advance it (tests never wait).
#ifndef VDIBK_TESTS_UNIT_SHARED_S3_FAKE_HTTP_TRANSPORT_H_
#define VDIBK_TESTS_UNIT_SHARED_S3_FAKE_HTTP_TRANSPORT_H_

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "shared/s3/http_transport.h"
#include "shared/s3/retry_policy.h"

namespace vdibk::s3 {

// A request as the transport saw it (the body copied, a streamed body read out).
struct SentRequest {
  std::string method, url, body;
  std::vector<HttpHeader> headers;
  std::string Header(std::string_view name) const {
    for (const HttpHeader& h : headers)
      if (h.name == name) return h.value;
    return "";
  }
};

class FakeHttpTransport final : public HttpTransport {
 public:
  // Queues the next answer.
  void Respond(long status, std::string body = "", std::vector<HttpHeader> headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    script_.push_back(std::move(r));
  }
  void Fail(TransportError error, std::string detail = "fake failure") {
    HttpResponse r;
    r.error = error;
    r.detail = std::move(detail);
    script_.push_back(std::move(r));
  }

  HttpResponse Send(const HttpRequest& request) override {
    SentRequest sent{request.method, request.url, {}, request.headers};
    if (request.source) {
      char buffer[4096];
      for (;;) {
        Result<size_t> n = request.source->Read(buffer, sizeof buffer);
        if (!n.ok() || *n == 0) break;
        sent.body.append(buffer, *n);
      }
    } else {
      sent.body.assign(request.body.data(), request.body.size());
    }
    requests.push_back(std::move(sent));
    if (script_.empty()) {
      HttpResponse r;
      r.status = 599;
      r.body = "<Error><Code>FakeScriptEmpty</Code></Error>";
      return r;
    }
    HttpResponse r = std::move(script_.front());
    script_.pop_front();
    if (request.sink && r.error == TransportError::kNone && r.status >= 200 && r.status < 300) {
      (void)request.sink->Write(r.body);
      r.body.clear();
    }
    return r;
  }

  std::vector<SentRequest> requests;
  size_t pending() const { return script_.size(); }

 private:
  std::deque<HttpResponse> script_;
};

class FakeRetryClock final : public RetryClock {
 public:
  std::chrono::steady_clock::time_point Now() override { return now; }
  void SleepFor(std::chrono::milliseconds d) override {
    sleeps.push_back(d);
    now += d;
  }
  // Lets time pass as if an attempt took `d`.
  void Advance(std::chrono::milliseconds d) { now += d; }

  std::chrono::steady_clock::time_point now{};
  std::vector<std::chrono::milliseconds> sleeps;
};

}  // namespace vdibk::s3

#endif  // VDIBK_TESTS_UNIT_SHARED_S3_FAKE_HTTP_TRANSPORT_H_
