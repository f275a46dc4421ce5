//===- FrAbi.h - what the plugin and the runtime agree on -------*- C++ -*-===//
//
// FILE:        plugin/FrAbi.h
// DESCRIPTION: The runtime's side of the ABI is include/fr_format.h; the plugin
//              includes that same header (it is plain C) so the section name,
//              site kinds and the unregistered id base cannot drift apart.
//              Symbol names of the hooks are here.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_ABI_H
#define FR_PLUGIN_ABI_H

#include "fr_format.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/IR/Module.h"
#if __has_include("llvm/TargetParser/Triple.h")
#include "llvm/TargetParser/Triple.h" // LLVM 17 and later
#else
#include "llvm/ADT/Triple.h"
#endif

namespace fr {
constexpr const char *EnterHook = "__fr_func_enter";     // void(i32 site)
constexpr const char *ExitHook = "__fr_func_exit";       // void(i32 site)
// void(i32 site, i32 fr_resume_cause): the stack is back at a frame of site.
constexpr const char *ResumeHook = "__fr_func_resume";
// Lock and blocking call sites (rt/fr_site_hooks.c has their signatures).
constexpr const char *LockAcquireHook = "__fr_lock_acquire";
constexpr const char *LockAcquireTimedHook = "__fr_lock_acquire_timed";
constexpr const char *LockContendedHook = "__fr_lock_contended";
constexpr const char *LockTryHook = "__fr_lock_try";
constexpr const char *LockWaitHook = "__fr_lock_wait";
constexpr const char *LockAcquiredHook = "__fr_lock_acquired";
constexpr const char *LockReleaseHook = "__fr_lock_release";
constexpr const char *CondWaitHook = "__fr_cond_wait";
constexpr const char *CondWokenHook = "__fr_cond_woken";
constexpr const char *CondSignalHook = "__fr_cond_signal";
constexpr const char *BlockCallHook = "__fr_block_call";
constexpr const char *BlockCallFileHook = "__fr_block_call_file";
constexpr const char *BlockReturnHook = "__fr_block_return";
constexpr const char *BlockReturnErrnoHook = "__fr_block_return_errno";
constexpr const char *VforkReturnHook = "__fr_vfork_return";
constexpr const char *RegisterHook = "__fr_register_module"; // see fr_sites.c
constexpr const char *UnregisterHook = "__fr_unregister_module";
constexpr const char *DoneMetadata = "fr.instrumented";  // module already done
// i32, thread-local (initial-exec), in the runtime: the site whose recording
// wrapper is calling its function right now (plugin/FrClone.h), else 0.
constexpr const char *PassTokenVar = "__fr_pass_site";

// The function hooks use the preserve_most calling convention on x86-64 and
// AArch64 (FR_HOOK_CC in rt/fr_hooks.c): the hook saves what it uses, so a
// small function that calls nothing else keeps its arguments in the
// registers they came in, instead of moving them to callee-saved registers
// (pushed and popped on every call, recording or not) around a hook call
// that is almost never taken.
// On AArch64 the convention is used only where the backend honours
// nonlazybind (below) for ELF: LLVM 14 still calls through the PLT there
// (checked with llc -mtriple=aarch64-linux-gnu: `bl`, where LLVM 19 loads
// the GOT entry and `blr`s), and glibc's AArch64 lazy resolver does not
// save x9-x15, which preserve_most keeps.
inline bool hooksPreserveRegisters(const llvm::Module &M) {
  llvm::Triple T(M.getTargetTriple());
  return T.getArch() == llvm::Triple::x86_64 ||
         (T.getArch() == llvm::Triple::aarch64 && LLVM_VERSION_MAJOR >= 19);
}

// Every hook is declared nonlazybind: a call goes through the GOT entry that
// the dynamic loader fills at load time (as -fno-plt does), never through a
// lazily bound PLT slot. glibc's lazy resolver, which runs on a PLT slot's
// first call, saves the argument registers of the standard convention but
// not what preserve_most promises on top (r10 on x86-64; x9-x15 on AArch64):
// the first call of each hook through libfr.so would clobber a register its
// caller kept live across it. Linked with libfr.a, the linker turns the GOT
// call back into a direct one (R_X86_64_GOTPCRELX relaxation).
inline void declareHook(llvm::Function &F) {
  F.addFnAttr(llvm::Attribute::NonLazyBind);
}
} // namespace fr

#endif
