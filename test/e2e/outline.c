// Functions of at least outline= IR instructions are moved out whole
// (plugin/FrClone.h): F tests its guard and jumps to F.fr.body, its own
// code, or to F.fr, which records F's entry and exit around a call of the
// body. Built with clone=1 and outline=1 here, so that every chosen function
// that can be is outlined. Calls made while the recorder is stopped leave
// nothing; recursion is recorded at every level; a longjmp out of outlined
// frames leaves the stack repaired and the next call recorded; the names
// are the original functions'.
// A signal handler that calls an outlined function while the interrupted
// thread is entering the same function loses nothing: every call of step()
// made by main and by the handler is in the snapshot. With the pass token
// (outline=0), a handler that ran between the wrapper's store and F's test
// took the token: its call went unrecorded and the interrupted call recorded
// its entry twice (seen here, with outline=0: main;step;step in the folded
// stacks in 5 of 6 runs with 200 signals).
// UNSUPPORTED: tsan
// RUN: env FR_PASS_OPTIONS='clone=1;outline=1' %clang_fr -O2 %s -o %t %fr_link
// RUN: nm %t | FileCheck %s --check-prefix=OUTLINED
// RUN: rm -f %t.fr && env FR_OPTIONS=output=%t.fr,budget=off,max_bytes=64MiB,min_age=1h %t > %t.vars
// RUN: %frtool validate %t.fr
// RUN: %frtool summary --json %t.fr > %t.json
// RUN: %summary_check %t.json --vars %t.vars 'functions[site.function=tree].inclusive.count==16' 'functions[site.function=jumper].inclusive.count==3' 'functions[site.function=after_jump].inclusive.count==1' 'partial_calls==1'
// Every call of step() is in the window but those the runtime dropped
// because the handler interrupted the thread's own writing: a handler's
// call is four events (handler_step's and step's entries and exits).
// RUN: python3 -c "import json,sys; d=json.load(open(sys.argv[1])); n=[f['inclusive']['count'] for f in d['functions'] if f['site']['function']=='step'][0]; want=int(open(sys.argv[2]).read().split('step_calls=')[1].split()[0]); print('step', n, 'lost', d['lost_events'], 'made', want); sys.exit(n + d['lost_events'] // 4 != want)" %t.json %t.vars
// RUN: %frtool dump %t.fr | FileCheck %s
// The handler's calls are under handler_step, never a step in a step.
// RUN: %frtool export --format=folded -o %t.folded %t.fr
// RUN: not grep -E '(^|;)step;step' %t.folded
// RUN: grep -q 'step;handler_step;step ' %t.folded
// OUTLINED-DAG: t tree.fr
// OUTLINED-DAG: t tree.fr.body
// OUTLINED-DAG: t step.fr.body
// OUTLINED-DAG: t jumper.fr.body
// CHECK-NOT: .fr
// CHECK: enter tree
// CHECK-NEXT: enter tree
// CHECK-NEXT: enter tree
// CHECK-NEXT: enter tree
// CHECK-NEXT: exit tree
// CHECK-NOT: .fr
#include "fr.h"

#include "Inputs/recursion_shapes.h"

#include <signal.h>
#include <stdio.h>
#include <sys/time.h>

static volatile sig_atomic_t handler_calls;

// Called by main in a loop and by the handler, which interrupts it anywhere,
// its entry included.
FR_ALWAYS_INSTRUMENT __attribute__((noinline)) unsigned step(unsigned x) {
  for (unsigned i = 0; i < 8; i++)
    x = x * 31 + sink;
  return x;
}

FR_ALWAYS_INSTRUMENT __attribute__((noinline)) void handler_step(void) {
  sink += step(sink);
}

static void on_alarm(int sig) {
  (void)sig;
  handler_step();
  handler_calls++;
}

int main(void) {
  fr_recorder *r = fr_default_recorder();
  fr_stop(r);
  tree(3); // while the recorder is stopped: nothing
  step(1);
  fr_start(r);
  unsigned total = tree(3);
  if (!setjmp(back))
    jumper(2);
  total += after_jump();

  // A signal every 100 us until 500 have come: however loaded the machine,
  // each lands somewhere in main's calls of step() (the loop waits for them,
  // not for a time).
  struct sigaction sa = {.sa_handler = on_alarm};
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL);
  struct itimerval every = {{0, 100}, {0, 100}};
  setitimer(ITIMER_REAL, &every, NULL);
  unsigned main_calls = 0;
  while (handler_calls < 500) {
    total += step(main_calls);
    main_calls++;
  }
  struct itimerval off = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &off, NULL);
  printf("step_calls=%u\n", main_calls + (unsigned)handler_calls);
  printf("total %u\n", total);
  return 0;
}
