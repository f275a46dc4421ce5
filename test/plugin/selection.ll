; The default selection is XRay's: at least 200 IR instructions, or any
; loop. work=N keeps functions whose estimated work per call is at least N
; IR instructions instead (blocks weighted by their static frequency,
; callees' estimates added at their call sites): at 4000 a small loop is not
; enough, two nested ones are, and so is calling them. Attributes and
; annotations override both.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0>' -S %s | FileCheck %s --check-prefix=XRAY
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;work=4000>' -S %s | FileCheck %s --check-prefix=DEFAULT
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;work=100>' -S %s | FileCheck %s --check-prefix=WORK
; explain=1 says, per function, the estimate and what the rule in force chose.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;explain=1>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=EXPLAIN
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;explain=1;work=4000>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=EXPLAIN-WORK
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0>' -S %s | FileCheck %s --check-prefix=ALL
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=3>' -S %s | FileCheck %s --check-prefix=THREE

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

; Six instructions run about 32 x 32 times per call: 6000 or so.
define i32 @nested_loops(i32 %n) {
entry:
  br label %outer
outer:
  %i = phi i32 [ 0, %entry ], [ %i.next, %outer.latch ]
  br label %inner
inner:
  %j = phi i32 [ 0, %outer ], [ %j.next, %inner ]
  %acc = phi i32 [ %i, %outer ], [ %acc.next, %inner ]
  %acc.next = mul i32 %acc, 3
  %j.next = add i32 %j, 1
  %j.done = icmp eq i32 %j.next, %n
  br i1 %j.done, label %outer.latch, label %inner
outer.latch:
  %i.next = add i32 %i, 1
  %i.done = icmp eq i32 %i.next, %n
  br i1 %i.done, label %exit, label %outer
exit:
  ret i32 %i.next
}

; Small itself, but what it calls is not.
define i32 @calls_heavy(i32 %n) {
  %r = call i32 @nested_loops(i32 %n)
  ret i32 %r
}

; A loop around a small call: about 32 x 10.
define i32 @calls_small_in_loop(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %next, %loop ]
  %v = call i32 @four_instructions(i32 %i)
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
; DEFAULT-NOT: call void @__fr_func_enter
; DEFAULT-LABEL: define i32 @nested_loops(
; DEFAULT: call void @__fr_func_enter
; DEFAULT-LABEL: define i32 @calls_heavy(
; DEFAULT: call void @__fr_func_enter
; DEFAULT-LABEL: define i32 @calls_small_in_loop(
; DEFAULT-NOT: call void @__fr_func_enter
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
; DEFAULT: call void @__fr_register_module({{.*}}, i32 4,

; WORK-LABEL: define i32 @four_instructions(
; WORK-NOT: call void @__fr_func_enter
; WORK-LABEL: define i32 @has_loop(
; WORK: call void @__fr_func_enter
; WORK-LABEL: define i32 @calls_small_in_loop(
; WORK: call void @__fr_func_enter

; XRAY-LABEL: define i32 @four_instructions(
; XRAY-NOT: call void @__fr_func_enter
; XRAY-LABEL: define i32 @has_loop(
; XRAY: call void @__fr_func_enter
; XRAY-LABEL: define i32 @calls_heavy(
; XRAY-NOT: call void @__fr_func_enter
; XRAY-LABEL: define i32 @calls_small_in_loop(
; XRAY: call void @__fr_func_enter

; ALL-LABEL: define void @tiny()
; ALL: call void @__fr_func_enter
; ALL-LABEL: define i32 @annotated_never(
; ALL-NOT: call void @__fr_func_enter
; ALL-LABEL: define void @xray_never()
; ALL-NOT: call void @__fr_func_enter
; ALL-LABEL: define void @xray_always()
; ALL: call void @__fr_register_module({{.*}}, i32 8,

; THREE-LABEL: define void @tiny()
; THREE-NOT: call void @__fr_func_enter
; THREE-LABEL: define i32 @four_instructions(
; THREE: call void @__fr_func_enter

; EXPLAIN: fr: {{.*}}selection.ll: four_instructions: estimated work 4, left out
; EXPLAIN: fr: {{.*}}selection.ll: has_loop: estimated work {{[0-9]+}}, instrumented
; EXPLAIN: fr: {{.*}}selection.ll: nested_loops: estimated work {{[0-9][0-9][0-9][0-9]+}}, instrumented
; EXPLAIN: fr: {{.*}}selection.ll: calls_heavy: estimated work {{[0-9][0-9][0-9][0-9]+}}, left out
; EXPLAIN-WORK: fr: {{.*}}selection.ll: has_loop: estimated work {{[0-9]+}}, left out
; EXPLAIN-WORK: fr: {{.*}}selection.ll: calls_heavy: estimated work {{[0-9][0-9][0-9][0-9]+}}, instrumented
