#pragma once
// Stopping long-running work by signal: the first SIGINT (Ctrl-C), SIGTERM (a service
// manager, kill) or SIGHUP (a closed terminal or SSH session) sets a flag that loops check
// between batches, so they can clean up and report how far they got; a second one exits at
// once. The exit status names the signal: 128 + its number (130, 143, 129).

namespace rctl::util {

// Installs the handlers for SIGINT, SIGTERM and SIGHUP (idempotent).
void install_interrupt_handler();

// True once one of those signals arrived.
bool interrupted();

// 128 + the number of the first signal that arrived; 130 (as for SIGINT) when none did.
int interrupt_exit_code();

// Sleeps up to `ms` milliseconds, waking early when interrupted.
void sleep_interruptible(long ms);

}  // namespace rctl::util
