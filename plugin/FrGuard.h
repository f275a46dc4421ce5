//===- FrGuard.h - guarded hook calls ---------------------------*- C++ -*-===//
//
// FILE:        plugin/FrGuard.h
// DESCRIPTION: The one shape of inserted code: load the site's guard byte (one
//              per site, in the module, set by the runtime: see FR_GUARD_* in
//              fr_format.h), test it, and only when it is set compute the
//              site id (the module's base plus a local index) and call a
//              hook. A stopped recorder, or a site the overhead budget muted,
//              costs a load and a branch at each hook point.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_GUARD_H
#define FR_PLUGIN_GUARD_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"

namespace fr {

struct Guard {
  llvm::GlobalVariable *Bytes; // the module's guard array (SiteTable)
  llvm::GlobalVariable *Base;  // the module's i32 site-id base

  // The i8 guard of local site Index, loaded at B's insertion point.
  llvm::Value *load(llvm::IRBuilder<> &B, unsigned Index) const;
  // i1 tests of a loaded guard: any hook of the site is on; every event of
  // the site is recorded (FR_GUARD_ALL: not muted to its slow events).
  static llvm::Value *any(llvm::IRBuilder<> &B, llvm::Value *GuardByte);
  static llvm::Value *all(llvm::IRBuilder<> &B, llvm::Value *GuardByte);
  // i1: any of the Width (1, 2, 4 or 8) guard bytes from local site First
  // is set, in one load (SiteTable pads the array so that it stays inside).
  llvm::Value *anyOf(llvm::IRBuilder<> &B, unsigned First,
                     unsigned Width) const;
  // i32 site id of local site Index, emitted at B's insertion point.
  llvm::Value *siteId(llvm::IRBuilder<> &B, unsigned Index) const;

  // if (On) Hook(site id, Args...);  inserted before InsertBefore. On and
  // Args must be available there; the call borrows InsertBefore's location.
  llvm::CallInst *insertCall(llvm::Instruction *InsertBefore,
                             llvm::FunctionCallee Hook, unsigned Index,
                             llvm::ArrayRef<llvm::Value *> Args,
                             llvm::Value *On) const;
  // The same, On being any() of the guard loaded right there.
  llvm::CallInst *insertCall(llvm::Instruction *InsertBefore,
                             llvm::FunctionCallee Hook, unsigned Index,
                             llvm::ArrayRef<llvm::Value *> Args = {}) const;
};

// A location for an inserted call: I's, else the function's scope line (a
// call without one in a function with debug info fails the verifier once
// inlined).
void borrowDebugLoc(llvm::CallInst *Call, llvm::Instruction *I);

// Marks an access fr inserted (a guard byte, the site base, a peek at a lock
// word) !nosanitize, so that a user's ASan or TSan build checks the
// program's accesses, not ours: the runtime flips guard bytes while the
// program runs, by design.
void markNoSanitize(llvm::Instruction *I);

} // namespace fr

#endif
