// Snapshot files never clobber and never follow: a file already at the path
// and a symlink at the path are left as they are, the problem is said in one
// line, and the program's exit status is its own. The file is mode 0600.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: echo precious > %t.dir/existing.fr
// RUN: env FR_OPTIONS=output=%t.dir/existing.fr %t 2>&1 | FileCheck %s --check-prefix=EXISTS
// RUN: cat %t.dir/existing.fr | FileCheck %s --check-prefix=KEPT
// RUN: echo target > %t.dir/target
// RUN: ln -s %t.dir/target %t.dir/link.fr
// RUN: env FR_OPTIONS=output=%t.dir/link.fr %t 2>&1 | FileCheck %s --check-prefix=LINK
// RUN: cat %t.dir/target | FileCheck %s --check-prefix=TARGET
// RUN: env FR_OPTIONS=output=%t.dir/new.fr %t
// RUN: stat -c %%a %t.dir/new.fr | FileCheck %s --check-prefix=MODE
// EXISTS-DAG: fr: cannot create snapshot {{.*}}existing.fr: File exists
// EXISTS-DAG: done
// KEPT: precious
// LINK: fr: cannot create snapshot {{.*}}link.fr: File exists
// TARGET: target
// MODE: 600
#include <stdio.h>
int main(void) {
  fprintf(stderr, "done\n");
  return 0;
}
