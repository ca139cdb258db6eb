// Large arrays on transparent huge pages. On the virtual machines migrasim
// runs on, first touching a 4 KiB page costs tens of microseconds, so zeroing
// the agent columns of 10M agents page by page takes seconds; 2 MiB pages
// cut the faults 512-fold and the TLB misses of index-list loops with them.
// Only a hint: where the kernel does not give huge pages, nothing changes.
#pragma once

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

#include "util/stop_flag.hpp"

namespace migrasim {

inline void advise_huge_pages(const void* data, std::size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = reinterpret_cast<std::uintptr_t>(data);
  const std::uintptr_t first = (begin + kHuge - 1) & ~(kHuge - 1);  // whole huge pages inside
  const std::uintptr_t last = (begin + bytes) & ~(kHuge - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
  (void)data;
  (void)bytes;
#endif
}

// v = n copies of `value`, in fresh memory advised onto huge pages before it
// is first touched. Filled in chunks of 64 MiB, between which a stop asked for
// (util/stop_flag.hpp) ends the filling early, leaving v short: first touching
// tens of gigabytes takes tens of seconds, too long to keep a SIGINT waiting.
// A caller must check for the stop before using v.
template <class T>
void assign_on_huge_pages(std::vector<T>& v, std::size_t n, const T& value = T{}) {
  constexpr std::size_t kChunkBytes = std::size_t{64} << 20;
  const std::size_t chunk = kChunkBytes / sizeof(T) + 1;
  std::vector<T>().swap(v);
  v.reserve(n);
  advise_huge_pages(v.data(), n * sizeof(T));
  while (v.size() < n && stop_requested() == 0) {
    v.insert(v.end(), std::min(chunk, n - v.size()), value);
  }
}

// v emptied, with room for n elements reserved (and advised onto huge pages)
// but not touched: growing it up to n never moves it, and costs resident
// memory only for the part used. Where the kernel overcommits (Linux's
// default heuristic allows any one allocation up to RAM + swap) the
// reservation itself costs nothing.
template <class T>
void reserve_on_huge_pages(std::vector<T>& v, std::size_t n) {
  std::vector<T>().swap(v);
  v.reserve(n);
  advise_huge_pages(v.data(), n * sizeof(T));
}

// assign_on_huge_pages for several columns of n elements, the columns shared
// among the threads: first touching memory is most of the cost, and the
// kernel serves page faults of different threads at once. An exception (out
// of memory) is rethrown after the loop: one escaping an OpenMP region would
// end the program.
template <class... Columns>
void assign_columns_on_huge_pages(std::size_t n, Columns&... columns) {
  const std::function<void()> jobs[] = {[&columns, n] { assign_on_huge_pages(columns, n); }...};
  constexpr auto count = static_cast<std::int64_t>(sizeof...(columns));
  std::exception_ptr failures[count];
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t j = 0; j < count; ++j) {
    try {
      jobs[j]();
    } catch (...) {
      failures[j] = std::current_exception();
    }
  }
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

// An array whose memory is only reserved until it is written: scratch sized
// for the worst case (every agent a candidate) costs resident memory and page
// faults only for the part a run uses.
template <class T>
class UntouchedArray {
  static_assert(std::is_trivially_default_constructible_v<T>);

 public:
  void allocate(std::size_t n) {
    data_.reset(new T[n]);  // default-initialised: not touched
    size_ = n;
    advise_huge_pages(data_.get(), n * sizeof(T));
  }
  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  const T& operator[](std::size_t i) const { return data_[i]; }
  std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_[i]; }

 private:
  std::unique_ptr<T[]> data_;
  std::size_t size_ = 0;
};

}  // namespace migrasim
