// A shared library for the installed-tree tests.
static volatile int lib_sink;

__attribute__((noinline)) void lib_inner(void) { lib_sink++; }

__attribute__((noinline)) void lib_work(void) {
  for (int i = 0; i < 10; i++)
    lib_inner();
}
