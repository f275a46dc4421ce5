// Stress: an instrumented library dlopen()ed, called and dlclose()d 500
// times while another thread records; a snapshot every 25 rounds. Every
// snapshot validates (run.sh), and names the library's function (its site
// names stay readable after dlclose). Usage: dlopen-loop LIB DIR (with
// FR_OPTIONS set).
#include "fr.h"
#include "spinner.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>


int main(int argc, char **argv) {
  if (argc < 3)
    return 2;
  pthread_t t;
  pthread_create(&t, NULL, spinner, NULL);
  int loaded = 0, written = 0;
  for (int i = 0; i < 500; i++) {
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib)
      continue;
    int (*in_library)(int) = (int (*)(int))dlsym(lib, "in_library");
    if (in_library && in_library(i) == i + 40)
      loaded++;
    dlclose(lib);
    if (i % 25 == 24) {
      char path[4096];
      snprintf(path, sizeof(path), "%s/loop-%03d.fr", argv[2], i);
      written += fr_write_to_path(fr_default_recorder(), path) == FR_OK;
    }
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
  pthread_join(t, NULL);
  printf("rounds loaded and called: %d of 500, snapshots written: %d of 20\n",
         loaded, written);
  return 0;
}
