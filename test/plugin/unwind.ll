; Exceptions and longjmp. A function that may unwind gets one cleanup
; landing pad that records its exit and resumes (with the C++ personality
; when the module has it, as here; else the C one); its calls that may throw
; become invokes of it, unless an existing pad already covers them (that
; pad's resume has its own exit hook) or the exit was recorded before them
; (a tail call). A function that cannot unwind (nounwind: C without
; -fexceptions) is left as it was. A landing pad that catches, and the
; second return of setjmp, record a resume event of the function's site.
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0>' -S %s | FileCheck %s
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0>' %s -o /dev/null
; A function that catches or calls setjmp is instrumented whatever its size
; (its resume events need its frame); another small one is not.
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<clone=0>' -S %s | FileCheck %s --check-prefix=SMALL
; SMALL-LABEL: define void @passes_through()
; SMALL-NOT: __fr_func_enter
; SMALL-LABEL: define i32 @catches()
; SMALL: call preserve_mostcc void @__fr_func_enter
; SMALL-LABEL: define i32 @jumps_back(
; SMALL: call preserve_mostcc void @__fr_func_enter

declare void @may_throw()
declare void @never_throws() nounwind
declare i32 @_setjmp(i8*) returns_twice
declare i32 @__gxx_personality_v0(...)
declare i8* @__cxa_begin_catch(i8*)
declare void @__cxa_end_catch()

define void @passes_through() {
  call void @may_throw()
  call void @never_throws()
  call void @may_throw()
  ret void
}
; CHECK-LABEL: define void @passes_through() personality {{.*}}@__gxx_personality_v0
; CHECK: invoke void @may_throw()
; CHECK-NEXT: to label %{{.*}} unwind label %fr.unwind
; CHECK: call void @never_throws()
; CHECK: invoke void @may_throw()
; CHECK-NEXT: to label %{{.*}} unwind label %fr.unwind
; CHECK: fr.unwind:
; CHECK-NEXT: %fr.exception = landingpad { {{i8\*|ptr}}, i32 }
; CHECK-NEXT: cleanup
; CHECK: call preserve_mostcc void @__fr_func_exit
; CHECK: resume { {{i8\*|ptr}}, i32 } %fr.exception

define void @c_function() nounwind {
  call void @may_throw()
  ret void
}
; CHECK-LABEL: define void @c_function()
; CHECK-NOT: invoke
; CHECK-NOT: landingpad
; CHECK: ret void

define i32 @catches() personality i8* bitcast (i32 (...)* @__gxx_personality_v0 to i8*) {
entry:
  invoke void @may_throw() to label %ok unwind label %pad
ok:
  ret i32 0
pad:
  %lp = landingpad { i8*, i32 } catch i8* null
  %e = extractvalue { i8*, i32 } %lp, 0
  %x = call i8* @__cxa_begin_catch(i8* %e)
  call void @__cxa_end_catch()
  ret i32 1
}
; The landing pad that catches resumes (cause 1); __cxa_end_catch may
; throw, so it gets the cleanup pad, with the function's own personality.
; CHECK-LABEL: define i32 @catches() personality {{i8\*|ptr}} {{.*}}@__gxx_personality_v0
; CHECK: pad:
; CHECK-NEXT: %lp = landingpad
; CHECK: call void @__fr_func_resume(i32 %{{.*}}, i32 1)
; CHECK: invoke void @__cxa_end_catch()
; CHECK: fr.unwind:

define i32 @jumps_back(i8* %buf) {
  %r = call i32 @_setjmp(i8* %buf)
  ret i32 %r
}
; CHECK-LABEL: define i32 @jumps_back(
; CHECK: call i32 @_setjmp(
; CHECK: call void @__fr_func_resume(i32 %{{.*}}, i32 2)
; CHECK: ret i32

define void @tail_exit() {
  tail call void @may_throw()
  ret void
}
; The exit is recorded before the tail call, which stays a call.
; CHECK-LABEL: define void @tail_exit()
; CHECK: call preserve_mostcc void @__fr_func_exit
; CHECK: tail call void @may_throw()
; CHECK-NEXT: ret void
