//===- FrInstrument.cpp - the fr instrumentation pass ---------------------===//
//
// FILE:        plugin/FrInstrument.cpp
// DESCRIPTION: See FrInstrument.h.
//
//===----------------------------------------------------------------------===//
#include "FrInstrument.h"
#include "FrAbi.h"
#include "FrCallSites.h"
#include "FrGuard.h"
#include "FrSelection.h"

#include "FrSiteTable.h"

#include "llvm/IR/CFG.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace fr {

namespace {

struct FunctionHooks {
  FunctionCallee Enter, Exit;
};

FunctionHooks declareFunctionHooks(Module &M) {
  LLVMContext &C = M.getContext();
  FunctionType *HookTy =
      FunctionType::get(Type::getVoidTy(C), {Type::getInt32Ty(C)}, false);
  FunctionHooks H{M.getOrInsertFunction(EnterHook, HookTy),
                  M.getOrInsertFunction(ExitHook, HookTy)};
  for (FunctionCallee Hook : {H.Enter, H.Exit}) {
    if (auto *F = dyn_cast<Function>(Hook.getCallee())) {
      declareHook(*F);
      if (hooksPreserveRegisters(M))
        F->setCallingConv(CallingConv::PreserveMost);
    }
  }
  return H;
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

// A return block that only merges values (phis, then ret) keeps tail calls
// in its predecessors: the backend duplicates the ret into them and the calls
// become jumps. An exit hook in that block would end that, so first the ret
// is copied into each predecessor that ends in a tail call feeding it, and
// the hook goes before the call (exitPoint).
void foldReturnsIntoTailCalls(Function &F) {
  std::vector<std::pair<ReturnInst *, BasicBlock *>> Folds;
  for (BasicBlock &BB : F) {
    auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator());
    if (!Ret || BB.getFirstNonPHIOrDbg() != Ret)
      continue;
    auto *Phi = dyn_cast_or_null<PHINode>(Ret->getReturnValue());
    for (BasicBlock *Pred : predecessors(&BB)) {
      auto *Br = dyn_cast<BranchInst>(Pred->getTerminator());
      if (!Br || Br->isConditional())
        continue;
      Instruction *Prev = Br->getPrevNode();
      while (Prev && isa<DbgInfoIntrinsic>(Prev))
        Prev = Prev->getPrevNode();
      auto *Call = dyn_cast_or_null<CallInst>(Prev);
      if (!Call || !Call->isTailCall() ||
          (Ret->getReturnValue() &&
           (!Phi || Phi->getParent() != &BB ||
            Phi->getIncomingValueForBlock(Pred) != Call)))
        continue;
      Folds.push_back({Ret, Pred});
    }
  }
  std::vector<BasicBlock *> Emptied;
  for (auto &[Ret, Pred] : Folds) {
    BasicBlock *BB = Ret->getParent();
    FoldReturnIntoUncondBranch(Ret, BB, Pred);
    if (pred_empty(BB))
      Emptied.push_back(BB);
  }
  for (BasicBlock *BB : Emptied)
    DeleteDeadBlock(BB);
}

void instrumentFunction(Function &F, const FunctionHooks &H, const Guard &G,
                        unsigned Index) {
  foldReturnsIntoTailCalls(F);
  std::vector<Instruction *> Exits;
  for (BasicBlock &BB : F) {
    Instruction *T = BB.getTerminator();
    if (auto *Ret = dyn_cast<ReturnInst>(T))
      Exits.push_back(exitPoint(Ret));
    else if (isa<ResumeInst>(T))
      Exits.push_back(T);
  }
  for (Instruction *I : Exits)
    G.insertCall(I, H.Exit, Index);

  // Entry: after the leading allocas, so they stay static allocas.
  BasicBlock &Entry = F.getEntryBlock();
  BasicBlock::iterator It = Entry.getFirstInsertionPt();
  while (isa<AllocaInst>(*It) || isa<DbgInfoIntrinsic>(*It))
    ++It;
  G.insertCall(&*It, H.Enter, Index);
}

} // namespace

PreservedAnalyses InstrumentPass::run(Module &M, ModuleAnalysisManager &MAM) {
  if (M.getNamedMetadata(DoneMetadata))
    return PreservedAnalyses::all();
  M.getOrInsertNamedMetadata(DoneMetadata);

  FunctionAnalysisManager &FAM =
      MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  Selection Select(Opts, M);
  if (Opts.UseWork || Opts.Explain)
    Select.estimateWork(M, FAM);
  std::vector<Function *> Chosen, WithCalls;
  for (Function &F : M) {
    bool Chose = Select.shouldInstrument(F, FAM);
    if (Chose)
      Chosen.push_back(&F);
    if (Opts.Explain && !F.isDeclaration())
      errs() << "fr: " << Selection::sourceFile(F) << ": "
             << Selection::displayName(F) << ": estimated work "
             << uint64_t(Select.workOf(F)) << ", "
             << (Chose ? "instrumented" : "left out") << "\n";
    if (Select.shouldInstrumentCalls(F) && CallSites::hasCandidates(F, Opts))
      WithCalls.push_back(&F);
  }
  if (Chosen.empty() && WithCalls.empty())
    return PreservedAnalyses::all();

  SiteTable Sites(M);
  Guard G{Sites.guards(), Sites.base()};
  // Call sites first: the function's exit hooks then land after their
  // return events, so every call site event falls inside its function.
  CallSites Calls(Opts, M, Sites, G);
  for (Function *F : WithCalls)
    Calls.instrument(*F);
  FunctionHooks H = declareFunctionHooks(M);
  for (Function *F : Chosen) {
    unsigned Line = 0;
    if (DISubprogram *SP = F->getSubprogram())
      Line = SP->getLine();
    unsigned Index =
        Sites.add(FR_SITE_FUNCTION, Selection::displayName(*F),
                  Selection::sourceFile(*F), Line);
    instrumentFunction(*F, H, G, Index);
  }
  Sites.finish();
  return PreservedAnalyses::none();
}

} // namespace fr
