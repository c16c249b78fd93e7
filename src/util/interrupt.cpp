#include "util/interrupt.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <unistd.h>

namespace rctl::util {

namespace {

std::atomic<int> g_signals{0};
std::atomic<int> g_first_signal{0};  // the signal that started the stop, for the exit status

extern "C" void on_signal(int signal) {
  int none = 0;
  g_first_signal.compare_exchange_strong(none, signal);
  if (g_signals.fetch_add(1) >= 1) {
    constexpr char k_msg[] = "\nrctl: interrupted again, exiting now\n";
    // Fails quietly when the terminal is gone (SIGHUP): the exit status still tells.
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, k_msg, sizeof k_msg - 1);
    ::_exit(128 + signal);
  }
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: let blocking calls return EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

bool interrupted() { return g_signals.load() > 0; }

int interrupt_exit_code() {
  int signal = g_first_signal.load();
  return signal > 0 ? 128 + signal : 130;
}

void sleep_interruptible(long ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!interrupted()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(50)));
  }
}

}  // namespace rctl::util
