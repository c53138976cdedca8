// Denormal floats (magnitudes below ~1.2e-38) make x86 and ARM float units up to 100× slower. An
// optimizee that sits at chance level (saturated sigmoids) has gradients that underflow into
// them, and so do the LSTM's back-propagated sums: a meta-iteration on such a network took 2–3×
// as long. The kernels therefore flush denormal results to zero and read denormal inputs as zero
// while they run (the FTZ and DAZ modes); the calling thread's mode is restored when they return,
// because JavaScript's arithmetic in the same thread must keep IEEE denormals. Values this small
// are far below anything the LSTM's inputs or the meta-gradient resolve.
#pragma once

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

namespace l2l {

// Sets flush-to-zero for the lifetime of the object (this thread only) and then restores the
// thread's previous mode.
class FlushDenormals {
 public:
  FlushDenormals() {
#if defined(__x86_64__) || defined(__i386__)
    saved_ = _mm_getcsr();
    _mm_setcsr(saved_ | 0x8040);  // FTZ (bit 15) and DAZ (bit 6)
#elif defined(__aarch64__)
    uint64_t fpcr;
    asm volatile("mrs %0, fpcr" : "=r"(fpcr));
    saved_ = fpcr;
    fpcr |= uint64_t{1} << 24;  // FZ
    asm volatile("msr fpcr, %0" : : "r"(fpcr));
#endif
  }
  ~FlushDenormals() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(static_cast<unsigned>(saved_));
#elif defined(__aarch64__)
    asm volatile("msr fpcr, %0" : : "r"(saved_));
#endif
  }
  FlushDenormals(const FlushDenormals&) = delete;
  FlushDenormals& operator=(const FlushDenormals&) = delete;

 private:
  uint64_t saved_ = 0;
};

}  // namespace l2l
