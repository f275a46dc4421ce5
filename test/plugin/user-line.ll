; A lock call inlined from system headers (pthread_mutex_lock in
; __gthread_mutex_lock, gthr-default.h, inlined into std::mutex::lock,
; inlined into Account::deposit) is a site at the innermost frame outside
; headers, bank.cpp:42 in Account::deposit(long), named after the library
; function called there, std::mutex::lock; paths are normalized.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' -S %s | FileCheck %s
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=0>' -S %s | grep __fr_str | FileCheck %s --check-prefix=STRINGS
; CHECK-DAG: c"std::mutex::lock\00"
; CHECK-DAG: c"Account::deposit(long)\00"
; CHECK-DAG: c"bank.cpp\00"
; CHECK-DAG: { i16 2, i16 {{[0-9]+}}, i32 42,
; STRINGS-NOT: gthr-default
; STRINGS-NOT: /../

define void @_ZN7Account7depositEl(i8* %m) !dbg !10 {
  %r = call i32 @pthread_mutex_lock(i8* %m), !dbg !20
  ret void, !dbg !22
}
declare i32 @pthread_mutex_lock(i8*)
declare i32 @pthread_mutex_trylock(i8*)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2, !3}
!0 = distinct !DICompileUnit(language: DW_LANG_C_plus_plus_14, file: !1, producer: "clang", isOptimized: true, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "bank.cpp", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !{i32 7, !"Dwarf Version", i32 5}
!10 = distinct !DISubprogram(name: "deposit", linkageName: "_ZN7Account7depositEl", scope: !1, file: !1, line: 40, type: !11, scopeLine: 40, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!11 = !DISubroutineType(types: !{})
!12 = !DIFile(filename: "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/x86_64-linux-gnu/c++/12/bits/gthr-default.h", directory: "")
!13 = distinct !DISubprogram(name: "__gthread_mutex_lock", linkageName: "_ZL20__gthread_mutex_lockP15pthread_mutex_t", scope: !12, file: !12, line: 745, type: !11, scopeLine: 745, spFlags: DISPFlagLocalToUnit | DISPFlagDefinition | DISPFlagOptimized, unit: !0)
!14 = !DIFile(filename: "/usr/bin/../lib/gcc/x86_64-linux-gnu/12/../../../../include/c++/12/bits/std_mutex.h", directory: "")
!15 = !DINamespace(name: "std", scope: null)
!16 = distinct !DICompositeType(tag: DW_TAG_class_type, name: "mutex", scope: !15, file: !14, line: 90, flags: DIFlagTypePassByReference, identifier: "_ZTSSt5mutex")
!17 = distinct !DISubprogram(name: "lock", linkageName: "_ZNSt5mutex4lockEv", scope: !16, file: !14, line: 98, type: !11, scopeLine: 99, spFlags: DISPFlagDefinition | DISPFlagOptimized, unit: !0, declaration: !18)
!18 = !DISubprogram(name: "lock", linkageName: "_ZNSt5mutex4lockEv", scope: !16, file: !14, line: 98, type: !11, scopeLine: 98, flags: DIFlagPublic | DIFlagPrototyped, spFlags: DISPFlagOptimized)
!20 = !DILocation(line: 749, column: 12, scope: !13, inlinedAt: !21)
!21 = !DILocation(line: 100, column: 17, scope: !17, inlinedAt: !23)
!23 = !DILocation(line: 42, column: 5, scope: !10)
!22 = !DILocation(line: 43, column: 1, scope: !10)
