; Entry hook after the allocas, an exit hook before every return, each guarded
; by a test of the function's guard byte and passing base + local index; the
; constructor registers the sites and the guards, the destructor unregisters
; the guards.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0>' -S %s | FileCheck %s
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0>' -S %s | FileCheck %s --check-prefix=COUNT

define i32 @two_returns(i32 %x) {
entry:
  %slot = alloca i32
  store i32 %x, i32* %slot
  %c = icmp sgt i32 %x, 0
  br i1 %c, label %pos, label %neg
pos:
  ret i32 1
neg:
  ret i32 -1
}

; CHECK-LABEL: define i32 @two_returns(
; CHECK-NEXT: entry:
; CHECK-NEXT: %slot = alloca i32
; CHECK-NEXT: [[FLAG:%fr.guard[0-9]*]] = load i8, {{.*}}@__fr_guards{{.*}}, !nosanitize
; CHECK-NEXT: [[ON:%.*]] = icmp ne i8 [[FLAG]], 0
; CHECK-NEXT: br i1 [[ON]]
; CHECK: [[BASE:%fr.base[0-9]*]] = load i32, {{.*}}@__fr_site_base{{.*}}, !nosanitize
; CHECK-NEXT: [[SITE:%fr.site[0-9]*]] = add i32 [[BASE]], 0
; CHECK-NEXT: call void @__fr_func_enter(i32 [[SITE]])
; CHECK: store i32 %x, {{.*}}%slot
; CHECK: pos:
; CHECK: call void @__fr_func_exit(i32 %fr.site{{[0-9]*}})
; CHECK-NEXT: br label
; CHECK: ret i32 1
; CHECK: neg:
; CHECK: call void @__fr_func_exit(i32 %fr.site{{[0-9]*}})
; CHECK-NEXT: br label
; CHECK: ret i32 -1
; CHECK: declare void @__fr_func_enter(i32)
; CHECK: declare void @__fr_func_exit(i32)
; CHECK-LABEL: define internal void @__fr_module_ctor(
; CHECK-NEXT: entry:
; CHECK-NEXT: call void @__fr_register_module({{.*}}@__fr_sites{{.*}}, i32 1, {{i32\*|ptr}} @__fr_site_base, {{.*}}@__fr_guards
; CHECK-LABEL: define internal void @__fr_module_dtor(
; CHECK-NEXT: entry:
; CHECK-NEXT: call void @__fr_unregister_module({{.*}}@__fr_guards

; Exactly one exit hook per return, one entry hook.
; COUNT-COUNT-1: call void @__fr_func_enter
; COUNT-NOT: call void @__fr_func_enter
; COUNT-COUNT-2: call void @__fr_func_exit
; COUNT-NOT: call void @__fr_func_exit
