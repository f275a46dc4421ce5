// A site the overhead budget muted is marked in every summary table, in
// JSON and in the exports, and diff calls it not comparable instead of a
// regression: run A
// mutes hot() (default budget), run B records everything (budget=off).
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.a.fr %t.b.fr
// RUN: env FR_OPTIONS=output=%t.a.fr %t
// RUN: env FR_OPTIONS=output=%t.b.fr,budget=off %t
// RUN: %frtool summary %t.a.fr | FileCheck %s --check-prefix=SUMMARY
// RUN: %frtool summary --json %t.a.fr | FileCheck %s --check-prefix=JSON
// RUN: %frtool diff %t.a.fr %t.b.fr | FileCheck %s --check-prefix=DIFF
// RUN: %frtool diff %t.b.fr %t.a.fr | FileCheck %s --check-prefix=DIFF-BA
// The exports draw the mute where it happened.
// RUN: %frtool export --format=chrome -o - %t.a.fr | FileCheck %s --check-prefix=CHROME
// CHROME: "ph":"i",{{.*}}"cat":"budget","name":"muted: hot",{{.*}}"events_per_second":{{[0-9]+}}
#include "fr.h"

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) unsigned hot(unsigned x) {
  return x * 3 + 1;
}

FR_NEVER_INSTRUMENT int main(void) {
  unsigned sum = 0; // wraps, as unsigned arithmetic may (UBSan tier)
  for (unsigned i = 0; i < 20000000; i++)
    sum += hot(i);
  return sum == 42; // 0 unless the sum is 42
}

// SUMMARY: functions
// SUMMARY: hot {{.*}}diff-muted.c:18 (muted: calls while muted not counted)
// SUMMARY: muted by the overhead budget
// JSON: "function":"hot",{{.*}}"muted":true
// DIFF: not comparable (muted)
// DIFF-NOT: WORSE
// DIFF: muted  function hot {{.*}}(not comparable: muted in A)
// DIFF-BA: muted  function hot {{.*}}(not comparable: muted in B)
