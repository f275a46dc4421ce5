// Snapshot files never clobber and never follow: a file already at the path
// and a symlink at the path are left as they are, and the snapshot goes to
// the next free name (NAME.1.fr, NAME.2.fr) with one line saying so (a
// reused pid's snapshot used to be lost with "File exists"). A snapshot is
// written to a temporary file and linked to its name when complete: no
// temporary file is left. The file is mode 0600; the program's exit status
// is its own.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir
// RUN: echo precious > %t.dir/existing.fr
// RUN: env FR_OPTIONS=output=%t.dir/existing.fr %t 2>&1 | FileCheck %s --check-prefix=EXISTS
// RUN: cat %t.dir/existing.fr | FileCheck %s --check-prefix=KEPT
// RUN: %frtool validate %t.dir/existing.1.fr
// RUN: echo target > %t.dir/target
// RUN: ln -s %t.dir/target %t.dir/link.fr
// RUN: env FR_OPTIONS=output=%t.dir/link.fr %t 2>&1 | FileCheck %s --check-prefix=LINK
// RUN: env FR_OPTIONS=output=%t.dir/link.fr %t 2>&1 | FileCheck %s --check-prefix=LINK2
// RUN: cat %t.dir/target | FileCheck %s --check-prefix=TARGET
// RUN: %frtool validate %t.dir/link.1.fr %t.dir/link.2.fr
// RUN: env FR_OPTIONS=output=%t.dir/new.fr %t
// RUN: stat -c %%a %t.dir/new.fr | FileCheck %s --check-prefix=MODE
// RUN: ls %t.dir | FileCheck %s --check-prefix=LEFT
// EXISTS-DAG: fr: snapshot written to {{.*}}existing.1.fr (its name was taken)
// EXISTS-DAG: done
// KEPT: precious
// LINK: fr: snapshot written to {{.*}}link.1.fr (its name was taken)
// LINK2: fr: snapshot written to {{.*}}link.2.fr (its name was taken)
// TARGET: target
// MODE: 600
// LEFT-NOT: partial
#include <stdio.h>
int main(void) {
  fprintf(stderr, "done\n");
  return 0;
}
