// Names are demangled everywhere, and a long C++ name is shortened in text
// tables (template arguments first, then parameters), never in JSON or
// exports: the functions table stays readable, the full name is one
// --json away.
// RUN: %clangxx_fr -std=c++17 -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t
// RUN: %frtool summary %t.fr | FileCheck %s
// RUN: %frtool summary --json %t.fr | FileCheck %s --check-prefix=JSON
// RUN: %frtool dump %t.fr | FileCheck %s --check-prefix=DUMP
#include "fr.h"

#include <map>
#include <string>
#include <vector>

template <typename Key, typename Value>
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) size_t
count_entries(const std::map<Key, std::vector<Value>> &table) {
  size_t n = 0;
  for (const auto &entry : table)
    n += entry.second.size();
  return n;
}

FR_ALWAYS_INSTRUMENT int main() {
  std::map<std::string, std::vector<std::pair<std::string, long>>> table;
  table["a"].push_back({"b", 1});
  return count_entries(table) == 1 ? 0 : 1;
}

// CHECK: functions
// CHECK: unsigned long count_entries<...>(std::map<...> const&) {{.*}}long-names.cpp:{{1[789]}}
// JSON: "function":"unsigned long count_entries\u003cstd::__cxx11::basic_string\u003cchar, std::char_traits\u003cchar
// DUMP: enter unsigned long count_entries<std::__cxx11::basic_string<char
