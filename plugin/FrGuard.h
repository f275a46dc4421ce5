//===- FrGuard.h - guarded hook calls ---------------------------*- C++ -*-===//
//
// FILE:        plugin/FrGuard.h
// DESCRIPTION: The one shape of inserted code: test __fr_active, and only
//              when it is set compute the site id (the module's base plus a
//              local index) and call a hook. A stopped recorder costs a load
//              and a branch at each hook point.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_GUARD_H
#define FR_PLUGIN_GUARD_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"

namespace fr {

struct Guard {
  llvm::GlobalVariable *Active; // i8 __fr_active
  llvm::GlobalVariable *Base;   // the module's i32 site-id base

  // i1: is the recorder on? Emitted at B's insertion point.
  llvm::Value *isOn(llvm::IRBuilder<> &B) const;
  // i32 site id of local site Index, emitted at B's insertion point.
  llvm::Value *siteId(llvm::IRBuilder<> &B, unsigned Index) const;

  // if (__fr_active) Hook(site id, Args...);  inserted before InsertBefore.
  // Args must be available there; the call borrows InsertBefore's location.
  llvm::CallInst *insertCall(llvm::Instruction *InsertBefore,
                             llvm::FunctionCallee Hook, unsigned Index,
                             llvm::ArrayRef<llvm::Value *> Args = {}) const;
};

// A location for an inserted call: I's, else the function's scope line (a
// call without one in a function with debug info fails the verifier once
// inlined).
void borrowDebugLoc(llvm::CallInst *Call, llvm::Instruction *I);

} // namespace fr

#endif
