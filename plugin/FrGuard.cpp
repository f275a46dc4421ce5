//===- FrGuard.cpp - guarded hook calls -----------------------------------===//
//
// FILE:        plugin/FrGuard.cpp
// DESCRIPTION: See FrGuard.h.
//
//===----------------------------------------------------------------------===//
#include "FrGuard.h"
#include "FrAbi.h"

#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace fr {

void markNoSanitize(Instruction *I) {
  // By name: LLVM 14 has no fixed kind for it; later majors map the name to
  // their fixed MD_nosanitize.
  LLVMContext &Ctx = I->getContext();
  I->setMetadata(Ctx.getMDKindID("nosanitize"), MDNode::get(Ctx, {}));
}

Value *Guard::load(IRBuilder<> &B, unsigned Index) const {
  // Not inbounds: the array is a one-byte placeholder until SiteTable::finish
  // knows how many sites there are.
  Value *Byte = B.CreateConstGEP1_64(B.getInt8Ty(), Bytes, Index);
  LoadInst *Load = B.CreateLoad(B.getInt8Ty(), Byte, "fr.guard");
  markNoSanitize(Load);
  // The runtime stores guard bytes atomically while the program runs.
  // Under TSan the load says so too: LLVM 14's TSan instruments loads
  // whatever their !nosanitize, and would report a race. (Elsewhere a plain
  // load, which the optimizer may combine; the same mov on x86 either way.)
  if (B.GetInsertBlock()->getParent()->hasFnAttribute(Attribute::SanitizeThread))
    Load->setAtomic(AtomicOrdering::Monotonic);
  return Load;
}

Value *Guard::anyOf(IRBuilder<> &B, unsigned First, unsigned Width) const {
  if (Width == 1)
    return any(B, load(B, First));
  Value *Byte = B.CreateConstGEP1_64(B.getInt8Ty(), Bytes, First);
  Type *Word = B.getIntNTy(8 * Width);
  Value *At = B.CreateBitCast(Byte, PointerType::getUnqual(Word));
  // Never atomic: the caller does not split functions built with TSan.
  LoadInst *Load = B.CreateAlignedLoad(Word, At, Align(1), "fr.guards");
  markNoSanitize(Load);
  return B.CreateICmpNE(Load, ConstantInt::get(Word, 0), "fr.on");
}

Value *Guard::any(IRBuilder<> &B, Value *GuardByte) {
  return B.CreateICmpNE(GuardByte, B.getInt8(0), "fr.on");
}

Value *Guard::all(IRBuilder<> &B, Value *GuardByte) {
  return B.CreateICmpNE(B.CreateAnd(GuardByte, B.getInt8(FR_GUARD_ALL)),
                        B.getInt8(0), "fr.all");
}

Value *Guard::siteId(IRBuilder<> &B, unsigned Index) const {
  LoadInst *Load = B.CreateLoad(B.getInt32Ty(), Base, "fr.base");
  markNoSanitize(Load);
  return B.CreateAdd(Load, B.getInt32(Index), "fr.site");
}

void borrowDebugLoc(CallInst *Call, Instruction *I) {
  if (const DebugLoc &DL = I->getDebugLoc())
    Call->setDebugLoc(DL);
  else if (DISubprogram *SP = I->getFunction()->getSubprogram())
    Call->setDebugLoc(DILocation::get(I->getContext(), SP->getScopeLine(), 0, SP));
}

CallInst *Guard::insertCall(Instruction *InsertBefore, FunctionCallee Hook,
                            unsigned Index, ArrayRef<Value *> Args,
                            Value *On) const {
  IRBuilder<> B(InsertBefore);
  Instruction *Then = SplitBlockAndInsertIfThen(On, InsertBefore, false);
  B.SetInsertPoint(Then);
  SmallVector<Value *, 4> All{siteId(B, Index)};
  All.append(Args.begin(), Args.end());
  CallInst *Call = B.CreateCall(Hook, All);
  if (auto *F = dyn_cast<Function>(Hook.getCallee()))
    Call->setCallingConv(F->getCallingConv());
  Call->setDoesNotThrow();
  borrowDebugLoc(Call, InsertBefore);
  return Call;
}

CallInst *Guard::insertCall(Instruction *InsertBefore, FunctionCallee Hook,
                            unsigned Index, ArrayRef<Value *> Args) const {
  IRBuilder<> B(InsertBefore);
  return insertCall(InsertBefore, Hook, Index, Args, any(B, load(B, Index)));
}

} // namespace fr
