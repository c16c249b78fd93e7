#include "net/event_loop.hpp"

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

namespace rctl::net {

EventLoop::EventLoop() : m_context(std::make_unique<asio::io_context>(1)) {}
EventLoop::~EventLoop() = default;

void EventLoop::run_until(const std::function<bool()>& done) {
  while (!done()) {
    if (m_context->stopped()) m_context->restart();
    if (m_context->run_one() == 0) break;
  }
}

void EventLoop::run() {
  if (m_context->stopped()) m_context->restart();
  m_context->run();
}

void EventLoop::post(std::function<void()> fn) { asio::post(*m_context, std::move(fn)); }

// The callback is held in shared state tagged with a generation, so a cancelled or
// replaced expiry that Asio still delivers is recognised and ignored.
struct Timer::Impl {
  explicit Impl(asio::io_context& ctx) : timer(ctx) {}
  asio::steady_timer timer;
  std::function<void()> on_expiry;
  std::uint64_t generation = 0;
};

Timer::Timer(EventLoop& loop) : m_impl(std::make_shared<Impl>(loop.context())) {}

Timer::~Timer() { cancel(); }

void Timer::start(std::chrono::steady_clock::duration delay, std::function<void()> on_expiry) {
  auto gen = ++m_impl->generation;
  m_impl->on_expiry = std::move(on_expiry);
  m_impl->timer.expires_after(delay);
  std::weak_ptr<Impl> weak = m_impl;
  m_impl->timer.async_wait([weak, gen](const std::error_code& ec) {
    auto impl = weak.lock();
    if (ec || !impl || impl->generation != gen || !impl->on_expiry) return;
    auto fn = std::move(impl->on_expiry);
    impl->on_expiry = nullptr;
    fn();
  });
}

void Timer::cancel() {
  ++m_impl->generation;
  m_impl->on_expiry = nullptr;
  m_impl->timer.cancel();
}

}  // namespace rctl::net
