//===- FrClone.cpp - a plain body and a recording copy --------------------===//
//
// FILE:        plugin/FrClone.cpp
// DESCRIPTION: See FrClone.h.
//
//===----------------------------------------------------------------------===//
#include "FrClone.h"

#include "llvm/Analysis/CFG.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <algorithm>

using namespace llvm;

namespace fr {

bool canSplitForRecording(const Function &F, unsigned MaxSize,
                          bool HasCallSites) {
  if (MaxSize == 0 || F.isVarArg() || F.hasFnAttribute(Attribute::Naked) ||
      F.hasFnAttribute(Attribute::OptimizeNone) ||
      F.hasFnAttribute(Attribute::SanitizeThread) ||
      F.hasFnAttribute(Attribute::ReturnsTwice) || F.hasPrologueData() ||
      F.getFnAttribute("disable-tail-calls").getValueAsString() == "true")
    return false;
  for (const Argument &A : F.args())
    if (A.hasByValAttr() || A.hasInAllocaAttr() || A.hasPreallocatedAttr() ||
        A.hasSwiftErrorAttr())
      return false;
  unsigned Size = 0;
  for (const BasicBlock &BB : F) {
    if (BB.hasAddressTaken())
      return false; // blockaddress constants would still name F's blocks
    for (const Instruction &I : BB) {
      if (isa<DbgInfoIntrinsic>(I))
        continue;
      if (++Size > MaxSize)
        return false;
      if (const auto *Call = dyn_cast<CallBase>(&I))
        if (Call->isInlineAsm() || Call->cannotDuplicate() ||
            isa<CallBrInst>(Call))
          return false;
    }
  }
  // A loop around a lock or blocking call (a thread's main loop, say) may
  // run for the life of the process: entered while off, its calls would
  // never be recorded after the recorder starts.
  if (HasCallSites) {
    SmallVector<std::pair<const BasicBlock *, const BasicBlock *>, 4> Back;
    FindFunctionBackedges(F, Back);
    if (!Back.empty())
      return false;
  }
  return true;
}

// The attributes of F's return value and parameters, for a call that
// passes F's own arguments on (sret, signext, inreg, ... must match).
static AttributeList argumentAttributes(const Function &F) {
  const AttributeList &A = F.getAttributes();
  SmallVector<AttributeSet, 8> Params;
  for (unsigned I = 0; I < F.arg_size(); ++I)
#if LLVM_VERSION_MAJOR >= 14
    Params.push_back(A.getParamAttrs(I));
  return AttributeList::get(F.getContext(), AttributeSet(), A.getRetAttrs(),
                            Params);
#else
    Params.push_back(A.getParamAttributes(I));
  return AttributeList::get(F.getContext(), AttributeSet(),
                            A.getRetAttributes(), Params);
#endif
}

Function *copyForRecording(Function &F) {
  ValueToValueMapTy Map;
  Function *Copy = CloneFunction(&F, Map);
  Copy->setName(F.getName() + ".fr");
  Copy->setLinkage(GlobalValue::InternalLinkage);
  Copy->setDLLStorageClass(GlobalValue::DefaultStorageClass);
  // Kept or discarded with F when F is one of several inline copies.
  Copy->setComdat(F.getComdat());
  // Inlined back into F, the hooks' calls would again cost F's plain path
  // its frame (an LTO link runs the inliner after this pass).
  Copy->removeFnAttr(Attribute::AlwaysInline);
  Copy->addFnAttr(Attribute::NoInline);
  // Other instrumentation the backend adds (-finstrument-functions, -pg,
  // -mfentry, -fpatchable-function-entry, XRay's sleds) is F's: once a call.
  for (StringRef Kind :
       {"instrument-function-entry", "instrument-function-entry-inlined",
        "instrument-function-exit", "instrument-function-exit-inlined",
        "fentry-call", "patchable-function-entry", "function-instrument",
        "xray-instruction-threshold"})
    Copy->removeFnAttr(Kind);
  if (F.hasFnAttribute("function-instrument") ||
      F.hasFnAttribute("xray-instruction-threshold"))
    Copy->addFnAttr("function-instrument", "xray-never");
  return Copy;
}

bool enterCopyWhenRecording(Function &F, Function &Copy, const Guard &G,
                            ArrayRef<unsigned> Sites) {
  if (Sites.empty())
    return false;
  unsigned First = *std::min_element(Sites.begin(), Sites.end());
  unsigned Last = *std::max_element(Sites.begin(), Sites.end());
  unsigned Width = 1;
  while (Width < Last - First + 1)
    Width *= 2;
  if (Width > 8)
    return false;

  LLVMContext &Ctx = F.getContext();
  BasicBlock *Body = &F.getEntryBlock();
  BasicBlock *Test = BasicBlock::Create(Ctx, "fr.test", &F, Body);
  BasicBlock *Record = BasicBlock::Create(Ctx, "fr.record", &F, Body);
  IRBuilder<> B(Test);
  Value *On = G.anyOf(B, First, Width);
  // Laid out for the plain path: the functions whose cost matters are the
  // hot ones, and the budget mutes those.
  B.CreateCondBr(On, Record, Body,
                 MDBuilder(Ctx).createBranchWeights(1, 64));
  // The allocas of the old entry block stay static: in the entry block.
  Instruction *TestStart = &Test->front();
  for (auto It = Body->begin(); It != Body->end();) {
    Instruction &I = *It++;
    if (auto *Alloca = dyn_cast<AllocaInst>(&I))
      if (isa<Constant>(Alloca->getArraySize()))
        Alloca->moveBefore(TestStart);
  }

  B.SetInsertPoint(Record);
  SmallVector<Value *, 8> Args;
  for (Argument &A : F.args())
    Args.push_back(&A);
  CallInst *Call = B.CreateCall(Copy.getFunctionType(), &Copy, Args);
  Call->setCallingConv(F.getCallingConv());
  Call->setAttributes(argumentAttributes(F));
  Call->setTailCallKind(CallInst::TCK_Tail);
  borrowDebugLoc(Call, &*Body->getFirstInsertionPt());
  if (F.getReturnType()->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(Call);
  return true;
}

} // namespace fr
