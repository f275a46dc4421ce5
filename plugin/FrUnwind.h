//===- FrUnwind.h - the call stack across exceptions and longjmp -*- C++ -*-===//
//
// FILE:        plugin/FrUnwind.h
// DESCRIPTION: What keeps the recorded call stack true when a function is
//              left other than by a return:
//                an exception through it   a cleanup landing pad records its
//                                          exit and resumes unwinding (as GCC's
//                                          -finstrument-functions does; XRay
//                                          records nothing), so every
//                                          instrumented frame the unwinder
//                                          passes is closed in order;
//                an exception caught in it a resume event (FR_EXT_RESUMED,
//                                          cause catch) at each catching
//                                          landing pad: frames above it that
//                                          recorded no exit (C code built
//                                          without -fexceptions, a library)
//                                          are closed by the reader there;
//                a longjmp back into it    a resume event after each setjmp,
//                                          sigsetjmp or getcontext call.
//              Functions that cannot unwind (nounwind: all C built without
//              -fexceptions) get no landing pad and cost nothing more.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_UNWIND_H
#define FR_PLUGIN_UNWIND_H

#include "FrGuard.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Function.h"

namespace fr {

// Gives F one cleanup landing pad that records the exit of site Index and
// resumes, and makes every call in F that may throw an invoke of it (calls
// already in a landing pad's reach keep theirs: their paths end in a
// resume, which has its own exit hook). Calls in Keep stay calls: tail
// calls whose exit was recorded before them.
void addUnwindExits(llvm::Function &F, llvm::FunctionCallee Exit,
                    const Guard &G, unsigned Index,
                    const llvm::SmallPtrSetImpl<llvm::Instruction *> &Keep);

// Records a resume event of site Index where F's frame is current again:
// at each landing pad that catches, and after each call that returns twice
// by longjmp (setjmp and friends).
void addResumeEvents(llvm::Function &F, llvm::FunctionCallee Resume,
                     const Guard &G, unsigned Index);

} // namespace fr

#endif
