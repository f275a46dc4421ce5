; Malformed options stop the compile with one clear line naming the problem.
; RUN: not %opt -load-pass-plugin=%fr_plugin -passes='fr<bogus=1>' -S %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=KEY
; RUN: not %opt -load-pass-plugin=%fr_plugin -passes='fr<threshold=lots>' -S %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=NUM
; RUN: env FR_PASS_OPTIONS='allow' not %opt -load-pass-plugin=%fr_plugin -passes=fr -S %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENV
; RUN: not %opt -load-pass-plugin=%fr_plugin -passes='fr<list=/nonexistent/list>' -S %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=LIST
; RUN: echo 'allow main' > %t.list
; RUN: not %opt -load-pass-plugin=%fr_plugin -passes='fr<list=%t.list>' -S %s -o /dev/null 2>&1 | FileCheck %s --check-prefix=LISTLINE

; KEY: fr: pass parameters: unknown option 'bogus' (known: work, threshold, explain, profile, clone, wrap, outline, allow, deny, allow-src, deny-src, lock, unlock, blocking, calls, names, list)
; NUM: fr: pass parameters: threshold wants a number, got 'lots'
; ENV: fr: FR_PASS_OPTIONS: 'allow' is not key=value
; LIST: fr: pass parameters: cannot read list file '/nonexistent/list'
; LISTLINE: fr: pass parameters: {{.*}}.list:1: expected 'allow|deny fun:GLOB', 'allow|deny src:GLOB' or 'lock|unlock|blocking fun:GLOB', got 'allow main'

define void @f() {
  ret void
}
