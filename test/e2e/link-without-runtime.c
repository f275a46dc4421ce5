// Decision (README, "Linking"): a program compiled with the plugin must be
// linked with the runtime; without it the link fails and names the missing
// runtime entry points.
// RUN: not %clang_fr -O2 %s -o %t 2>&1 | FileCheck %s
// CHECK-DAG: undefined reference to `__fr_register_module'
// CHECK-DAG: undefined reference to `__fr_unregister_module'
// CHECK-DAG: undefined reference to `__fr_func_enter'
#include "fr.h"
FR_ALWAYS_INSTRUMENT int main(void) { return 0; }
