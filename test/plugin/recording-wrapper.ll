; A chosen function too large to copy (over clone=, here 4) gets a recording
; wrapper: its body stays its own, behind one test of its guard at entry and
; none at its exits; the taken side checks the thread's pass token and, unless
; the wrapper is the caller, jumps to F.fr. F.fr (internal, noinline) sets
; the token to the site, calls F, clears it, and holds F's entry and exit
; hooks (and the landing pad that records an exit by exception). A catch in
; F's body keeps its resume event in F. Lock sites in F keep their hooks
; inline. Functions the wrapper could not be sure to call (not dso_local),
; varargs, noreturn ones, and wrap=0 or clone=0 keep their hooks inline.
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=4>' -S %s | FileCheck %s
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=4>' %s -o /dev/null
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=4;wrap=0>' -S %s | FileCheck %s --check-prefix=INLINE
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=0>' -S %s | FileCheck %s --check-prefix=INLINE
; RUN: not %opt -load-pass-plugin=%fr_plugin -passes='fr<wrap=2>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=BAD

declare void @use(i32*)
declare i32 @work(i32)
declare void @may_throw()
declare i32 @__gxx_personality_v0(...)
declare i8* @__cxa_begin_catch(i8*)
declare void @__cxa_end_catch()
declare void @abort() noreturn
%mutex = type { [40 x i8] }
declare i32 @pthread_mutex_lock(%mutex*)

define dso_local i32 @large(i32 %x) readnone {
entry:
  %slot = alloca i32
  call void @use(i32* %slot)
  %a = call i32 @work(i32 %x)
  %c = icmp sgt i32 %a, 10
  br i1 %c, label %big, label %small
big:
  %b = call i32 @work(i32 %a)
  ret i32 %b
small:
  ret i32 %a
}
; CHECK: @__fr_pass_site = external thread_local(initialexec) global i32
; CHECK-LABEL: define dso_local i32 @large(i32 %x)
; CHECK-NOT: #
; CHECK-NEXT: fr.test:
; CHECK-NEXT: %slot = alloca i32
; CHECK-NEXT: [[G:%fr.guard[0-9]*]] = load i8, {{.*}}@__fr_guards{{.*}}, !nosanitize
; CHECK-NEXT: [[ON:%.*]] = icmp ne i8 [[G]], 0
; CHECK-NEXT: br i1 [[ON]], label %fr.maybe, label %entry, !prof
; CHECK: fr.maybe:
; CHECK-NEXT: [[T:%.*]] = load i32, {{.*}}@__fr_pass_site{{.*}}, !nosanitize
; CHECK: [[MINE:%.*]] = icmp eq i32 [[T]],
; CHECK-NEXT: br i1 [[MINE]], label %fr.pass, label %fr.record
; CHECK: fr.pass:
; CHECK-NEXT: store i32 0, {{.*}}@__fr_pass_site{{.*}}, !nosanitize
; CHECK-NEXT: br label %entry
; CHECK: fr.record:
; CHECK-NEXT: [[R:%.*]] = tail call i32 @large.fr(i32 %x)
; CHECK-NEXT: ret i32 [[R]]
; CHECK: entry:
; CHECK-NOT: @__fr_func_
; CHECK: ret i32 %a
; CHECK-NEXT: }

define dso_local void @catches() personality i32 (...)* @__gxx_personality_v0 {
  invoke void @may_throw() to label %done unwind label %pad
pad:
  %lp = landingpad { i8*, i32 } catch i8* null
  %e = extractvalue { i8*, i32 } %lp, 0
  %p = call i8* @__cxa_begin_catch(i8* %e)
  call void @__cxa_end_catch()
  br label %done
done:
  ret void
}
; CHECK-LABEL: define dso_local void @catches()
; CHECK: fr.record:
; CHECK-NEXT: tail call void @catches.fr()
; CHECK: call {{.*}}@__fr_func_resume(
; CHECK-NOT: @__fr_func_enter
; CHECK: ret void

define dso_local void @locks(%mutex* %m, i32 %x) {
  %a = call i32 @work(i32 %x)
  %b = call i32 @work(i32 %a)
  %c = call i32 @work(i32 %b)
  %d = call i32 @work(i32 %c)
  %r = call i32 @pthread_mutex_lock(%mutex* %m)
  ret void
}
; CHECK-LABEL: define dso_local void @locks(
; CHECK: fr.record:
; CHECK: call {{.*}}@__fr_lock
; CHECK-NOT: @__fr_func_enter
; CHECK: ret void

define i32 @preemptible(i32 %x) {
  %a = call i32 @work(i32 %x)
  %b = call i32 @work(i32 %a)
  %c = call i32 @work(i32 %b)
  %d = call i32 @work(i32 %c)
  %e = call i32 @work(i32 %d)
  ret i32 %e
}
; CHECK-LABEL: define i32 @preemptible(
; CHECK-NOT: fr.record:
; CHECK: call {{.*}}@__fr_func_enter
; CHECK: call {{.*}}@__fr_func_exit

define dso_local void @never_returns(i32 %x) noreturn {
  %a = call i32 @work(i32 %x)
  %b = call i32 @work(i32 %a)
  %c = call i32 @work(i32 %b)
  %d = call i32 @work(i32 %c)
  call void @abort()
  unreachable
}
; CHECK-LABEL: define dso_local void @never_returns(
; CHECK-NOT: fr.record:
; CHECK: call {{.*}}@__fr_func_enter

; The wrappers: the token set around the call of F, the hooks around that,
; the exception's exit in a landing pad, nothing of F's memory attributes.
; CHECK-LABEL: define internal i32 @large.fr(i32 %x)
; CHECK-SAME: #[[WRAPPER:[0-9]+]]
; CHECK: call {{.*}}@__fr_func_enter
; CHECK: store i32 {{%.*}}, {{.*}}@__fr_pass_site{{.*}}, !nosanitize
; CHECK-NEXT: [[RESULT:%.*]] = invoke i32 @large(i32 %x) #[[WRAPPER]]
; CHECK: store i32 0, {{.*}}@__fr_pass_site{{.*}}, !nosanitize
; CHECK: call {{.*}}@__fr_func_exit
; CHECK: ret i32 [[RESULT]]
; CHECK-LABEL: define internal void @catches.fr()
; CHECK: call {{.*}}@__fr_func_enter
; CHECK: invoke void @catches()
; CHECK: landingpad
; CHECK-NEXT: cleanup
; CHECK: call {{.*}}@__fr_func_exit
; CHECK: resume
; CHECK: attributes #[[WRAPPER]] = { noinline }
; The call of F in its wrapper is noinline too: the same attribute group.

; INLINE-NOT: .fr(
; INLINE-NOT: __fr_pass_site

; BAD: wrap wants 0 or 1, got '2'
