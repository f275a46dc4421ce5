; A chosen function of at least outline= IR instructions (here 6; clone=2)
; is moved out whole: F becomes a stub that tests its guard and jumps to
; F.fr (recording) or to F.fr.body (its own body, internal and noinline,
; compiled as it was: no hook, no test, its memory attributes kept). F.fr
; calls F.fr.body between F's entry and exit hooks; there is no pass token.
; A catch in the body keeps its resume event there. The debug info follows:
; the body keeps F's subprogram (its variables and lines), the stub gets one
; of its own (artificial). XRay's sled stays on the body, once a call.
; A function whose blocks' addresses are taken keeps the wrapper with the
; token; so do all below the outline= size, and outline=0 outlines none. One
; that reads its return address has neither (it would read the wrapper's):
; its hooks stay inline.
; A function that returns through a tail call has no wrapper: it is copied
; up to 5 times clone= (here 10), so that its plain path costs the entry
; test alone, and keeps its hooks inline when larger.
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=2;outline=6>' -S %s | FileCheck %s
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=2;outline=6>' %s -o /dev/null
; RUN: %opt -mtriple=x86_64-unknown-linux-gnu -load-pass-plugin=%fr_plugin -passes='fr<threshold=0;clone=2;outline=0>' -S %s | FileCheck %s --check-prefix=NONE
; RUN: not %opt -load-pass-plugin=%fr_plugin -passes='fr<outline=x>' -disable-output %s 2>&1 | FileCheck %s --check-prefix=BAD

declare i32 @work(i32) readnone
declare void @may_throw()
declare i32 @__gxx_personality_v0(...)
declare i8* @__cxa_begin_catch(i8*)
declare void @__cxa_end_catch()
declare void @llvm.dbg.value(metadata, metadata, metadata)

define dso_local i32 @large(i32 %x) readnone "function-instrument"="xray-always" !dbg !10 {
entry:
  call void @llvm.dbg.value(metadata i32 %x, metadata !14, metadata !DIExpression()), !dbg !15
  %a = call i32 @work(i32 %x), !dbg !15
  %b = call i32 @work(i32 %a), !dbg !15
  %c = icmp sgt i32 %b, 10, !dbg !15
  br i1 %c, label %big, label %small, !dbg !15
big:
  %d = call i32 @work(i32 %b), !dbg !16
  %e = add i32 %d, 1, !dbg !16
  ret i32 %e, !dbg !16
small:
  ret i32 %b, !dbg !16
}
; CHECK-LABEL: define dso_local i32 @large(i32 %x)
; CHECK-SAME: #[[STUB:[0-9]+]] !dbg [[STUBSP:![0-9]+]] {
; CHECK-NEXT: fr.test:
; CHECK-NEXT: [[G:%fr.guard[0-9]*]] = load i8, {{.*}}@__fr_guards{{.*}}, !nosanitize
; CHECK-NEXT: [[ON:%.*]] = icmp ne i8 [[G]], 0
; CHECK-NEXT: br i1 [[ON]], label %fr.record, label %fr.plain, !prof
; CHECK: fr.record:
; CHECK-NEXT: [[R:%.*]] = tail call i32 @large.fr(i32 %x), !dbg [[STUBLOC:![0-9]+]]
; CHECK-NEXT: ret i32 [[R]]
; CHECK: fr.plain:
; CHECK-NEXT: [[P:%.*]] = tail call i32 @large.fr.body(i32 %x), !dbg [[STUBLOC]]
; CHECK-NEXT: ret i32 [[P]]
; CHECK-NEXT: }

define dso_local void @catches() personality i32 (...)* @__gxx_personality_v0 {
  %a = call i32 @work(i32 1)
  %b = call i32 @work(i32 %a)
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
; CHECK: fr.plain:
; CHECK-NEXT: tail call void @catches.fr.body()
; CHECK-NEXT: ret void
; CHECK-NEXT: }

