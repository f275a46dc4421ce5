//===- FrGuard.cpp - guarded hook calls -----------------------------------===//
//
// FILE:        plugin/FrGuard.cpp
// DESCRIPTION: See FrGuard.h.
//
//===----------------------------------------------------------------------===//
#include "FrGuard.h"

#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace fr {

Value *Guard::isOn(IRBuilder<> &B) const {
  Value *Flag = B.CreateLoad(B.getInt8Ty(), Active, "fr.active");
  return B.CreateICmpNE(Flag, B.getInt8(0));
}

Value *Guard::siteId(IRBuilder<> &B, unsigned Index) const {
  return B.CreateAdd(B.CreateLoad(B.getInt32Ty(), Base, "fr.base"),
                     B.getInt32(Index), "fr.site");
}

void borrowDebugLoc(CallInst *Call, Instruction *I) {
  if (const DebugLoc &DL = I->getDebugLoc())
    Call->setDebugLoc(DL);
  else if (DISubprogram *SP = I->getFunction()->getSubprogram())
    Call->setDebugLoc(DILocation::get(I->getContext(), SP->getScopeLine(), 0, SP));
}

CallInst *Guard::insertCall(Instruction *InsertBefore, FunctionCallee Hook,
                            unsigned Index, ArrayRef<Value *> Args) const {
  IRBuilder<> B(InsertBefore);
  Instruction *Then = SplitBlockAndInsertIfThen(isOn(B), InsertBefore, false);
  B.SetInsertPoint(Then);
  SmallVector<Value *, 4> All{siteId(B, Index)};
  All.append(Args.begin(), Args.end());
  CallInst *Call = B.CreateCall(Hook, All);
  Call->setDoesNotThrow();
  borrowDebugLoc(Call, InsertBefore);
  return Call;
}

} // namespace fr
