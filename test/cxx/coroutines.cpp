// A coroutine's work runs in its .resume clone (CoroSplit's), entered at
// each resumption and left at each suspension: the clones are instrumented
// with the coroutine and named after it, at -O0 and -O2. Before: only the
// ramp was recorded, and work() appeared under main.
// clang 13 compiles only the Coroutines TS (<experimental/coroutine>), which
// Debian 12's libstdc++ 12 does not ship; its <coroutine> wants -fcoroutines.
// UNSUPPORTED: llvm-13
// RUN: %clangxx_fr -std=c++20 -O0 %s -o %t0 %fr_link
// RUN: %clangxx_fr -std=c++20 -O2 %s -o %t2 %fr_link
// RUN: rm -f %t0.fr %t2.fr
// RUN: env FR_OPTIONS=output=%t0.fr %t0
// RUN: env FR_OPTIONS=output=%t2.fr %t2
// RUN: %frtool dump %t0.fr | FileCheck %s
// RUN: %frtool dump %t2.fr | FileCheck %s
// RUN: %frtool export --format=folded -o - %t2.fr | FileCheck %s --check-prefix=FOLDED
#include "fr.h"
#include <coroutine>
#include <cstdio>

struct Task {
  struct promise_type {
    int value = 0;
    Task get_return_object() { return Task{std::coroutine_handle<promise_type>::from_promise(*this)}; }
    std::suspend_always initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    std::suspend_always yield_value(int v) { value = v; return {}; }
    void return_void() {}
    void unhandled_exception() {}
  };
  std::coroutine_handle<promise_type> h;
  ~Task() { if (h) h.destroy(); }
};

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int work(int x) { __asm__ volatile(""); return x * 2; }

FR_ALWAYS_INSTRUMENT Task counter(int n) {
  for (int i = 0; i < n; i++)
    co_yield work(i);
}

FR_ALWAYS_INSTRUMENT int main() {
  Task t = counter(3);
  int sum = 0;
  while (!t.h.done()) { t.h.resume(); sum += t.h.promise().value; }
  printf("sum %d\n", sum);
  return 0;
}

// CHECK: enter main
// CHECK-NEXT: enter counter(int)
// CHECK-NEXT: exit counter(int)
// CHECK-NEXT: enter counter(int) (.resume)
// CHECK-NEXT: enter work(int)
// CHECK-NEXT: exit work(int)
// CHECK-NEXT: exit counter(int) (.resume)
// CHECK: enter counter(int) (.destroy)
// CHECK: exit counter(int) (.destroy)
// FOLDED: main;counter(int)_(.resume);work(int) {{[0-9]+}}
