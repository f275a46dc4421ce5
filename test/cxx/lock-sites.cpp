// C++ lock and blocking sites are the user's lines, at -O0 and -O2: a site
// inlined from a system header is attributed to the innermost frame outside
// it, named after the library function called there, with paths
// normalized. std::condition_variable::wait (out of line in libstdc++) is a
// cond wait on the unique_lock's mutex, std::thread::join a blocking call,
// and a read() inside a scope with a destructor (an invoke) is recorded.
// Before: every std::mutex lock at "__gthread_mutex_lock
// /usr/bin/../lib/gcc/.../gthr-default.h:749", no cond wait, no join, and
// the invoked read() invisible.
// RUN: %clangxx_fr -std=c++17 -O0 %s -o %t0 %fr_link
// RUN: %clangxx_fr -std=c++17 -O2 %s -o %t2 %fr_link
// RUN: rm -f %t0.fr %t2.fr
// RUN: env FR_OPTIONS=output=%t0.fr %t0
// RUN: env FR_OPTIONS=output=%t2.fr %t2
// RUN: %frtool summary %t0.fr | FileCheck %s
// RUN: %frtool summary %t2.fr | FileCheck %s
// RUN: %frtool summary %t0.fr | FileCheck %s --check-prefix=NOT-LIBRARY
// RUN: %frtool summary %t2.fr | FileCheck %s --check-prefix=NOT-LIBRARY
// RUN: %frtool summary --json %t2.fr > %t2.json
// RUN: %summary_check %t2.json 'blocking_sites[site.callee=read].duration.count==1' 'blocking_sites[site.callee=std::thread::join].duration.count==1'
// Names are demangled unless asked otherwise (names=mangled).
// RUN: env FR_PASS_OPTIONS=names=mangled %clangxx_fr -std=c++17 -O2 %s -o %tm %fr_link
// RUN: rm -f %tm.fr && env FR_OPTIONS=output=%tm.fr %tm
// RUN: %frtool summary %tm.fr | FileCheck %s --check-prefix=MANGLED
#include "fr.h"

#include <atomic>
#include <condition_variable>
#include <fcntl.h>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unistd.h>

struct Account {
  std::mutex m;
  std::shared_mutex rw;
  std::condition_variable cv;
  long balance = 0;
  bool ready = false;
  std::atomic<bool> waiting{false};

  void deposit(long n) {
    std::lock_guard<std::mutex> g(m);
    balance += n;
  }
  long peek() {
    std::shared_lock<std::shared_mutex> g(rw);
    return balance;
  }
  void wait_ready() {
    std::unique_lock<std::mutex> g(m);
    waiting = true; // m is released only inside the wait: set_ready waits
    cv.wait(g, [this] { return ready; });
  }
  void set_ready() {
    {
      std::scoped_lock g(m);
      ready = true;
    }
    cv.notify_all();
  }
};

FR_ALWAYS_INSTRUMENT long read_file(const char *path) {
  std::string name(path); // a destructor in scope: read() is invoked
  int fd = open(name.c_str(), O_RDONLY);
  char buf[64];
  long n = read(fd, buf, sizeof buf);
  close(fd);
  return n;
}

int main() {
  Account a;
  std::thread t([&] {
    a.wait_ready();
    a.deposit(1);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  while (!a.waiting)
    std::this_thread::yield();
  a.set_ready();
  t.join();
  a.deposit(2);
  long n = read_file("/proc/self/stat");
  return a.peek() == 3 && n > 0 ? 0 : 1;
}

// CHECK: lock sites
// CHECK-DAG: std::lock_guard<std::mutex>::lock_guard Account::deposit(long) {{.*}}lock-sites.cpp:45
// CHECK-DAG: std::shared_lock<std::shared_mutex>::shared_lock Account::peek() {{.*}}lock-sites.cpp:49
// CHECK-DAG: std::unique_lock<std::mutex>::unique_lock Account::wait_ready() {{.*}}lock-sites.cpp:53
// CHECK-DAG: std::condition_variable::wait Account::wait_ready() {{.*}}lock-sites.cpp:55
// CHECK-DAG: std::scoped_lock<std::mutex>::scoped_lock Account::set_ready() {{.*}}lock-sites.cpp:59
// CHECK: blocking calls by site
// CHECK-DAG: std::this_thread::sleep_for main {{.*}}lock-sites.cpp:81
// CHECK-DAG: std::thread::join main {{.*}}lock-sites.cpp:85
// CHECK-DAG: read read_file(char const*) {{.*}}lock-sites.cpp:70
// NOT-LIBRARY-NOT: gthr-default.h
// NOT-LIBRARY-NOT: /../
// MANGLED: _ZNSt10lock_guardISt5mutexEC2ERS0_ _ZN7Account7depositEl {{.*}}lock-sites.cpp:45
