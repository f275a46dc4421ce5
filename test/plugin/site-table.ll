; One descriptor per instrumented function in section fr_sites, with name,
; file and line from debug info; a priority-1 constructor registers the table,
; the module's base id variable, which starts at the unregistered base, and
; its guard bytes, zero (off) until then, and 7 more that no site owns (a
; split function tests up to 8 at once: FrClone.h); a priority-1 destructor
; unregisters the guards. The split functions' copies name no site.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' -S %s | FileCheck %s

; CHECK: @__fr_site_base = internal global i32 939524096
; CHECK-DAG: c"with_debug\00"
; CHECK-DAG: c"dir/unit.c\00"
; CHECK-DAG: c"no_debug\00"
; CHECK-NOT: c"{{.*}}.fr\00"
; CHECK-DAG: c"{{.*}}site-table.ll\00"
; CHECK: @__fr_sites = internal global [2 x { i16, i16, i32, {{.*}} }] [{ i16, i16, i32, {{.*}} } { i16 1, i16 0, i32 7, {{.*}}, {{.*}} null }, { i16, i16, i32, {{.*}} } { i16 1, i16 0, i32 0, {{.*}}, {{.*}} null }], section "fr_sites", align 8
; CHECK: @__fr_guards = internal global [9 x i8] zeroinitializer
; CHECK: @llvm.global_ctors = appending global {{.*}} { i32 1, {{.*}}@__fr_module_ctor
; CHECK: @llvm.global_dtors = appending global {{.*}} { i32 1, {{.*}}@__fr_module_dtor
; CHECK: @llvm.compiler.used = appending global {{.*}}@__fr_sites

; CHECK-LABEL: define internal void @__fr_module_ctor()
; CHECK-NEXT: entry:
; CHECK-NEXT: call void @__fr_register_module({{.*}}@__fr_sites{{.*}}, i32 2, {{.*}}@__fr_site_base, {{.*}}@__fr_guards{{.*}})
; CHECK-NEXT: ret void
; CHECK-LABEL: define internal void @__fr_module_dtor()
; CHECK-NEXT: entry:
; CHECK-NEXT: call void @__fr_unregister_module({{.*}}@__fr_guards{{.*}})
; CHECK-NEXT: ret void

define void @with_debug() !dbg !5 {
  ret void, !dbg !8
}

define void @no_debug() {
  ret void
}

declare void @just_declared()

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!3, !4}
!0 = distinct !DICompileUnit(language: DW_LANG_C99, file: !1, emissionKind: FullDebug)
!1 = !DIFile(filename: "dir/unit.c", directory: "/src")
!3 = !{i32 2, !"Debug Info Version", i32 3}
!4 = !{i32 7, !"Dwarf Version", i32 5}
!5 = distinct !DISubprogram(name: "with_debug", scope: !1, file: !1, line: 7, type: !6, scopeLine: 7, spFlags: DISPFlagDefinition, unit: !0)
!6 = !DISubroutineType(types: !7)
!7 = !{null}
!8 = !DILocation(line: 8, column: 1, scope: !5)
