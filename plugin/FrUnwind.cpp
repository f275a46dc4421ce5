//===- FrUnwind.cpp - the call stack across exceptions and longjmp -------===//
//
// FILE:        plugin/FrUnwind.cpp
// DESCRIPTION: See FrUnwind.h.
//
//===----------------------------------------------------------------------===//
#include "FrUnwind.h"
#include "FrAbi.h"

#include "llvm/ADT/StringSwitch.h"
#if __has_include("llvm/IR/EHPersonalities.h")
#include "llvm/IR/EHPersonalities.h" // LLVM 17 and later
#else
#include "llvm/Analysis/EHPersonalities.h"
#endif
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;

namespace fr {

namespace {

// The personality for a function that had none: the C++ one when the module
// already uses it (functions of one module then inline into each other
// freely), else the C one, which runs cleanups (all that is added here) and
// is in libgcc_s, which clang links into C and C++ programs alike.
FunctionCallee personality(Module &M) {
  LLVMContext &C = M.getContext();
  FunctionType *Ty = FunctionType::get(Type::getInt32Ty(C), true);
  if (Function *Gxx = M.getFunction("__gxx_personality_v0"))
    return FunctionCallee(Ty, Gxx);
  return M.getOrInsertFunction("__gcc_personality_v0", Ty);
}

// A call the unwinder can leave F through without passing a landing pad.
bool unwindsWithoutPad(const CallInst *Call) {
  // setjmp and friends stay calls: they do not throw (glibc just does not
  // always say so), and a call that returns twice is best left alone.
  if (Call->doesNotThrow() || Call->isInlineAsm() || Call->isMustTailCall() ||
      isa<IntrinsicInst>(Call) || Call->canReturnTwice())
    return false;
  if (const Function *Callee = Call->getCalledFunction())
    if (Callee->getName().substr(0, 5) == "__fr_")
      return false;
  return true;
}

bool returnsByLongjmp(const CallBase *Call) {
  const Function *Callee = Call->getCalledFunction();
  if (!Callee)
    return false;
  return StringSwitch<bool>(Callee->getName())
      .Cases("setjmp", "_setjmp", "__setjmp", "sigsetjmp", "__sigsetjmp", true)
      .Cases("savectx", "getcontext", true)
      .Default(false);
}

} // namespace

void addUnwindExits(Function &F, FunctionCallee Exit, const Guard &G,
                    unsigned Index,
                    const SmallPtrSetImpl<Instruction *> &Keep) {
  if (F.doesNotThrow())
    return;
  if (F.hasPersonalityFn() &&
      isScopedEHPersonality(classifyEHPersonality(F.getPersonalityFn())))
    return; // funclet-based (Windows) exception handling: not on our targets
  std::vector<CallInst *> Calls;
  for (Instruction &I : instructions(F))
    if (auto *Call = dyn_cast<CallInst>(&I))
      if (unwindsWithoutPad(Call) && !Keep.count(Call))
        Calls.push_back(Call);
  if (Calls.empty())
    return;

  Module &M = *F.getParent();
  LLVMContext &C = M.getContext();
  if (!F.hasPersonalityFn())
    F.setPersonalityFn(cast<Constant>(personality(M).getCallee()));
  // The pad's type is the one F's other pads have (clang: { ptr, i32 }).
  Type *PadTy = nullptr;
  for (BasicBlock &BB : F)
    if (auto *Pad = dyn_cast<LandingPadInst>(BB.getFirstNonPHI()))
      PadTy = Pad->getType();
  if (!PadTy)
    PadTy = StructType::get(PointerType::getUnqual(Type::getInt8Ty(C)),
                            Type::getInt32Ty(C));

  BasicBlock *Pad = BasicBlock::Create(C, "fr.unwind", &F);
  IRBuilder<> B(Pad);
  LandingPadInst *LP = B.CreateLandingPad(PadTy, 0, "fr.exception");
  LP->setCleanup(true);
  ResumeInst *Resume = B.CreateResume(LP);
  // The pad has the location of the function's scope line, as its hook.
  if (DISubprogram *SP = F.getSubprogram()) {
    DebugLoc DL = DILocation::get(C, SP->getScopeLine(), 0, SP);
    LP->setDebugLoc(DL);
    Resume->setDebugLoc(DL);
  }
  G.insertCall(Resume, Exit, Index);
  for (CallInst *Call : Calls)
    changeToInvokeAndSplitBasicBlock(Call, Pad);
}

void addResumeEvents(Function &F, FunctionCallee Resume, const Guard &G,
                     unsigned Index) {
  LLVMContext &C = F.getContext();
  std::vector<std::pair<Instruction *, unsigned>> Points;
  for (BasicBlock &BB : F) {
    if (auto *LP = dyn_cast<LandingPadInst>(BB.getFirstNonPHI())) {
      bool Catches = false;
      for (unsigned K = 0; K < LP->getNumClauses(); ++K)
        Catches |= LP->isCatch(K);
      if (Catches)
        Points.push_back({&*BB.getFirstInsertionPt(), FR_RESUME_CATCH});
    }
    for (Instruction &I : BB)
      if (auto *Call = dyn_cast<CallBase>(&I))
        if (returnsByLongjmp(Call) && !Call->isTerminator())
          Points.push_back({Call->getNextNode(), FR_RESUME_SETJMP});
  }
  for (auto &[At, Cause] : Points)
    G.insertCall(At, Resume, Index,
                 {ConstantInt::get(Type::getInt32Ty(C), Cause)});
}

} // namespace fr
