; Lock and blocking calls that are invokes (inside a C++ scope with a
; destructor) are instrumented on both edges: the hooks after the call run
; on the normal edge, and on the unwind edge (a landing pad of its own, split
; from a shared one) with the result of a call an exception ended (-1 for a
; blocking call, ECANCELED for a cond wait). An invoked lock with a try
; counterpart is recorded as a user lock: a wait and an acquired event.
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' -S %s | FileCheck %s
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' %s -o /dev/null

declare i64 @read(i32, i8*, i64)
declare i32 @pthread_cond_wait(i8*, i8*)
declare i32 @sem_wait(i8*)
declare i32 @__gxx_personality_v0(...)
declare void @destroy()

define i64 @reads(i32 %fd, i8* %buf, i8* %c, i8* %m, i8* %s) personality i8* bitcast (i32 (...)* @__gxx_personality_v0 to i8*) {
entry:
  %n = invoke i64 @read(i32 %fd, i8* %buf, i64 8) to label %waits unwind label %cleanup
waits:
  %w = invoke i32 @pthread_cond_wait(i8* %c, i8* %m) to label %sem unwind label %cleanup
sem:
  %x = invoke i32 @sem_wait(i8* %s) to label %done unwind label %cleanup
done:
  ret i64 %n
cleanup:
  %lp = landingpad { i8*, i32 } cleanup
  call void @destroy()
  resume { i8*, i32 } %lp
}
; CHECK-LABEL: define i64 @reads(
; CHECK: call void @__fr_block_call(
; CHECK: invoke i64 @read(
; CHECK-NEXT: to label %[[READ_OK:.*]] unwind label %[[READ_LP:[^ ]*]]
; CHECK: [[READ_OK]]:
; CHECK: call void @__fr_block_return_errno(
; CHECK: call void @__fr_cond_wait(
; CHECK: invoke i32 @pthread_cond_wait(
; CHECK: call void @__fr_cond_woken(
; CHECK: call void @__fr_lock_wait(
; CHECK: invoke i32 @sem_wait(
; CHECK: call void @__fr_lock_acquired(
; The unwind edges: each its own landing pad, then the shared cleanup.
; CHECK: [[READ_LP]]:
; CHECK-NEXT: landingpad
; CHECK: call void @__fr_block_return(i32 %{{.*}}, i64 -1,
; CHECK-DAG: call void @__fr_cond_woken(i32 %{{.*}}, i64 %{{.*}}, i64 125)
; CHECK-DAG: call void @__fr_lock_acquired(i32 %{{.*}}, i64 %{{.*}}, i64 125)
; CHECK: {{call|invoke}} void @destroy()
