// A malformed FR_OPTIONS gets one clear line on stderr and the program runs
// on, unchanged, with recording off; an unwritable output path is reported
// once and the exit status is untouched.
// RUN: %clang_fr -O1 %s -o %t %fr_link
// RUN: env FR_OPTIONS=max_bytes=lots %t 2> %t.err | FileCheck %s --check-prefix=RUNS
// RUN: FileCheck %s --check-prefix=SIZE < %t.err
// RUN: env FR_OPTIONS=min_age=5 %t 2>&1 | FileCheck %s --check-prefix=UNIT
// RUN: env FR_OPTIONS=colour=blue %t 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: env FR_OPTIONS=exit_dump=maybe %t 2>&1 | FileCheck %s --check-prefix=BOOL
// RUN: env FR_OPTIONS=output=/tmp/%%q.fr %t 2>&1 | FileCheck %s --check-prefix=PCT
// RUN: env FR_OPTIONS=justaword %t 2>&1 | FileCheck %s --check-prefix=WORD
// RUN: env FR_OPTIONS=output=/nonexistent/dir/x.fr %t 2>&1 | FileCheck %s --check-prefix=UNWRITABLE
// RUN: env FR_OPTIONS=off %t 2>&1 | FileCheck %s --check-prefix=OFF
// RUN: env FR_OPTIONS=signal=USR9 %t 2>&1 | FileCheck %s --check-prefix=SIGNAME
// RUN: env FR_OPTIONS=signal=11 %t 2>&1 | FileCheck %s --check-prefix=SIGCRASH
// RUN: env FR_OPTIONS=lock_wait=20 %t 2>&1 | FileCheck %s --check-prefix=THRESH
// RUN: env FR_OPTIONS=blocking=-5ms %t 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: env FR_OPTIONS=slow=handle_request %t 2>&1 | FileCheck %s --check-prefix=WATCH
// RUN: env FR_OPTIONS=slow=:50ms %t 2>&1 | FileCheck %s --check-prefix=WATCHNAME
// RUN: env FR_OPTIONS=max_dumps=many %t 2>&1 | FileCheck %s --check-prefix=COUNT
// RUN: env FR_OPTIONS=rate=fast %t 2>&1 | FileCheck %s --check-prefix=RATE
// RUN: env FR_OPTIONS=max_bytes=10PiB %t 2>&1 | FileCheck %s --check-prefix=UNITSIZE
// RUN: env FR_OPTIONS=crash=perhaps %t 2>&1 | FileCheck %s --check-prefix=CRASH
// RUN: env FR_OPTIONS==5s %t 2>&1 | FileCheck %s --check-prefix=NOKEY
// RUN: env FR_OPTIONS=max_bytes=0 %t 2>&1 | FileCheck %s --check-prefix=SIZE0
// RUN: env FR_OPTIONS=max_bytes=1KiB %t 2>&1 | FileCheck %s --check-prefix=SIZESMALL
// RUN: env FR_OPTIONS=max_bytes=100000000G %t 2>&1 | FileCheck %s --check-prefix=SIZEHUGE
// RUN: env FR_OPTIONS=min_age=100000000h %t 2>&1 | FileCheck %s --check-prefix=AGEHUGE
// RUN: env FR_OPTIONS=min_age=0s %t 2>&1 | FileCheck %s --check-prefix=AGE0
// RUN: env FR_OPTIONS=budget=150%% %t 2>&1 | FileCheck %s --check-prefix=BUDGET
// RUN: rm -rf %t.semi && mkdir %t.semi && cd %t.semi && env 'FR_OPTIONS=output=x.fr;max_bytes=1MiB' %t 2>&1 | FileCheck %s --check-prefix=SEMICOLON
// RUN: ls %t.semi | count 0
// RUN: env FR_OPTIONS=budget=0 %t 2>&1 | FileCheck %s --check-prefix=BUDGET0
// RUN: env FR_OPTIONS=budget=0.5%%,exit_dump=0 %t 2>&1 | FileCheck %s --check-prefix=BUDGETOK
#include "fr.h"
#include <stdio.h>
FR_ALWAYS_INSTRUMENT int work(void) { return 42; }
int main(void) {
  printf("work %d recording %d\n", work(),
         fr_default_recorder() && fr_enabled(fr_default_recorder()));
  return 0;
}
// RUNS: work 42 recording 0
// SIZE: fr: FR_OPTIONS: bad value 'lots' for max_bytes (expected a size from 64KiB to 64TiB such as 512KiB or 16MiB); recording is off
// SIZE-NOT: fr:
// UNIT: fr: FR_OPTIONS: bad value '5' for min_age (expected a duration from 1ms to 720h such as 500ms, 5s or 2m); recording is off
// UNIT: work 42 recording 0
// KEY: fr: FR_OPTIONS: unknown option 'colour' (known: enable min_age max_bytes budget rearm counted output exit_dump signal crash lock_wait blocking slow rate max_dumps); recording is off
// BOOL: fr: FR_OPTIONS: bad value 'maybe' for exit_dump (expected 0 or 1); recording is off
// PCT: fr: FR_OPTIONS: bad value '/tmp/%q.fr' for output (expected a path; % may only be followed by p, t, n, e or %); recording is off
// WORD: fr: FR_OPTIONS: 'justaword' is not key=value; recording is off
// UNWRITABLE-DAG: work 42 recording 1
// UNWRITABLE-DAG: fr: cannot create snapshot /nonexistent/dir/x.fr: No such file or directory
// OFF-NOT: fr:
// OFF: work 42 recording 0
// SIGNAME: fr: FR_OPTIONS: bad value 'USR9' for signal (expected a signal such as USR2, SIGUSR1, RTMIN+3 or 12 (not one the crash trigger uses), or off); recording is off
// SIGNAME-NEXT: work 42 recording 0
// SIGCRASH: fr: FR_OPTIONS: bad value '11' for signal
// THRESH: fr: FR_OPTIONS: bad value '20' for lock_wait (expected a duration such as 20ms, or off); recording is off
// NEG: fr: FR_OPTIONS: bad value '-5ms' for blocking (expected a duration such as 20ms, or off); recording is off
// WATCH: fr: FR_OPTIONS: bad value 'handle_request' for slow (expected FUNCTION:DURATION such as handle_request:50ms, or off); recording is off
// WATCH-NEXT: work 42 recording 0
// WATCHNAME: fr: FR_OPTIONS: bad value ':50ms' for slow
// COUNT: fr: FR_OPTIONS: bad value 'many' for max_dumps (expected a whole number); recording is off
// RATE: fr: FR_OPTIONS: bad value 'fast' for rate (expected a duration such as 500ms, 5s or 2m); recording is off
// UNITSIZE: fr: FR_OPTIONS: bad value '10PiB' for max_bytes (expected a size from 64KiB to 64TiB such as 512KiB or 16MiB); recording is off
// CRASH: fr: FR_OPTIONS: bad value 'perhaps' for crash (expected 0 or 1); recording is off
// NOKEY: fr: FR_OPTIONS: unknown option '' (known:
// SEMICOLON: fr: FR_OPTIONS: options are separated by ',', not ';' (in 'output=x.fr;max_bytes=1MiB'); recording is off
// SEMICOLON-NEXT: work 42 recording 0
// BUDGET: fr: FR_OPTIONS: bad value '150%' for budget (expected a percentage above 0 and below 100 such as 1% or 0.5%, or off); recording is off
// BUDGET-NEXT: work 42 recording 0
// BUDGET0: fr: FR_OPTIONS: bad value '0' for budget
// BUDGETOK-NOT: fr:
// BUDGETOK: work 42 recording 1
// SIZE0: fr: FR_OPTIONS: bad value '0' for max_bytes (expected a size from 64KiB to 64TiB such as 512KiB or 16MiB); recording is off
// SIZE0: work 42 recording 0
// SIZESMALL: fr: FR_OPTIONS: bad value '1KiB' for max_bytes (expected a size from 64KiB to 64TiB
// SIZEHUGE: fr: FR_OPTIONS: bad value '100000000G' for max_bytes (expected a size from 64KiB to 64TiB
// SIZEHUGE: work 42 recording 0
// AGEHUGE: fr: FR_OPTIONS: bad value '100000000h' for min_age (expected a duration from 1ms to 720h such as 500ms, 5s or 2m); recording is off
// AGEHUGE: work 42 recording 0
// AGE0: fr: FR_OPTIONS: bad value '0s' for min_age (expected a duration from 1ms to 720h
