; A coroutine's clones (CoroSplit's f.resume, f.destroy, f.cleanup) are
; instrumented when the coroutine is, whatever their size: its work runs in
; f.resume. A clone-like name without its coroutine in the module is judged
; on its own.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0>' -S %s | FileCheck %s
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0>' -S %s | FileCheck %s --check-prefix=SITES

define void @_Z7counteri(i32 %n) "function-instrument"="xray-always" {
  ret void
}
define internal void @_Z7counteri.resume(i8* %frame) {
  ret void
}
define internal void @_Z7counteri.destroy(i8* %frame) {
  ret void
}
define internal void @orphan.resume(i8* %frame) {
  ret void
}
; CHECK-LABEL: define void @_Z7counteri(
; CHECK: call {{.*}}void @__fr_func_enter
; CHECK-LABEL: define internal void @_Z7counteri.resume(
; CHECK: call {{.*}}void @__fr_func_enter
; CHECK-LABEL: define internal void @_Z7counteri.destroy(
; CHECK: call {{.*}}void @__fr_func_enter
; CHECK-LABEL: define internal void @orphan.resume(
; CHECK-NOT: __fr_func_enter
; CHECK: ret void
; The site table names a clone after the coroutine.
; SITES: c"counter(int) (.resume)\00"
