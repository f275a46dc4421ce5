//===- FrCallSites.h - lock and blocking call sites -------------*- C++ -*-===//
//
// FILE:        plugin/FrCallSites.h
// DESCRIPTION: Instruments the calls, in the user's code, of functions that
//              take or release locks or may block, so a snapshot tells which
//              thread waited on what, from where, and for how long. Each call
//              becomes one site (kind, callee, caller, file:line of the call).
//              What is inserted depends on the callee (see the catalogue in
//              FrCallSites.cpp):
//                lock with a try counterpart (pthread_mutex_lock, sem_wait...)
//                    r = active ? __fr_lock_acquire(site, m, trylock, lock,
//                                                   busy)
//                               : lock(m)
//                    (the runtime tries first: an uncontended lock is one
//                    event, a contended one a wait and an acquired event);
//                trylock        the call, then __fr_lock_try(site, m, r);
//                unlock, post   __fr_lock_release(site, m), then the call;
//                cond wait      __fr_cond_wait before, __fr_cond_woken after;
//                cond signal    __fr_cond_signal before;
//                user lock      __fr_lock_wait before, __fr_lock_acquired after;
//                blocking call  __fr_block_call(site, fd or other argument)
//                               before, __fr_block_return[_errno](site, r)
//                               after.
//              Every hook is guarded by the site's guard byte, loaded once
//              for the hooks before and after a call. Waits (a lock taken
//              through its try, cond waits, blocking calls) are on while the
//              byte is nonzero and get it as an argument: a site the budget
//              muted (FR_GUARD_SLOW) records only contended waits and slow
//              calls. The other events need FR_GUARD_ALL. Only direct calls of
//              declared (external) functions count, so a program's own
//              function that happens to be called read is left alone;
//              fortified (__read_chk) and 64-bit (pread64) variants are in
//              the catalogue. Calls through pointers are not instrumented.
//              An invoke (a call inside a scope with a destructor in C++)
//              gets the hooks after it on both edges: on the normal one as a
//              call, on the unwind one (an exception or a thread's
//              cancellation ended it) with ECANCELED as a lock or cond wait's
//              result and -1 as a blocking call's. A lock with a try
//              counterpart that is invoked is instrumented as a user lock
//              (a wait and an acquired event each time): its call cannot be
//              moved into the inserted branches.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_CALLSITES_H
#define FR_PLUGIN_CALLSITES_H

#include "FrGuard.h"
#include "FrOptions.h"
#include "FrSiteTable.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Module.h"

#include <vector>

namespace fr {

struct CalleeInfo; // the catalogue's entry

class CallSites {
public:
  CallSites(const Options &Opts, llvm::Module &M, SiteTable &Sites,
            const Guard &G);

  // At -O0 nothing is inlined, so a lock taken through std::lock_guard
  // happens in libstdc++'s header (gthr-default.h), not at the user's line.
  // The small header functions that lead from the user's code to a lock or
  // blocking call are inlined into it here (what -O1 and up do anyway), so
  // that addSite finds the user's line on the inlinedAt chain.
  static void inlineLibraryWrappers(llvm::Module &M, const Options &Opts);

  // Whether F calls anything the options make a lock or blocking call.
  static bool hasCandidates(const llvm::Function &F, const Options &Opts);

  // Instruments F's lock and blocking calls and returns the sites they
  // are. Sites are named after NamedAs: F itself, or the function F is the
  // recording copy of (FrClone.h).
  std::vector<unsigned> instrument(llvm::Function &F,
                                   const llvm::Function &NamedAs);

private:
  unsigned instrumentCall(llvm::CallBase *Call, const CalleeInfo &Info);
  unsigned addSite(llvm::CallBase *Call, const CalleeInfo &Info);
  llvm::FunctionCallee hook(const char *Name, llvm::Type *Ret,
                            llvm::ArrayRef<llvm::Type *> Params);

  const Options &Opts;
  llvm::Module &M;
  SiteTable &Sites;
  Guard G;
  llvm::StringMap<unsigned> Known; // call site key -> site index
  const llvm::Function *NamedAs = nullptr; // while instrument() runs
};

} // namespace fr

#endif
