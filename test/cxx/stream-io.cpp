// C++ stream I/O that ends in read(2)/write(2) inside libstdc++ is
// recorded at the user's call: std::getline, std::istream::read,
// std::ostream::write and flush are blocking sites, at -O0 and -O2.
// RUN: %clangxx_fr -O0 %s -o %t0 %fr_link
// RUN: %clangxx_fr -O2 %s -o %t2 %fr_link
// RUN: rm -f %t0.fr %t2.fr
// RUN: env FR_OPTIONS=output=%t0.fr %t0 > /dev/null
// RUN: env FR_OPTIONS=output=%t2.fr %t2 > /dev/null
// RUN: %frtool summary %t0.fr | FileCheck %s
// RUN: %frtool summary %t2.fr | FileCheck %s
#include "fr.h"

#include <fstream>
#include <iostream>
#include <string>
FR_ALWAYS_INSTRUMENT int main() {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  char buf[8];
  in.read(buf, 8);
  std::cout.write("x\n", 2);
  std::cout.flush();
  return line.empty();
}

// CHECK: blocking calls by site
// CHECK-DAG: std::getline main {{.*}}stream-io.cpp:19
// CHECK-DAG: std::istream::read main {{.*}}stream-io.cpp:21
// CHECK-DAG: std::ostream::write main {{.*}}stream-io.cpp:22
// CHECK-DAG: std::ostream::flush main {{.*}}stream-io.cpp:23
