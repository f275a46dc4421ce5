; A (must)tail call that feeds the return gets its exit hook before the call,
; so the call stays in tail position, when the backend will certainly make
; it a jump: musttail, or all arguments in registers. An 8-argument callee
; on x86-64 (two on the stack) or a byval argument keeps the hook after the
; call, which the backend makes a call; a call whose result is used otherwise
; keeps the hook before the ret. A return block that only merges values is
; copied into the predecessors whose tail call feeds it, so those calls stay
; in tail position too. A resume (exception leaving) gets one too. On x86-64
; the function hooks are called with preserve_most.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0>' -S %s | FileCheck %s
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0>' -S %s | FileCheck %s --check-prefix=X86
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0>' %s -o /dev/null

declare i32 @callee(i32) nounwind
declare i32 @callee8(i32, i32, i32, i32, i32, i32, i32, i32) nounwind
declare i32 @callee_byval(i64* byval(i64)) nounwind
declare i32 @__gxx_personality_v0(...)

define i32 @must(i32 %x) {
  %r = musttail call i32 @callee(i32 %x)
  ret i32 %r
}
; CHECK-LABEL: define i32 @must(
; CHECK: call void @__fr_func_exit
; CHECK: musttail call i32 @callee
; CHECK-NEXT: ret i32

define i32 @sibling(i32 %x) {
  %r = tail call i32 @callee(i32 %x)
  ret i32 %r
}
; CHECK-LABEL: define i32 @sibling(
; CHECK: call void @__fr_func_exit
; CHECK: tail call i32 @callee
; CHECK-NEXT: ret i32

define i32 @eight(i32 %x) {
  %r = tail call i32 @callee8(i32 %x, i32 1, i32 2, i32 3, i32 4, i32 5, i32 6, i32 7)
  ret i32 %r
}
; CHECK-LABEL: define i32 @eight(
; CHECK: tail call i32 @callee8
; CHECK: call void @__fr_func_exit
; CHECK: ret i32 %r

define i32 @by_value(i64* %p) {
  %r = tail call i32 @callee_byval(i64* byval(i64) %p)
  ret i32 %r
}
; CHECK-LABEL: define i32 @by_value(
; CHECK: tail call i32 @callee_byval
; CHECK: call void @__fr_func_exit
; CHECK: ret i32 %r

define i32 @not_tail(i32 %x) {
  %r = tail call i32 @callee(i32 %x)
  %s = add i32 %r, 1
  ret i32 %s
}
; CHECK-LABEL: define i32 @not_tail(
; CHECK: tail call i32 @callee
; CHECK: call void @__fr_func_exit
; CHECK: ret i32 %s

define i32 @merged(i32 %x) {
entry:
  %c = icmp eq i32 %x, 0
  br i1 %c, label %calls, label %done
calls:
  %r = tail call i32 @callee(i32 %x)
  br label %done
done:
  %v = phi i32 [ %r, %calls ], [ -1, %entry ]
  ret i32 %v
}
; CHECK-LABEL: define i32 @merged(
; CHECK: calls:
; CHECK: call void @__fr_func_exit
; CHECK: tail call i32 @callee
; CHECK-NEXT: ret i32 %r
; CHECK: done:
; CHECK: call void @__fr_func_exit
; CHECK: ret i32 -1

; X86: call preserve_mostcc void @__fr_func_enter(i32
; X86: call preserve_mostcc void @__fr_func_exit(i32
; X86: declare preserve_mostcc void @__fr_func_enter(i32)

define void @unwinds() personality i32 (...)* @__gxx_personality_v0 {
entry:
  %r = invoke i32 @callee(i32 1) to label %ok unwind label %lp
ok:
  ret void
lp:
  %e = landingpad { i8*, i32 } cleanup
  resume { i8*, i32 } %e
}
; CHECK-LABEL: define void @unwinds(
; CHECK: ok:
; CHECK: call void @__fr_func_exit
; CHECK: lp:
; CHECK: call void @__fr_func_exit
; CHECK: resume
