; A chosen function of at most clone= IR instructions (default 300) is split:
; it keeps its own body behind one test of its guard, whose taken side is a
; tail call of an internal, noinline copy that holds the hooks. Its static
; allocas stay in the entry block, the call passes the arguments' ABI
; attributes on, and a copy of a function in a comdat is in that comdat.
; Functions a jump cannot forward (varargs, byval), that define labels or
; name their blocks (inline asm, blockaddress), optnone ones and larger ones
; keep their hooks inline, as with clone=0.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' -S %s | FileCheck %s
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=0>' -S %s | FileCheck %s --check-prefix=NEVER
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=4>' -S %s | FileCheck %s --check-prefix=FOUR
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' -S %s | FileCheck %s --check-prefix=NOCOPY
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' %s -o /dev/null
; RUN: not %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=x>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=BAD

$inline_copy = comdat any

declare void @use(i32*)

define signext i16 @small(i16 signext %x, i32* %p) {
entry:
  %slot = alloca i32
  call void @use(i32* %slot)
  %other = alloca i32
  call void @use(i32* %other)
  ret i16 %x
}
; CHECK-LABEL: define signext i16 @small(i16 signext %x, {{i32\*|ptr}} %p)
; CHECK-NEXT: fr.test:
; CHECK-NEXT: [[SLOT:%slot.*]] = alloca i32
; CHECK-NEXT: [[OTHER:%other.*]] = alloca i32
; CHECK-NEXT: [[G:%fr.guard[0-9]*]] = load i8, {{.*}}@__fr_guards{{.*}}, !nosanitize
; CHECK-NEXT: [[ON:%.*]] = icmp ne i8 [[G]], 0
; CHECK-NEXT: br i1 [[ON]], label %fr.record, label %entry, !prof
; CHECK: fr.record:
; CHECK-NEXT: [[R:%.*]] = tail call signext i16 @small.fr(i16 signext %x, {{i32\*|ptr}} %p)
; CHECK-NEXT: ret i16 [[R]]
; CHECK: entry:
; CHECK-NOT: call void @__fr_func_
; CHECK: ret i16 %x
; CHECK-NEXT: }

define linkonce_odr void @inline_copy(i32* %p) comdat {
  store i32 1, i32* %p
  ret void
}
; CHECK-LABEL: define linkonce_odr void @inline_copy(
; CHECK: fr.record:
; CHECK-NEXT: tail call void @inline_copy.fr({{i32\*|ptr}} %p)
; CHECK-NEXT: ret void

define i32 @varargs(i32 %n, ...) {
  ret i32 %n
}
; CHECK-LABEL: define i32 @varargs(
; CHECK: call void @__fr_func_enter

%struct.big = type { [8 x i64] }
define i64 @by_value(%struct.big* byval(%struct.big) %b) {
  %f = getelementptr %struct.big, %struct.big* %b, i64 0, i32 0, i64 0
  %v = load i64, i64* %f
  ret i64 %v
}
; CHECK-LABEL: define i64 @by_value(
; CHECK: call void @__fr_func_enter

define i32 @with_asm(i32 %x) {
  %r = call i32 asm "1: movl $1, $0", "=r,r"(i32 %x)
  ret i32 %r
}
; CHECK-LABEL: define i32 @with_asm(
; CHECK: call void @__fr_func_enter

@targets = global [1 x i8*] [i8* blockaddress(@computed_goto, %there)]
define void @computed_goto(i8* %to) {
  indirectbr i8* %to, [label %there]
there:
  ret void
}
; CHECK-LABEL: define void @computed_goto(
; CHECK: call void @__fr_func_enter

define void @not_optimized() noinline optnone {
  ret void
}
; CHECK-LABEL: define void @not_optimized(
; CHECK: call void @__fr_func_enter

define void @profiled() #1 {
  ret void
}
attributes #1 = { "instrument-function-entry-inlined"="mcount" "function-instrument"="xray-always" }
; CHECK-LABEL: define void @profiled()
; CHECK-SAME: #[[ORIGINAL:[0-9]+]]
; CHECK: tail call void @profiled.fr()

; The copies: internal, noinline, hooks inside; the comdat's in its comdat;
; instrumentation the backend adds (here -pg's and XRay's) is the original's.
; CHECK-LABEL: define internal signext i16 @small.fr(
; CHECK-SAME: #[[COPY:[0-9]+]]
; CHECK: call void @__fr_func_enter
; CHECK: call void @__fr_func_exit
; CHECK-LABEL: define internal void @inline_copy.fr({{i32\*|ptr}} %p) {{.*}}comdat($inline_copy)
; CHECK: call void @__fr_func_enter
; CHECK-LABEL: define internal void @profiled.fr()
; CHECK-SAME: #[[PROFILED:[0-9]+]]
; CHECK: attributes #[[ORIGINAL]] = { "function-instrument"="xray-always" "instrument-function-entry-inlined"="mcount" }
; CHECK: attributes #[[COPY]] = { noinline }
; CHECK: attributes #[[PROFILED]] = { noinline "function-instrument"="xray-never" }

; NOCOPY-NOT: @{{varargs|by_value|with_asm|computed_goto|not_optimized}}.fr

; NEVER-NOT: .fr(
; NEVER-NOT: {{^}}fr.record:

; clone=4: @small has 5 instructions, @inline_copy 2.
; FOUR-NOT: @small.fr
; FOUR: tail call void @inline_copy.fr(
; FOUR-NOT: @small.fr

; BAD: clone wants a number, got 'x'

; A wrapper of a lock (no site of its own, not chosen) is split too: its
; body stays the plain call, the copy has the lock's hooks, and the site is
; named after the wrapper. With the function's own site, one load tests both.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=1000>' -S %s | FileCheck %s --check-prefix=LOCK
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=1000>' -S %s | FileCheck %s --check-prefix=LOCKNAME
%mutex = type { [40 x i8] }
declare i32 @pthread_mutex_lock(%mutex*)
define i32 @lock_wrapper(%mutex* %m) {
  %r = tail call i32 @pthread_mutex_lock(%mutex* %m)
  ret i32 %r
}
; LOCK-LABEL: define i32 @lock_wrapper(
; LOCK-NEXT: fr.test:
; LOCK-NEXT: [[G:%fr.guard[0-9]*]] = load i8, {{.*}}@__fr_guards
; LOCK: fr.record:
; LOCK-NEXT: tail call i32 @lock_wrapper.fr(
; LOCK: tail call i32 @pthread_mutex_lock(
; LOCK-NEXT: ret i32
; LOCK-LABEL: define internal i32 @lock_wrapper.fr(
; LOCK: call {{.*}}@__fr_lock
; LOCKNAME-NOT: lock_wrapper.fr\00
; LOCKNAME: c"lock_wrapper\00"
; LOCKNAME-NOT: lock_wrapper.fr\00

; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<allow=chosen_locker>' -S %s | FileCheck %s --check-prefix=BOTH
define void @chosen_locker(%mutex* %m) {
  %r = call i32 @pthread_mutex_lock(%mutex* %m)
  ret void
}
; BOTH-LABEL: define void @chosen_locker(
; BOTH-NEXT: fr.test:
; BOTH-NEXT: [[G:%fr.guards[0-9]*]] = load i16, {{.*}}@__fr_guards{{.*}}, align 1, !nosanitize
; BOTH-NEXT: icmp ne i16 [[G]], 0
; BOTH-LABEL: define internal void @chosen_locker.fr(
; BOTH: call void @__fr_func_enter
; BOTH: call {{.*}}@__fr_lock
