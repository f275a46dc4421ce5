// SPDX-License-Identifier: Apache-2.0
// fr_altstack.c: an alternate signal stack for every thread that records, so
// that a stack overflow on any thread can still run the crash handler (which
// runs with SA_ONSTACK) and write its snapshot.
//
// Stacks come from slabs of FR_ALTSTACKS_PER_SLAB mapped together (one
// mapping per slab, not per thread: a process with many threads must not
// run into vm.max_map_count because of fr), never from malloc, and are
// marked free again when their thread exits. A thread that already has an
// alternate stack (the program's own) keeps it. Untouched, a stack costs
// address space only: its pages are touched when a signal runs on it.
//
// Concurrency: attach and detach run on the thread itself with
// fr_state.lock held (registration, exit), which also guards the free list.
#include "fr_internal.h"

#include <signal.h>

#define FR_ALTSTACK_BYTES (64u << 10) // the crash writer needs about 20 KiB
#define FR_ALTSTACKS_PER_SLAB 64u      // one bit each in a slab's mask

// Which stacks of a slab are in use is kept here, not in the stacks
// themselves: a free stack is never touched, so it costs no memory.
struct fr_altstack_slab {
  uint8_t *base;
  uint64_t used; // bit i: stack i is some thread's
  struct fr_altstack_slab *next;
};

#define FR_SLAB_RECORDS (4096 / sizeof(struct fr_altstack_slab))

static struct fr_altstack_slab *fr_slabs;      // every slab, newest first
static struct fr_altstack_slab *fr_spare_slabs; // records not yet used

// A slab with a free stack is moved to the front when a stack is given
// back, so taking one looks at the first slab in the common case.
static void *fr_altstack_take(void) {
  for (struct fr_altstack_slab *slab = fr_slabs; slab; slab = slab->next) {
    if (slab->used == UINT64_MAX)
      continue;
    unsigned i = (unsigned)__builtin_ctzll(~slab->used);
    slab->used |= 1ull << i;
    return slab->base + (uint64_t)i * FR_ALTSTACK_BYTES;
  }
  if (!fr_spare_slabs) {
    struct fr_altstack_slab *records = fr_map(4096);
    if (!records)
      return NULL;
    for (size_t i = 0; i < FR_SLAB_RECORDS; i++) {
      records[i].next = fr_spare_slabs;
      fr_spare_slabs = &records[i];
    }
  }
  uint8_t *base = fr_map((uint64_t)FR_ALTSTACK_BYTES * FR_ALTSTACKS_PER_SLAB);
  if (!base)
    return NULL;
  struct fr_altstack_slab *slab = fr_spare_slabs;
  fr_spare_slabs = slab->next;
  slab->base = base;
  slab->used = 1;
  slab->next = fr_slabs;
  fr_slabs = slab;
  return base;
}

static void fr_altstack_give_back(void *stack) {
  for (struct fr_altstack_slab **p = &fr_slabs; *p; p = &(*p)->next) {
    struct fr_altstack_slab *slab = *p;
    uint64_t offset = (uint64_t)((uint8_t *)stack - slab->base);
    if ((uint8_t *)stack >= slab->base &&
        offset < (uint64_t)FR_ALTSTACK_BYTES * FR_ALTSTACKS_PER_SLAB) {
      slab->used &= ~(1ull << (offset / FR_ALTSTACK_BYTES));
      *p = slab->next; // to the front: the next take finds it first
      slab->next = fr_slabs;
      fr_slabs = slab;
      return;
    }
  }
}

void *fr_altstack_attach(void) {
  stack_t current;
  if (sigaltstack(NULL, &current) != 0 || !(current.ss_flags & SS_DISABLE))
    return NULL; // the thread has one already (the program's)
  void *stack = fr_altstack_take();
  if (!stack)
    return NULL;
  stack_t ss = {.ss_sp = stack, .ss_size = FR_ALTSTACK_BYTES, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) {
    fr_altstack_give_back(stack);
    return NULL;
  }
  return stack;
}

void fr_altstack_detach(void *stack) {
  if (!stack)
    return;
  stack_t current;
  if (sigaltstack(NULL, &current) == 0 && current.ss_sp == stack &&
      !(current.ss_flags & SS_ONSTACK)) {
    stack_t off = {.ss_flags = SS_DISABLE};
    if (sigaltstack(&off, NULL) != 0)
      return; // still in use: leave it to the thread
  } else if (current.ss_sp == stack) {
    return; // running on it (a crash handler is exiting the thread)
  }
  fr_altstack_give_back(stack);
}
