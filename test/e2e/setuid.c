// FR_OPTIONS is ignored, with one line, in a privileged process (setuid,
// setgid or file capabilities: AT_SECURE), so that a local user cannot
// choose where a privileged program writes files or change its signal
// dispositions. A setuid-root copy of the program, run as nobody, records
// nothing and writes no file; the same copy run by root records. Needs root
// (to make the copy) and setpriv (util-linux).
// REQUIRES: root
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: rm -rf %t.dir && mkdir %t.dir && chmod 1777 %t.dir && cp %t %t.dir/prog
// RUN: chown root:root %t.dir/prog && chmod 4755 %t.dir/prog
// RUN: env FR_OPTIONS=output=%t.dir/snap.fr setpriv --reuid=65534 --regid=65534 --clear-groups %t.dir/prog 2>&1 | FileCheck %s --check-prefix=SECURE
// RUN: test ! -e %t.dir/snap.fr
// RUN: env FR_OPTIONS=output=%t.dir/root.fr %t.dir/prog 2>&1 | FileCheck %s --check-prefix=ROOT
// RUN: test -e %t.dir/root.fr
// SECURE: fr: FR_OPTIONS is ignored in a privileged (setuid, setgid or capability) process
// SECURE: recording 0
// ROOT-NOT: ignored
// ROOT: recording 1
#include "fr.h"
#include <stdio.h>
FR_ALWAYS_INSTRUMENT int work(void) { return 42; }
int main(void) {
  printf("recording %d\n", work() == 42 && fr_default_recorder() &&
                               fr_enabled(fr_default_recorder()));
  return 0;
}
