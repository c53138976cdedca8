// A pool of worker threads for the addon's row-wise work (lstm_bindings.cc): started once and
// kept for the life of the process.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

#include "flush_denormals.h"

namespace l2l {

// Worker threads started once and reused. A call's items are claimed one at a time from a shared
// counter by the caller and up to threads − 1 workers, so a faster core takes more of them (the
// two cores of a small virtual machine can differ by 40%). The caller waits only for items that
// have been claimed, never for a worker to show up: a worker that the OS has put aside (Node's own
// background threads want the second core now and then) finds the items gone when it wakes, and
// the caller has done them alone. Between calls the workers spin briefly, first pausing, then
// yielding to any other thread that wants the core (calls come every few hundred microseconds
// during an unroll), and then sleep. One call at a time uses the pool; a call that finds it busy (another Node thread's)
// runs alone.
class Pool {
 public:
  template <typename Fn>
  void run(size_t items, int threads, Fn fn) {
    const size_t helpers = std::min<size_t>(static_cast<size_t>(std::max(threads, 1)) - 1, items > 0 ? items - 1 : 0);
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (helpers == 0 || !busy.owns_lock()) {
      for (size_t i = 0; i < items; i++) fn(i);
      return;
    }
    start(helpers);
    Task<Fn> task(fn);
    Call call;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      call = {&task, static_cast<uint32_t>(generation_.load() + 1), items};
      call_ = call;
      wanted_ = helpers;
      done_.store(0);
      claim_.store(static_cast<uint64_t>(call.generation) << 32);
      generation_.fetch_add(1);
    }
    wake_.notify_all();
    work(call);
    while (done_.load() < items) std::this_thread::yield();
  }

 private:
  // How long an idle worker spins before it sleeps: longer than the gaps between the calls of
  // an unroll, so that it is awake for the next one (waking a sleeping thread costs ~0.1 ms).
  static constexpr std::chrono::microseconds SPIN{3000};
  // The first part of the spin pauses instead of yielding, so the core is not given away: the
  // gaps between an unroll's forward steps are shorter than this (interleaved runs of the
  // quadratic benchmark were slightly faster so than with yields throughout).
  static constexpr std::chrono::microseconds BUSY{300};

  static void pause() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

  struct TaskBase {
    virtual void call(size_t i) = 0;
    virtual ~TaskBase() = default;
  };
  template <typename Fn>
  struct Task : TaskBase {
    Fn& fn;
    explicit Task(Fn& f) : fn(f) {}
    void call(size_t i) override { fn(i); }
  };

  // One call: its task (alive until all its items are done), its generation, its item count.
  struct Call {
    TaskBase* task = nullptr;
    uint32_t generation = 0;
    size_t items = 0;
  };

  // Claims and runs the call's items until none is left. A claim is one compare-and-swap on
  // (generation, next item), so a late worker cannot take an item of a later call.
  void work(const Call& call) {
    uint64_t seen = claim_.load();
    for (;;) {
      if (static_cast<uint32_t>(seen >> 32) != call.generation || static_cast<uint32_t>(seen) >= call.items) return;
      if (!claim_.compare_exchange_weak(seen, seen + 1)) continue;
      call.task->call(static_cast<uint32_t>(seen));
      done_.fetch_add(1);
      seen = claim_.load();
    }
  }

  // Starts workers until there are `n`; they live as long as the process.
  void start(size_t n) {
    while (workers_ < n) {
      const size_t index = workers_++;
      const uint64_t seen = generation_.load();
      std::thread([this, index, seen] { loop(index, seen); }).detach();
    }
  }

  // Worker `index`: joins every call that wants it, if it comes before the call's items are gone.
  // Workers only run kernel code, so they flush denormals for good (flush_denormals.h).
  void loop(size_t index, uint64_t seen) {
    const FlushDenormals flush;
    for (;;) {
      const auto now = std::chrono::steady_clock::now();
      const auto busyUntil = now + BUSY, until = now + SPIN;
      while (generation_.load() == seen && std::chrono::steady_clock::now() < busyUntil) pause();
      while (generation_.load() == seen && std::chrono::steady_clock::now() < until) std::this_thread::yield();
      Call call;
      bool wanted;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load() != seen; });
        seen = generation_.load();
        wanted = index < wanted_;
        call = call_;
      }
      if (wanted) work(call);
    }
  }

  std::mutex busy_, mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<uint64_t> claim_{0};
  std::atomic<size_t> done_{0};
  size_t wanted_ = 0, workers_ = 0;
  Call call_;
};

inline Pool& pool() {
  static Pool* instance = new Pool();  // never destroyed: its detached workers outlive main()
  return *instance;
}

}  // namespace l2l
