; The default threshold (200 IR instructions) skips small functions but keeps
; any function with a loop; attributes and annotations override it.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes=fr -S %s | FileCheck %s --check-prefix=DEFAULT
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' -S %s | FileCheck %s --check-prefix=ALL
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=3>' -S %s | FileCheck %s --check-prefix=THREE

@.str = private unnamed_addr constant [10 x i8] c"fr_always\00", section "llvm.metadata"
@.str.1 = private unnamed_addr constant [9 x i8] c"fr_never\00", section "llvm.metadata"
@.file = private unnamed_addr constant [6 x i8] c"sel.c\00", section "llvm.metadata"
@llvm.global.annotations = appending global [2 x { i8*, i8*, i8*, i32, i8* }] [
  { i8*, i8*, i8*, i32, i8* } { i8* bitcast (void ()* @annotated_always to i8*), i8* getelementptr inbounds ([10 x i8], [10 x i8]* @.str, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @.file, i32 0, i32 0), i32 1, i8* null },
  { i8*, i8*, i8*, i32, i8* } { i8* bitcast (i32 (i32)* @annotated_never to i8*), i8* getelementptr inbounds ([9 x i8], [9 x i8]* @.str.1, i32 0, i32 0), i8* getelementptr inbounds ([6 x i8], [6 x i8]* @.file, i32 0, i32 0), i32 2, i8* null }
], section "llvm.metadata"

define void @tiny() {
  ret void
}

define i32 @four_instructions(i32 %a) {
  %b = add i32 %a, 1
  %c = mul i32 %b, 3
  %d = sub i32 %c, %a
  ret i32 %d
}

define i32 @has_loop(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i32 %next
}

define void @annotated_always() {
  ret void
}

define i32 @annotated_never(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %next = add i32 %i, 1
  %done = icmp eq i32 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret i32 %next
}

define void @xray_never() "function-instrument"="xray-never" {
  ret void
}

define void @xray_always() "function-instrument"="xray-always" {
  ret void
}

define available_externally void @inline_copy() {
  ret void
}

define void @__fr_runtime_like() {
  ret void
}

; DEFAULT-LABEL: define void @tiny()
; DEFAULT-NOT: call void @__fr_func_enter
; DEFAULT-LABEL: define i32 @four_instructions(
; DEFAULT-NOT: call void @__fr_func_enter
; DEFAULT-LABEL: define i32 @has_loop(
; DEFAULT: call void @__fr_func_enter
; DEFAULT-LABEL: define void @annotated_always()
; DEFAULT: call void @__fr_func_enter
; DEFAULT-LABEL: define i32 @annotated_never(
; DEFAULT-NOT: call void @__fr_func_enter
; DEFAULT-LABEL: define void @xray_never()
; DEFAULT-NOT: call void @__fr_func_enter
; DEFAULT-LABEL: define void @xray_always()
; DEFAULT: call void @__fr_func_enter
; DEFAULT-LABEL: define available_externally void @inline_copy()
; DEFAULT-NOT: call void @__fr_func_enter
; DEFAULT-LABEL: define void @__fr_runtime_like()
; DEFAULT-NOT: call void @__fr_func_enter
; DEFAULT: call void @__fr_register_module({{.*}}, i32 3,

; ALL-LABEL: define void @tiny()
; ALL: call void @__fr_func_enter
; ALL-LABEL: define i32 @annotated_never(
; ALL-NOT: call void @__fr_func_enter
; ALL-LABEL: define void @xray_never()
; ALL-NOT: call void @__fr_func_enter
; ALL-LABEL: define void @xray_always()
; ALL: call void @__fr_register_module({{.*}}, i32 5,

; THREE-LABEL: define void @tiny()
; THREE-NOT: call void @__fr_func_enter
; THREE-LABEL: define i32 @four_instructions(
; THREE: call void @__fr_func_enter
