// A recursive function's total counts each call once: only the calls not
// inside another call of it (a 20-deep recursion is not 20 times its
// time). Its call count and per-call figures still count every call. The
// summary, its JSON and the report agree; the total never exceeds the
// caller's (before: rec's total was about 10 times main's).
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr %t
// RUN: %frtool summary --json %t.fr > %t.json
// RUN: python3 -c "import json,sys; f={x['site']['function']: x for x in json.load(open(sys.argv[1]))['functions']}; r, m = f['rec'], f['main']; print('calls', r['inclusive']['count']); sys.exit(not (r['total_ns'] <= m['inclusive']['total_ns'] and r['total_ns'] < r['inclusive']['total_ns']))" %t.json | FileCheck %s
// CHECK: calls 210
#include "fr.h"

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int rec(int n) {
  volatile int spin = 0;
  for (int i = 0; i < 1000; i++)
    spin += i;
  return n ? rec(n - 1) + 1 : spin & 1;
}

FR_ALWAYS_INSTRUMENT int main(void) {
  int sum = 0;
  for (int i = 0; i < 10; i++)
    sum += rec(20);
  return sum >= 200 ? 0 : 1;
}
