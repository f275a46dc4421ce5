// A longjmp (and a siglongjmp, every other round) out of 10 instrumented
// frames leaves them without exits; the setjmp's second return records a
// resume event, and every frtool command
// closes the skipped frames there: stacks stay as deep as the program's,
// calls are counted, and output stays bounded (before: the frames stayed
// open, and each round stacked 10 more on the staircase).
// RUN: %clang_fr -O0 %s -o %t0 %fr_link
// RUN: %clang_fr -O2 %s -o %t2 %fr_link
// RUN: rm -f %t0.fr %t2.fr
// RUN: env FR_OPTIONS=output=%t0.fr %t0
// RUN: env FR_OPTIONS=output=%t2.fr %t2
// RUN: %frtool dump %t0.fr | FileCheck %s
// RUN: %frtool dump %t2.fr | FileCheck %s
// Every round resumes twice (setjmp returns, then the jump lands), both kinds.
// RUN: %frtool dump %t2.fr | grep -c "resume round_trip .*(setjmp returned)" | FileCheck %s --check-prefix=RESUMES
// RESUMES: {{^}}200{{$}}
// RUN: %frtool summary --json %t0.fr > %t0.json
// RUN: %summary_check %t0.json 'functions[site.function=dive].inclusive.count==1000' 'functions[site.function=round_trip].inclusive.count==100' 'unwound_calls==1000' 'partial_calls==0'
// RUN: %frtool summary --json %t2.fr > %t2.json
// RUN: %summary_check %t2.json 'functions[site.function=dive].inclusive.count==1000' 'unwound_calls==1000'
// RUN: %frtool export --format=folded -o %t2.folded %t2.fr
// RUN: python3 -c "import sys; d = max(l.rsplit(' ', 1)[0].count(';') + 1 for l in open(sys.argv[1])); print('deepest', d); sys.exit(d > 12)" %t2.folded
// RUN: FileCheck %s --check-prefix=FOLDED < %t2.folded
// RUN: %frtool export --format=chrome -o %t2.trace %t2.fr
// RUN: python3 -c "import json,sys; ev=json.load(open(sys.argv[1]))['traceEvents']; b=sum(e.get('ph')=='B' for e in ev); e=sum(e.get('ph')=='E' for e in ev); print(b, e); sys.exit(b != e)" %t2.trace
// The frames the jumps skipped end there, and say so, as many as summary's
// unwound calls.
// RUN: python3 %inputs/chrome_events.py %t2.trace | grep -c '"end": "unwound"' | FileCheck %s --check-prefix=UNWOUND
// UNWOUND: {{^}}1000{{$}}
#include "fr.h"

#include <setjmp.h>
#include <stdio.h>

static jmp_buf back;
static sigjmp_buf sig_back;
static int with_signal_mask;

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void dive(int depth) {
  if (depth == 1) {
    if (with_signal_mask)
      siglongjmp(sig_back, 1);
    longjmp(back, 1);
  }
  dive(depth - 1);
  __asm__ volatile("");
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) int round_trip(void) {
  if (with_signal_mask) {
    if (sigsetjmp(sig_back, 1) == 0) {
      dive(10);
      return 0;
    }
    return 1;
  }
  if (setjmp(back) == 0) {
    dive(10);
    return 0;
  }
  return 1;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void after(void) {
  __asm__ volatile("");
}

FR_ALWAYS_INSTRUMENT int main(void) {
  int jumps = 0;
  for (int i = 0; i < 100; i++) {
    with_signal_mask = i & 1;
    jumps += round_trip();
  }
  after();
  return jumps == 100 ? 0 : 1;
}

// CHECK: enter round_trip
// CHECK-NEXT: resume round_trip {{.*}} (setjmp returned)
// CHECK-NEXT: enter dive
// CHECK-COUNT-9: enter dive
// CHECK-NEXT: resume round_trip {{.*}} (setjmp returned)
// CHECK-NEXT: exit round_trip
// CHECK-NEXT: enter round_trip
// FOLDED: {{^}}main;after {{[0-9]+}}
