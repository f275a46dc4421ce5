//===- FrInstrument.h - the fr instrumentation pass -------------*- C++ -*-===//
//
// FILE:        plugin/FrInstrument.h
// DESCRIPTION: A module pass that, for every function the selection policy
//              keeps, inserts an entry hook after the entry block's allocas
//              and an exit hook on every way out:
//                ret                      hook just before it;
//                tail call; ret           hook before the call, so the call
//                                         stays a jump (as XRay's tail exits);
//                musttail call; ret       hook before the call (required);
//                resume                   hook before it (an exception leaves);
//                a call that may throw    an invoke of a cleanup landing pad
//                                         that records the exit and resumes
//                                         (FrUnwind.h), with resume events
//                                         where an exception is caught and
//                                         where setjmp returns.
//              A tail call is "certain" (the hook goes before it) only when
//              the backend will make it a jump: musttail, or every argument
//              in a register (an 8-argument callee on x86-64 is called).
//              Each hook is guarded inline by a test of the function's guard
//              byte, so a binary whose recorder is off, or a function the
//              overhead budget muted, pays a load and a branch. A small
//              function (or a lock wrapper) is first split into its plain
//              body behind one test and a copy that gets the hooks
//              (FrClone.h), so that not recording it costs that one test.
//              Frames that still record no exit (C built without exceptions
//              that an exception passes, frames longjmp skips) are closed by
//              the reader at the next resume event or matching outer exit.
//              The pass is idempotent (module metadata fr.instrumented) and
//              required, so -O0's optnone functions are instrumented too.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_INSTRUMENT_H
#define FR_PLUGIN_INSTRUMENT_H

#include "FrOptions.h"

#include "llvm/IR/PassManager.h"

namespace fr {

class InstrumentPass : public llvm::PassInfoMixin<InstrumentPass> {
public:
  explicit InstrumentPass(Options Opts) : Opts(std::move(Opts)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &AM);
  static bool isRequired() { return true; }

private:
  Options Opts;
};

} // namespace fr

#endif
