// An instrumented shared library for shared-library.c.
#include "fr.h"
FR_ALWAYS_INSTRUMENT int in_library(int x) { return x + 40; }
