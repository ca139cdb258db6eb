// A stop asked for by a signal handler, readable from every layer: the engine
// heeds it between steps (engine/simulation.hpp), the allocation of the agent
// columns between chunks (util/huge_pages.hpp), so that a run of hundreds of
// millions of agents stops within a fraction of a second of a SIGINT.
#pragma once

#include <atomic>

namespace migrasim {

// The signal that asked for the stop, 0 while none has. Written only by
// request_stop (async-signal-safe: a lock-free atomic store).
inline std::atomic<int> stop_signal_flag{0};
static_assert(std::atomic<int>::is_always_lock_free);

inline void request_stop(int signal) { stop_signal_flag.store(signal, std::memory_order_relaxed); }
inline int stop_requested() { return stop_signal_flag.load(std::memory_order_relaxed); }

}  // namespace migrasim
