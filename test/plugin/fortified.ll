; _FORTIFY_SOURCE and large-file variants are the same blocking calls as their
; plain names, with the identifying argument in the same place; results are
; recorded by their convention (errno, error number, or a count).
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr' -S %s | FileCheck %s

declare i64 @__read_chk(i32, i8*, i64, i64)
declare i64 @__recv_chk(i32, i8*, i64, i64, i32)
declare i8* @__fgets_chk(i8*, i64, i32, i8*)
declare i32 @__open_2(i8*, i32)
declare i32 @__poll_chk(i8*, i64, i32, i64)
declare i32 @pthread_join(i64, i8**)
declare i32 @sleep(i32)
declare i32 @close(i32)

define void @f(i32 %fd, i8* %buf, i8* %file, i64 %thread) {
  %a = call i64 @__read_chk(i32 %fd, i8* %buf, i64 8, i64 64)
  %b = call i64 @__recv_chk(i32 %fd, i8* %buf, i64 8, i64 64, i32 0)
  %c = call i8* @__fgets_chk(i8* %buf, i64 64, i32 8, i8* %file)
  %d = call i32 @__open_2(i8* %buf, i32 0)
  %e = call i32 @__poll_chk(i8* %buf, i64 3, i32 -1, i64 24)
  %g = call i32 @pthread_join(i64 %thread, i8** null)
  %h = call i32 @sleep(i32 -1)
  %i = call i32 @close(i32 %fd)
  ret void
}
; CHECK-LABEL: define void @f(
; The guard is loaded once for both hooks and passed to them (a muted site
; records only slow calls).
; CHECK: [[G:%fr.guard[0-9]*]] = load i8, {{.*}}@__fr_guards
; CHECK: [[FD:%[0-9]+]] = sext i32 %fd to i64
; CHECK: [[M:%fr.mode[0-9]*]] = zext i8 [[G]] to i32
; CHECK: call void @__fr_block_call(i32 %fr.site, i64 [[FD]], i32 [[M]])
; CHECK: %a = call i64 @__read_chk(
; CHECK: [[M2:%fr.mode[0-9]*]] = zext i8 [[G]] to i32
; CHECK: call void @__fr_block_return_errno(i32 %fr.site{{[0-9]+}}, i64 %a, i32 [[M2]])
; CHECK: call void @__fr_block_call(
; CHECK: %b = call i64 @__recv_chk(
; CHECK: call void @__fr_block_return_errno(
; The FILE is __fgets_chk's fourth argument; a NULL result is recorded as 0.
; CHECK: call void @__fr_block_call_file(i32 %fr.site{{[0-9]+}}, {{i8\*|ptr}} %file, i32 %fr.mode{{[0-9]+}})
; CHECK: %c = call {{i8\*|ptr}} @__fgets_chk(
; CHECK: [[NN:%[0-9]+]] = icmp ne {{i8\*|ptr}} %c, null
; CHECK: [[Z:%[0-9]+]] = zext i1 [[NN]] to i64
; CHECK: call void @__fr_block_return(i32 %fr.site{{[0-9]+}}, i64 [[Z]], i32 %fr.mode{{[0-9]+}})
; CHECK: call void @__fr_block_call(i32 %fr.site{{[0-9]+}}, i64 0, i32 %fr.mode{{[0-9]+}})
; CHECK: %d = call i32 @__open_2(
; CHECK: call void @__fr_block_call(i32 %fr.site{{[0-9]+}}, i64 3, i32 %fr.mode{{[0-9]+}})
; CHECK: %e = call i32 @__poll_chk(
; pthread_join returns an error number: no errno to record.
; CHECK: call void @__fr_block_call(i32 %fr.site{{[0-9]+}}, i64 %thread, i32 %fr.mode{{[0-9]+}})
; CHECK: %g = call i32 @pthread_join(
; CHECK: call void @__fr_block_return(i32
; sleep's unsigned result is zero-extended.
; CHECK: %h = call i32 @sleep(
; CHECK: [[S:%[0-9]+]] = zext i32 %h to i64
; CHECK: call void @__fr_block_return(i32 %fr.site{{[0-9]+}}, i64 [[S]], i32 %fr.mode{{[0-9]+}})
; CHECK: %i = call i32 @close(
; CHECK: call void @__fr_block_return_errno(
