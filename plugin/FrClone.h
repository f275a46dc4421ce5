//===- FrClone.h - a plain body and a recording copy ------------*- C++ -*-===//
//
// FILE:        plugin/FrClone.h
// DESCRIPTION: What a function costs while it is not recorded (the recorder
//              stopped, or the overhead budget muted it). Guarded hooks cost
//              a load and a branch at the entry and at every exit, and the
//              hook calls, even not taken, make a leaf function keep a frame
//              (a push and a pop that align the stack): about six
//              instructions a call, where XRay's unpatched sled is one jump.
//              So a small function is split in two:
//                F       its own body, untouched but for one test at entry:
//                          if (guard) return F.fr(args...);   (a jump)
//                F.fr    an internal, noinline copy that the pass then
//                        instruments as any other function.
//              Off, a call costs the load and the branch; on, one jump more.
//              Lock and blocking call sites are instrumented in the copy
//              only, and tested with the function's own guard at entry (so
//              one with such a site in a loop is not split).
//              A function too large to copy (over the clone= limit, in IR
//              instructions) gets a recording wrapper instead:
//                F       its own body, and one test at entry:
//                          if (guard && pass token != site)
//                            return F.fr(args...);      (a jump)
//                F.fr    sets the thread's pass token to site, calls F,
//                        clears it; the pass instruments it as any other
//                        function, so its hooks are F's entry and exit.
//              Off, a call costs the load and the branch at entry and
//              nothing at its exits (with hooks inline, a test at every exit
//              as well: 4 to 6 instructions a call of sqlite3's largest
//              functions, against 2); on, a call and a frame more. Its
//              lock and blocking call sites keep their hooks inline. A signal
//              handler that calls F between F.fr's store and F's test takes
//              the token: that call of F is not recorded, and the
//              interrupted one records its entry twice.
//              A function larger still (outline= IR instructions) is moved
//              out whole instead, so that its code is compiled exactly as
//              if fr were not there: a test placed in its entry block
//              perturbs the register allocation of a large body, which cost
//              sqlite3VdbeExec 20 instructions a call.
//                F          a stub:  if (guard) return F.fr(args...);
//                                    return F.fr.body(args...);  (jumps)
//                F.fr.body  F's body, internal and noinline;
//                F.fr       calls F.fr.body; the pass instruments it.
//              Off, a call costs the test and one jump; on, a call and a
//              frame more, and no token.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_CLONE_H
#define FR_PLUGIN_CLONE_H

#include "FrGuard.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/Function.h"

namespace fr {

// Whether F can be split: not variadic (a jump cannot pass the arguments
// on), no argument in memory the caller owns (byval, inalloca,
// preallocated), no swifterror, no blocks whose address is taken, no inline
// assembly or call that must not be duplicated (labels defined twice), no
// prologue data (code that would run twice), optimized, not built with TSan
// (Guard::anyOf is not atomic), tail calls allowed, at most MaxSize IR
// instructions, and, when F has lock or blocking call sites (HasCallSites),
// no loop: those sites must start recording in a call already running.
bool canSplitForRecording(const llvm::Function &F, unsigned MaxSize,
                          bool HasCallSites);

// An internal, noinline copy of F (canSplitForRecording), to instrument.
llvm::Function *copyForRecording(llvm::Function &F);

// Puts F's body behind a test of the guards of Sites (the local sites
// instrumented in Copy): when any is set, F jumps to Copy. Returns false,
// changing nothing, when one load cannot test them all (they span more
// than 8 guard bytes: a site shared with other functions).
bool enterCopyWhenRecording(llvm::Function &F, llvm::Function &Copy,
                            const Guard &G, llvm::ArrayRef<unsigned> Sites);

// Whether F can have a recording wrapper (wrapForRecording): its arguments
// can be passed on by a call (as canSplitForRecording asks), it returns,
// it is optimized and not built with TSan, it does not read its return
// address (which would be the wrapper's), and the F its wrapper calls is
// certainly this one (not replaceable at link or load time).
bool canWrapForRecording(const llvm::Function &F);

// Builds F's recording wrapper, F.fr (to instrument with F's site Index),
// and puts F's body behind the test that jumps to it.
llvm::Function *wrapForRecording(llvm::Function &F, const Guard &G,
                                 unsigned Index);

// Whether F, which can have a recording wrapper, is better outlined
// (outlineForRecording): at least MinSize IR instructions (0: never), and
// no block whose address is taken (blockaddress names F's blocks).
bool shouldOutlineForRecording(const llvm::Function &F, unsigned MinSize);

// Moves F's body into F.fr.body and makes F the stub that tests its guard
// (site Index) and jumps to F.fr or to the body. Returns F.fr, to
// instrument with F's site Index; Body is set to F.fr.body.
llvm::Function *outlineForRecording(llvm::Function &F, const Guard &G,
                                    unsigned Index, llvm::Function *&Body);

} // namespace fr

#endif