define dso_local i32 @computed(i32 %x) {
entry:
  %a = call i32 @work(i32 %x)
  %b = call i32 @work(i32 %a)
  %c = call i32 @work(i32 %b)
  %t = select i1 true, i8* blockaddress(@computed, %one), i8* blockaddress(@computed, %two)
  indirectbr i8* %t, [label %one, label %two]
one:
  ret i32 %c
two:
  ret i32 %a
}
; CHECK-LABEL: define dso_local i32 @computed(
; CHECK: fr.maybe:
; CHECK: @__fr_pass_site

declare i8* @llvm.returnaddress(i32)
define dso_local i8* @caller_of(i32 %x) {
  %a = call i32 @work(i32 %x)
  %b = call i32 @work(i32 %a)
  %c = call i32 @work(i32 %b)
  %r = call i8* @llvm.returnaddress(i32 0)
  ret i8* %r
}
; CHECK-LABEL: define dso_local {{.*}} @caller_of(
; CHECK-NOT: fr.record:
; CHECK: call {{.*}}@__fr_func_enter

define dso_local i32 @hands_off(i32 %x) {
  %a = call i32 @work(i32 %x)
  %b = call i32 @work(i32 %a)
  %c = add i32 %b, 3
  %d = mul i32 %c, 5
  %e = tail call i32 @work(i32 %d)
  ret i32 %e
}
; CHECK-LABEL: define dso_local i32 @hands_off(
; CHECK-NEXT: fr.test:
; CHECK: br i1 {{%.*}}, label %fr.record, label
; CHECK: fr.record:
; CHECK-NEXT: tail call i32 @hands_off.fr(i32 %x)
; CHECK-NOT: @__fr_func_
; CHECK: tail call i32 @work(
; CHECK-NEXT: ret i32

define dso_local i32 @hands_off_large(i32 %x) {
  %a = call i32 @work(i32 %x)
  %b = call i32 @work(i32 %a)
  %c = add i32 %b, 3
  %d = mul i32 %c, 5
  %f = add i32 %d, 3
  %g = mul i32 %f, 5
  %h = add i32 %g, 3
  %i = mul i32 %h, 5
  %j = add i32 %i, 3
  %e = tail call i32 @work(i32 %j)
  ret i32 %e
}
; CHECK-LABEL: define dso_local i32 @hands_off_large(
; CHECK-NOT: fr.record:
; CHECK: call {{.*}}@__fr_func_enter
; CHECK: call {{.*}}@__fr_func_exit
; CHECK: tail call i32 @work(
; CHECK-NEXT: ret i32

; The body: F's code, hooks and tests none, its attributes and subprogram.
; CHECK-LABEL: define internal i32 @large.fr.body(i32 %x)
; CHECK-SAME: #[[BODY:[0-9]+]] !dbg [[SP:![0-9]+]] {
; CHECK-NOT: @__fr_
; CHECK: {{call void @llvm.dbg.value\(metadata i32 %x, metadata |#dbg_value\(i32 %x, }}[[VAR:![0-9]+]]
; CHECK-NOT: @__fr_
; CHECK: ret i32 %b
; CHECK-NEXT: }
; The recording wrapper: the hooks around a call of the body, no token.
; CHECK-LABEL: define internal i32 @large.fr(i32 %x)
; CHECK-NOT: __fr_pass_site
; CHECK: call {{.*}}@__fr_func_enter
; CHECK-NOT: __fr_pass_site
; CHECK: [[RESULT:%.*]] = {{call|invoke}} i32 @large.fr.body(i32 %x)
; CHECK: call {{.*}}@__fr_func_exit
; CHECK: ret i32 [[RESULT]]
; CHECK-LABEL: define internal void @catches.fr.body()
; CHECK: call {{.*}}@__fr_func_resume(
; CHECK-LABEL: define internal void @catches.fr()
; CHECK: invoke void @catches.fr.body()
; CHECK: landingpad
; CHECK: call {{.*}}@__fr_func_exit
; CHECK: resume
; CHECK-LABEL: define internal i32 @hands_off.fr(
; CHECK: call {{.*}}@__fr_func_enter
; CHECK: call {{.*}}@__fr_func_exit
; CHECK: tail call i32 @work(
; CHECK-NEXT: ret i32
; The stub lost F's memory attributes and XRay's sled; the body kept both.
; CHECK: attributes #[[STUB]] = {
; CHECK-NOT: {{readnone|memory}}
; CHECK-SAME: "function-instrument"="xray-never"
; CHECK: attributes #[[BODY]] = {
; CHECK-SAME: noinline
; CHECK-SAME: {{readnone|memory\(none\)}}
; CHECK-SAME: "function-instrument"="xray-always"
; CHECK: [[STUBSP]] = distinct !DISubprogram(name: "large",
; CHECK-SAME: DIFlagArtificial
; CHECK: [[SP]] = distinct !DISubprogram(name: "large",
; CHECK-SAME: retainedNodes: [[VARS:![0-9]+]]
; CHECK: [[VARS]] = !{[[VAR]]}
; CHECK: [[VAR]] = !DILocalVariable(name: "x", arg: 1, scope: [[SP]]

; NONE-NOT: .fr.body
; NONE-LABEL: define dso_local i32 @large(
; NONE: fr.maybe:
; NONE-NEXT: load i32, {{.*}}@__fr_pass_site

; BAD: outline wants a number, got 'x'

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3, !4}
!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, producer: "test", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "outline.c", directory: "/tmp")
!3 = !{i32 2, !"Debug Info Version", i32 3}
!4 = !{i32 7, !"Dwarf Version", i32 5}
!10 = distinct !DISubprogram(name: "large", scope: !1, file: !1, line: 3, type: !11, scopeLine: 3, flags: DIFlagPrototyped, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0, retainedNodes: !13)
!11 = !DISubroutineType(types: !12)
!12 = !{!17, !17}
!13 = !{!14}
!14 = !DILocalVariable(name: "x", arg: 1, scope: !10, file: !1, line: 3, type: !17)
!15 = !DILocation(line: 4, column: 3, scope: !10)
!16 = !DILocation(line: 5, column: 3, scope: !10)
!17 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
