// Blocking call sites in real code, through glibc's headers as a release
// build sees them (-O2 -D_FORTIFY_SOURCE=2 -D_FILE_OFFSET_BITS=64: fread
// becomes __fread_chk, pread and open their 64-bit names). Each call gets a
// call hook with its identifying argument before it and a return hook after
// it; calls that fail with -1 and errno use the errno-recording return hook.
// REQUIRES: llvm-19
// (LLVM 14 prints typed pointers; the IR shapes are the same.)
// RUN: %clang_fr -O2 -D_FORTIFY_SOURCE=2 -D_FILE_OFFSET_BITS=64 -S -emit-llvm %s -o - | FileCheck %s
// RUN: env FR_PASS_OPTIONS='blocking=wait_for_*' %clang_fr -O2 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=USER
// RUN: env FR_PASS_OPTIONS='calls=locks' %clang_fr -O2 -S -emit-llvm %s -o - | FileCheck %s --check-prefix=OFF
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int wait_for_backend(int);

int io(int fd, FILE *fp, int n, struct pollfd *p) {
  char local[64];
  int r = read(fd, local, n);
  r += pread(fd, local, n, 0);
  r += open("x", O_RDONLY);
  r += poll(p, 2, 10);
  r += fread(local, 1, n, fp);
  r += fgets(local, n, fp) != 0;
  r += syscall(SYS_futex, &r, 0, 0, 0, 0, 0);
  r += syscall(SYS_getpid);
  r += wait_for_backend(fd);
  return r;
}
// CHECK-LABEL: define {{.*}}i32 @io(
// CHECK:      call void @__fr_block_call(i32 {{%[0-9a-z.]+}}, i64 [[FD:%[0-9a-z.]+]], i32 {{%[0-9a-z.]+}})
// CHECK:      [[R:%[a-z0-9.]+]] = call i64 @read(i32 noundef [[FDARG:%[0-9]+]]
// CHECK:      call void @__fr_block_return_errno(i32 {{%[0-9a-z.]+}}, i64 [[R]], i32 {{%[0-9a-z.]+}})
// CHECK:      call void @__fr_block_call(
// CHECK:      call i64 @pread64(
// CHECK:      call void @__fr_block_return_errno(
// open has no descriptor argument: 0 is recorded, the result is the fd.
// CHECK:      call void @__fr_block_call(i32 {{%[0-9a-z.]+}}, i64 0, i32 {{%[0-9a-z.]+}})
// CHECK:      call i32 (ptr, i32, ...) @open64(
// poll records its number of descriptors.
// CHECK:      call void @__fr_block_call(i32 {{%[0-9a-z.]+}}, i64 2, i32 {{%[0-9a-z.]+}})
// CHECK:      call i32 @poll(
// stdio calls record the FILE, whose descriptor the runtime looks up.
// CHECK:      call void @__fr_block_call_file(i32 {{%[0-9a-z.]+}}, ptr [[FP:%[0-9]+]], i32 {{%[0-9a-z.]+}})
// CHECK:      call i64 @__fread_chk({{.*}}, ptr noundef [[FP]])
// CHECK:      call void @__fr_block_return(
// CHECK:      call void @__fr_block_call_file(i32 {{%[0-9a-z.]+}}, ptr [[FP:%[0-9]+]], i32 {{%[0-9a-z.]+}})
// CHECK:      call ptr @fgets({{.*}}, ptr noundef [[FP]])
// CHECK:      call void @__fr_block_return(
// syscall(SYS_futex, ...) records the futex word; other system calls are not
// blocking calls.
// CHECK:      call void @__fr_block_call(
// CHECK-NEXT: br label
// CHECK:      call i64 (i64, ...) @syscall(i64 noundef 202,
// CHECK:      call void @__fr_block_return_errno(
// CHECK-NOT:  call void @__fr_block_call(
// CHECK:      call i64 (i64, ...) @syscall(i64 noundef 39)
// CHECK-NOT:  call void @__fr_block
// CHECK:      ret i32

// A function the user names as blocking.
// USER-LABEL: define {{.*}}i32 @io(
// USER:       call void @__fr_block_call(
// USER:       call i32 @wait_for_backend(
// USER:       call void @__fr_block_return(
// USER:       ret i32

// OFF-NOT: __fr_block
