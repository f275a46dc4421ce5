; Running the pass twice (an LTO link after a pre-link compile, say) must not
; instrument twice.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>,fr<threshold=0>' -S %s | FileCheck %s

define void @f() {
  ret void
}
; CHECK-COUNT-1: call void @__fr_func_enter
; CHECK-NOT: call void @__fr_func_enter
; CHECK-COUNT-1: call void @__fr_register_module
; CHECK-NOT: call void @__fr_register_module
