// tls_ring_hooks.c: the -finstrument-functions peer: the least a recorder can
// do per event (rdtsc and the function address into a thread-local ring).
#include <stdint.h>

#define RING 65536
static __thread struct {
  uint64_t tsc;
  void *fn;
} ring[RING] __attribute__((tls_model("initial-exec")));
static __thread unsigned pos __attribute__((tls_model("initial-exec")));

__attribute__((no_instrument_function)) void
__cyg_profile_func_enter(void *fn, void *site) {
  (void)site;
  unsigned p = pos++ & (RING - 1);
  ring[p].tsc = __builtin_ia32_rdtsc();
  ring[p].fn = fn;
}

__attribute__((no_instrument_function)) void
__cyg_profile_func_exit(void *fn, void *site) {
  __cyg_profile_func_enter(fn, site);
}
