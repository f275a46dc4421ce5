; Lock call sites. A lock with a try counterpart is replaced, while its guard
; byte is nonzero, by the runtime's try-first wrapper, which gets the guard
; (else the original call runs); unlock and signal get a hook before, trylock
; a hook after with the result, both only under FR_GUARD_ALL (a site the
; budget muted keeps only its waits); cond waits a hook on each side; a
; user-named lock gets wait/acquired hooks around it.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;lock=my_lock;unlock=my_unlock>' -S %s | FileCheck %s
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;lock=my_lock;unlock=my_unlock>' -S %s | FileCheck %s --check-prefix=SITES
; RUN: %opt -mtriple=x86_64-pc-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<clone=0;lock=my_lock;unlock=my_unlock>' -S %s | FileCheck %s --check-prefix=PEEK
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;calls=blocking>' -S %s | FileCheck %s --check-prefix=OFF
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;calls=none>' -S %s | FileCheck %s --check-prefix=OFF

%mutex = type { [40 x i8] }

declare i32 @pthread_mutex_lock(%mutex*)
declare i32 @pthread_mutex_unlock(%mutex*)
declare i32 @pthread_mutex_trylock(%mutex*)
declare i32 @pthread_mutex_timedlock(%mutex*, i8*)
declare i32 @pthread_rwlock_rdlock(i8*)
declare i32 @pthread_rwlock_wrlock(i8*)
declare i32 @pthread_rwlock_unlock(i8*)
declare i32 @pthread_spin_lock(i8*)
declare i32 @pthread_cond_wait(i8*, %mutex*)
declare i32 @pthread_cond_signal(i8*)
declare i32 @pthread_cond_broadcast(i8*)
declare i32 @sem_wait(i8*)
declare i32 @sem_post(i8*)
declare i32 @mtx_lock(i8*)
declare i32 @cnd_wait(i8*, i8*)

