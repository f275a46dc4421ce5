//===- FrInstrument.cpp - the fr instrumentation pass ---------------------===//
//
// FILE:        plugin/FrInstrument.cpp
// DESCRIPTION: See FrInstrument.h.
//
//===----------------------------------------------------------------------===//
#include "FrInstrument.h"
#include "FrAbi.h"
#include "FrSelection.h"
#include "FrSiteTable.h"

#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace fr {

namespace {

struct Hooks {
  GlobalVariable *Active;
  FunctionCallee Enter, Exit;
};

Hooks declareHooks(Module &M) {
  LLVMContext &C = M.getContext();
  Type *I8 = Type::getInt8Ty(C);
  auto *Active = dyn_cast_or_null<GlobalVariable>(M.getNamedValue(ActiveFlag));
  if (!Active)
    Active = new GlobalVariable(M, I8, /*isConstant=*/false,
                                GlobalValue::ExternalLinkage, nullptr,
                                ActiveFlag);
  FunctionType *HookTy =
      FunctionType::get(Type::getVoidTy(C), {Type::getInt32Ty(C)}, false);
  return {Active, M.getOrInsertFunction(EnterHook, HookTy),
          M.getOrInsertFunction(ExitHook, HookTy)};
}

// if (__fr_active) hook(base + index);  inserted before InsertBefore.
void insertGuardedHook(Instruction *InsertBefore, const Hooks &H,
                       FunctionCallee Hook, GlobalVariable *Base,
                       unsigned Index) {
  IRBuilder<> B(InsertBefore);
  LLVMContext &C = InsertBefore->getContext();
  Value *Flag = B.CreateLoad(Type::getInt8Ty(C), H.Active, "fr.active");
  Value *On = B.CreateICmpNE(Flag, B.getInt8(0));
  Instruction *Then = SplitBlockAndInsertIfThen(On, InsertBefore, false);
  B.SetInsertPoint(Then);
  Value *Id = B.CreateAdd(B.CreateLoad(B.getInt32Ty(), Base, "fr.base"),
                          B.getInt32(Index), "fr.site");
  CallInst *Call = B.CreateCall(Hook, {Id});
  Call->setDoesNotThrow();
  // A hook call that carried no location would make the verifier reject
  // functions with debug info when inlined; borrow the anchor's.
  if (const DebugLoc &DL = InsertBefore->getDebugLoc())
    Call->setDebugLoc(DL);
  else if (DISubprogram *SP = InsertBefore->getFunction()->getSubprogram())
    Call->setDebugLoc(DILocation::get(C, SP->getScopeLine(), 0, SP));
}

// Where the exit hook of a return goes: before a (must)tail call that feeds
// the return, else right before the return.
Instruction *exitPoint(ReturnInst *Ret) {
  Instruction *Prev = Ret->getPrevNode();
  while (Prev && isa<DbgInfoIntrinsic>(Prev))
    Prev = Prev->getPrevNode();
  // A bitcast of the call's result may sit between (musttail allows it).
  Instruction *CallCandidate = Prev;
  if (auto *Cast = dyn_cast_or_null<BitCastInst>(Prev)) {
    Instruction *BeforeCast = Cast->getPrevNode();
    if (BeforeCast && Cast->getOperand(0) == BeforeCast)
      CallCandidate = BeforeCast;
  }
  auto *Call = dyn_cast_or_null<CallInst>(CallCandidate);
  if (Call && Call->isTailCall()) {
    Value *RV = Ret->getReturnValue();
    if (!RV || RV == Call || RV == Prev)
      return Call;
  }
  return Ret;
}

void instrumentFunction(Function &F, const Hooks &H, GlobalVariable *Base,
                        unsigned Index) {
  std::vector<Instruction *> Exits;
  for (BasicBlock &BB : F) {
    Instruction *T = BB.getTerminator();
    if (auto *Ret = dyn_cast<ReturnInst>(T))
      Exits.push_back(exitPoint(Ret));
    else if (isa<ResumeInst>(T))
      Exits.push_back(T);
  }
  for (Instruction *I : Exits)
    insertGuardedHook(I, H, H.Exit, Base, Index);

  // Entry: after the leading allocas, so they stay static allocas.
  BasicBlock &Entry = F.getEntryBlock();
  BasicBlock::iterator It = Entry.getFirstInsertionPt();
  while (isa<AllocaInst>(*It) || isa<DbgInfoIntrinsic>(*It))
    ++It;
  insertGuardedHook(&*It, H, H.Enter, Base, Index);
}

} // namespace

PreservedAnalyses InstrumentPass::run(Module &M, ModuleAnalysisManager &MAM) {
  if (M.getNamedMetadata(DoneMetadata))
    return PreservedAnalyses::all();
  M.getOrInsertNamedMetadata(DoneMetadata);

  FunctionAnalysisManager &FAM =
      MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  Selection Select(Opts, M);
  std::vector<Function *> Chosen;
  for (Function &F : M)
    if (Select.shouldInstrument(F, FAM))
      Chosen.push_back(&F);
  if (Chosen.empty())
    return PreservedAnalyses::all();

  Hooks H = declareHooks(M);
  SiteTable Sites(M);
  for (Function *F : Chosen) {
    unsigned Line = 0;
    if (DISubprogram *SP = F->getSubprogram())
      Line = SP->getLine();
    unsigned Index =
        Sites.add(FR_SITE_FUNCTION, Selection::displayName(*F),
                  Selection::sourceFile(*F), Line);
    instrumentFunction(*F, H, Sites.base(), Index);
  }
  Sites.finish();
  return PreservedAnalyses::none();
}

} // namespace fr
