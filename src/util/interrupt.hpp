#pragma once
// Ctrl-C handling for long-running work: the first SIGINT/SIGTERM sets a flag that loops
// check between batches (so they can clean up and report how far they got); the second one
// exits at once with status 130.

namespace rctl::util {

// Installs the handlers (idempotent).
void install_interrupt_handler();

// True once SIGINT or SIGTERM arrived.
bool interrupted();

// Sleeps up to `ms` milliseconds, waking early when interrupted.
void sleep_interruptible(long ms);

}  // namespace rctl::util