define i32 @mutex(%mutex* %m) {
  %r = call i32 @pthread_mutex_lock(%mutex* %m)
  %u = call i32 @pthread_mutex_unlock(%mutex* %m)
  %t = call i32 @pthread_mutex_trylock(%mutex* %m)
  %s = add i32 %r, %t
  ret i32 %s
}
; CHECK-LABEL: define i32 @mutex(
; CHECK:      %fr.guard = load i8, {{.*}}@__fr_guards
; CHECK-NEXT: %fr.on = icmp ne i8 %fr.guard, 0
; CHECK-NEXT: br i1 %fr.on, label %[[WRAP:[0-9]+]], label %[[PLAIN:[0-9]+]]
; CHECK:      [[WRAP]]:
; CHECK:      %fr.site = add i32 %fr.base, 0
; CHECK:      %fr.mode = zext i8 %fr.guard to i32
; CHECK:      %fr.all = icmp ne i8 {{%[0-9]+}}, 0
; CHECK-NEXT: br i1 %fr.all, label %[[FULL:[0-9]+]], label %[[MUTED:[0-9]+]]
; CHECK:      [[FULL]]:
; CHECK-NEXT: [[W:%[0-9]+]] = call i32 @__fr_lock_acquire(i32 %fr.site, {{.*}} @pthread_mutex_trylock{{.*}}, {{.*}} @pthread_mutex_lock{{.*}}, i32 16, i32 %fr.mode)
; A muted site takes the lock through its try, inline, and records only a
; contended wait.
; CHECK:      [[MUTED]]:
; CHECK-NEXT: [[T:%[0-9]+]] = call i32 @pthread_mutex_trylock(
; CHECK-NEXT: [[B:%[0-9]+]] = icmp eq i32 [[T]], 16
; CHECK-NEXT: br i1 [[B]], label %[[CONT:[0-9]+]], label
; CHECK:      [[CONT]]:
; CHECK:      call i32 @__fr_lock_contended(i32 %fr.site{{[0-9]+}}, {{.*}}, {{.*}} null, {{.*}} @pthread_mutex_lock{{.*}}, {{.*}}null, i32 0, i32 16)
; CHECK:      %fr.muted = phi i32 [ [[T]],
; CHECK:      %fr.recorded = phi i32 [ [[W]], %[[FULL]] ], [ %fr.muted,
; CHECK:      [[PLAIN]]:
; CHECK-NEXT: %r = call i32 @pthread_mutex_lock(
; CHECK:      %fr.lock = phi i32 [ %fr.recorded, {{%[0-9]+}} ], [ %r, %[[PLAIN]] ]
; The release is stamped before the unlock.
; CHECK:      [[REL:%fr.guard[0-9]+]] = load i8, {{.*}}@__fr_guards
; CHECK:      [[RELALL:%[0-9]+]] = and i8 [[REL]], 1
; CHECK-NEXT: [[RELON:%fr.all[0-9]*]] = icmp ne i8 [[RELALL]], 0
; CHECK-NEXT: br i1 [[RELON]],
; CHECK:      call void @__fr_lock_release(i32 %fr.site{{[0-9]+}}, i64
; CHECK:      %u = call i32 @pthread_mutex_unlock(
; CHECK-NEXT: %fr.guard{{[0-9]+}} = load i8,
; CHECK-NEXT: %t = call i32 @pthread_mutex_trylock(
; CHECK:      [[TR:%[0-9]+]] = sext i32 %t to i64
; CHECK:      br i1 %fr.all{{[0-9]+}},
; CHECK:      call void @__fr_lock_try(i32 %fr.site{{[0-9]+}}, i64 {{%[0-9]+}}, i64 [[TR]])
; CHECK:      %s = add i32 %fr.lock, %t

; On glibc, a muted pthread_mutex_lock looks at the lock word instead of
; trying (glibc's trylock costs more than its lock); a busy word goes to the
; runtime with the try, which it makes before recording a wait.
; PEEK-LABEL: define i32 @mutex(
; PEEK:      %fr.lockword = load atomic i32, {{.*}} monotonic, align 4, !nosanitize
; PEEK-NEXT: [[BUSY:%[0-9]+]] = icmp ne i32 %fr.lockword, 0
; PEEK-NEXT: br i1 [[BUSY]], label %[[CONT:[0-9]+]], label %[[FREE:[0-9]+]]
; PEEK:      [[CONT]]:
; PEEK:      call i32 @__fr_lock_contended({{.*}}@pthread_mutex_trylock{{.*}}@pthread_mutex_lock{{.*}}, i32 0, i32 16)
; PEEK:      [[FREE]]:
; PEEK-NEXT: call i32 @pthread_mutex_lock(
; The timed lock is tried, not peeked at.
; PEEK-LABEL: define i32 @others(
; PEEK-NOT:  %fr.lockword
; PEEK:      call i32 @__fr_lock_contended({{.*}}@pthread_mutex_timedlock

define i32 @others(%mutex* %m, i8* %rw, i8* %spin, i8* %cond, i8* %sem, i8* %c11, i8* %deadline) {
  %a = call i32 @pthread_mutex_timedlock(%mutex* %m, i8* %deadline)
  %b = call i32 @pthread_rwlock_rdlock(i8* %rw)
  %c = call i32 @pthread_rwlock_wrlock(i8* %rw)
  %d = call i32 @pthread_rwlock_unlock(i8* %rw)
  %e = call i32 @pthread_spin_lock(i8* %spin)
  %f = call i32 @sem_wait(i8* %sem)
  %g = call i32 @sem_post(i8* %sem)
  %h = call i32 @mtx_lock(i8* %c11)
  %i = call i32 @pthread_cond_wait(i8* %cond, %mutex* %m)
  %j = call i32 @pthread_cond_signal(i8* %cond)
  %k = call i32 @pthread_cond_broadcast(i8* %cond)
  %l = call i32 @cnd_wait(i8* %cond, i8* %c11)
  ret i32 %a
}
; CHECK-LABEL: define i32 @others(
; CHECK: call i32 @__fr_lock_acquire_timed({{.*}}@pthread_mutex_trylock{{.*}}@pthread_mutex_timedlock{{.*}}, {{.*}} %deadline{{.*}}, i32 16, i32 %fr.mode{{[0-9]*}})
; CHECK: call i32 @__fr_lock_contended({{.*}}@pthread_mutex_timedlock{{.*}}, {{.*}} %deadline{{.*}}, i32 1, i32 16)
; CHECK: call i32 @__fr_lock_acquire({{.*}}@pthread_rwlock_tryrdlock{{.*}}@pthread_rwlock_rdlock{{.*}}, i32 16, i32 %fr.mode{{[0-9]*}})
; CHECK: call i32 @__fr_lock_acquire({{.*}}@pthread_rwlock_trywrlock{{.*}}@pthread_rwlock_wrlock{{.*}}, i32 16, i32 %fr.mode{{[0-9]*}})
; CHECK: call void @__fr_lock_release(
; CHECK: %d = call i32 @pthread_rwlock_unlock(
; CHECK: call i32 @__fr_lock_acquire({{.*}}@pthread_spin_trylock{{.*}}@pthread_spin_lock{{.*}}, i32 16, i32 %fr.mode{{[0-9]*}})
; sem_trywait reports "busy" as -1 with errno EAGAIN; C11's mtx_trylock as thrd_busy (1).
; CHECK: call i32 @__fr_lock_acquire({{.*}}@sem_trywait{{.*}}@sem_wait{{.*}}, i32 -1, i32 %fr.mode{{[0-9]*}})
; CHECK-NOT: call i32 @__fr_lock_contended
; CHECK: %f = call i32 @sem_wait(
; CHECK: call void @__fr_lock_release(
; CHECK: %g = call i32 @sem_post(
; CHECK: call i32 @__fr_lock_acquire({{.*}}@mtx_trylock{{.*}}@mtx_lock{{.*}}, i32 1, i32 %fr.mode{{[0-9]*}})
; CHECK: call void @__fr_cond_wait(i32 %fr.site{{[0-9]+}}, i64 [[COND:%[0-9]+]], i64
; CHECK: %i = call i32 @pthread_cond_wait(
; CHECK: call void @__fr_cond_woken(i32 %fr.site{{[0-9]+}}, i64 [[COND]], i64
; CHECK: call void @__fr_cond_signal(
; CHECK: %j = call i32 @pthread_cond_signal(
; CHECK: call void @__fr_cond_signal(
; CHECK: %k = call i32 @pthread_cond_broadcast(
; CHECK: call void @__fr_cond_wait(
; CHECK: %l = call i32 @cnd_wait(
; CHECK: call void @__fr_cond_woken(

; A user-named lock has no try: its wait is recorded around the call.
declare void @my_lock(i8*)
declare void @my_unlock(i8*)
define void @user(i8* %obj) {
  call void @my_lock(i8* %obj)
  call void @my_unlock(i8* %obj)
  ret void
}
; CHECK-LABEL: define void @user(
; CHECK: call void @__fr_lock_wait(i32 %fr.site{{[0-9]*}}, i64 [[OBJ:%[0-9]+]])
; CHECK: call void @my_lock(
; CHECK: call void @__fr_lock_acquired(i32 %fr.site{{[0-9]*}}, i64 [[OBJ]], i64 0)
; CHECK: call void @__fr_lock_release(
; CHECK: call void @my_unlock(

; The program's own function named like a lock function is not one.
define i32 @sem_trywait(i8* %s) {
  ret i32 0
}
define i32 @own(i8* %s) {
  %r = call i32 @sem_trywait(i8* %s)
  ret i32 %r
}
; CHECK-LABEL: define i32 @own(
; CHECK-NEXT: %r = call i32 @sem_trywait(
; CHECK-NEXT: ret i32 %r

; Site records: kind 2 (lock), detail 1 mutex, 2 rwlock read, 3 semaphore,
; 4 condition, 6 rwlock write, 7 spin, 0x305 user (5; no try: waits always;
; muted off); 0x200 on the sites that record nothing while muted (unlock,
; try, post, signal: the budget mutes them off, not to their waits); the
; callee's name is the record's last string.
; SITES-DAG: c"pthread_mutex_lock\00"
; SITES-DAG: c"pthread_cond_wait\00"
; SITES-DAG: c"my_lock\00"
; SITES-DAG: { i16 2, i16 1, i32 0,
; SITES-DAG: { i16 2, i16 2, i32 0,
; SITES-DAG: { i16 2, i16 3, i32 0,
; SITES-DAG: { i16 2, i16 4, i32 0,
; SITES-DAG: { i16 2, i16 6, i32 0,
; SITES-DAG: { i16 2, i16 7, i32 0,
; SITES-DAG: { i16 2, i16 773, i32 0,
; SITES-DAG: { i16 2, i16 513, i32 0,
; SITES-DAG: { i16 2, i16 515, i32 0,
; SITES-DAG: { i16 2, i16 516, i32 0,
; SITES-DAG: { i16 2, i16 518, i32 0,

; OFF-NOT: __fr_lock
; OFF-NOT: __fr_cond
