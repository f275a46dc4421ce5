; Allow/deny lists by function glob and by source-file glob, from pass
; parameters, the FR_PASS_OPTIONS environment variable and a list file.
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;allow=hot_*;deny=hot_skip>' -S %s | FileCheck %s --check-prefix=FUN
; RUN: env FR_PASS_OPTIONS='clone=0;allow=hot_*;deny=hot_skip' %opt -load-pass-plugin=%fr_plugin -passes=fr -S %s | FileCheck %s --check-prefix=FUN
; RUN: echo '# comment' > %t.list
; RUN: echo 'allow fun:hot_*' >> %t.list
; RUN: echo 'deny fun:hot_skip' >> %t.list
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;list=%t.list>' -S %s | FileCheck %s --check-prefix=FUN
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;threshold=0;deny-src=*/vendor/*>' -S %s | FileCheck %s --check-prefix=SRC
; RUN: %opt -load-pass-plugin=%fr_plugin -passes='fr<clone=0;allow-src=*/vendor/*>' -S %s | FileCheck %s --check-prefix=SRCALLOW

source_filename = "/src/vendor/lib.c"

define void @hot_path() {
  ret void
}
define void @hot_skip() {
  ret void
}
define void @cold() {
  ret void
}

; FUN-LABEL: define void @hot_path()
; FUN: call void @__fr_func_enter
; FUN-LABEL: define void @hot_skip()
; FUN-NOT: call void @__fr_func_enter
; FUN-LABEL: define void @cold()
; FUN-NOT: call void @__fr_func_enter
; FUN: call void @__fr_register_module({{.*}}, i32 1,

; SRC-NOT: call void @__fr_func_enter
; SRC-NOT: __fr_register_module

; SRCALLOW: call void @__fr_register_module({{.*}}, i32 3,
