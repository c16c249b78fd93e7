#pragma once
// The one event loop that every connection of a command runs on, so that work on several
// cluster nodes proceeds concurrently in one thread. Wraps asio::io_context without
// exposing Asio to the layers above.

#include <chrono>
#include <functional>
#include <memory>

namespace asio {
class io_context;
}

namespace rctl::net {

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Runs ready handlers until `done()` returns true or no work is left.
  void run_until(const std::function<bool()>& done);

  // Runs handlers until no work is left.
  void run();

  // Queues `fn` to run on the loop (never inline).
  void post(std::function<void()> fn);

  // The underlying context, for the transport implementations only.
  asio::io_context& context() { return *m_context; }

 private:
  std::unique_ptr<asio::io_context> m_context;
};

// A one-shot timer on an EventLoop. Destroying or cancelling it means the callback never runs.
class Timer {
 public:
  explicit Timer(EventLoop& loop);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // Calls `on_expiry` after `delay`; replaces any pending expiry.
  void start(std::chrono::steady_clock::duration delay, std::function<void()> on_expiry);

  // Drops the pending expiry, if any.
  void cancel();

 private:
  struct Impl;
  std::shared_ptr<Impl> m_impl;
};

}  // namespace rctl::net
