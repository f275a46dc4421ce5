//===- FrInstrument.cpp - the fr instrumentation pass ---------------------===//
//
// FILE:        plugin/FrInstrument.cpp
// DESCRIPTION: See FrInstrument.h.
//
//===----------------------------------------------------------------------===//
#include "FrInstrument.h"
#include "FrAbi.h"
#include "FrCallSites.h"
#include "FrClone.h"
#include "FrGuard.h"
#include "FrSelection.h"
#include "FrSiteTable.h"
#include "FrUnwind.h"

#include "llvm/Analysis/ProfileSummaryInfo.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#if __has_include("llvm/TargetParser/Host.h")
#include "llvm/TargetParser/Host.h" // LLVM 17 and later
#else
#include "llvm/Support/Host.h"
#endif
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace fr {

namespace {

struct FunctionHooks {
  FunctionCallee Enter, Exit, Resume;
};

FunctionHooks declareFunctionHooks(Module &M) {
  LLVMContext &C = M.getContext();
  FunctionType *HookTy =
      FunctionType::get(Type::getVoidTy(C), {Type::getInt32Ty(C)}, false);
  FunctionType *ResumeTy = FunctionType::get(
      Type::getVoidTy(C), {Type::getInt32Ty(C), Type::getInt32Ty(C)}, false);
  FunctionHooks H{M.getOrInsertFunction(EnterHook, HookTy),
                  M.getOrInsertFunction(ExitHook, HookTy),
                  M.getOrInsertFunction(ResumeHook, ResumeTy)};
  for (FunctionCallee Hook : {H.Enter, H.Exit, H.Resume}) {
    if (auto *F = dyn_cast<Function>(Hook.getCallee())) {
      declareHook(*F);
      F->setDoesNotThrow();
      // The resume hook is rare (a catch, a setjmp): the standard convention.
      if (hooksPreserveRegisters(M) && Hook.getCallee() != H.Resume.getCallee())
        F->setCallingConv(CallingConv::PreserveMost);
    }
  }
  return H;
}

// Whether the backend will certainly make Call a jump, so that an exit hook
// before it is right: musttail, or a call marked tail whose arguments all
// travel in registers. A callee with arguments on the stack is a sibling
// call only when they fit the caller's own incoming area, which the
// backend decides late (an 8-argument callee on x86-64 is called, and the
// caller then returns), so such calls keep their exit after them, as do
// calls whose shape (byval, sret, another calling convention, varargs, a
// caller built with -fno-optimize-sibling-calls) may stop it.
bool certainTailCall(const CallInst *Call) {
  if (Call->isMustTailCall())
    return true;
  if (!Call->isTailCall())
    return false;
  const Function &Caller = *Call->getFunction();
  // ThreadSanitizer's pass, which runs after ours, calls __tsan_func_exit
  // before each return of the functions it instruments: none of their
  // calls is then a jump.
  if (Caller.hasFnAttribute(Attribute::SanitizeThread))
    return false;
  if (Caller.getFnAttribute("disable-tail-calls").getValueAsString() == "true" ||
      Call->getCallingConv() != Caller.getCallingConv() ||
      Call->getFunctionType()->isVarArg())
    return false;
  Triple T(Caller.getParent()->getTargetTriple());
  if (T.getArch() == Triple::UnknownArch)
    T = Triple(sys::getDefaultTargetTriple()); // what llc would compile for
  unsigned IntRegs, VectorRegs;
  if (T.getArch() == Triple::x86_64 && !T.isOSWindows())
    IntRegs = 6, VectorRegs = 8;
  else if (T.getArch() == Triple::aarch64)
    IntRegs = 8, VectorRegs = 8;
  else
    return false;
  unsigned Ints = 0, Vectors = 0;
  for (unsigned I = 0; I < Call->arg_size(); ++I) {
    if (Call->paramHasAttr(I, Attribute::ByVal) ||
        Call->paramHasAttr(I, Attribute::InAlloca) ||
        Call->paramHasAttr(I, Attribute::Preallocated) ||
        Call->paramHasAttr(I, Attribute::StructRet))
      return false;
    Type *Ty = Call->getArgOperand(I)->getType();
    if (Ty->isPointerTy())
      Ints++;
    else if (Ty->isIntegerTy() && Ty->getIntegerBitWidth() <= 128)
      Ints += (Ty->getIntegerBitWidth() + 63) / 64;
    else if (Ty->isFloatTy() || Ty->isDoubleTy() ||
             (Ty->isVectorTy() &&
              Ty->getPrimitiveSizeInBits().getFixedValue() <= 128))
      Vectors++;
    else
      return false;
  }
  return Ints <= IntRegs && Vectors <= VectorRegs;
}

// Where the exit hook of a return goes: before a call that feeds the return
// and will be made a jump (certainTailCall), else right before the return.
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
  if (Call && certainTailCall(Call)) {
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
      if (!Call || !certainTailCall(Call) ||
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

// Whether a return of F follows a call that must stay a jump (musttail, or
// a tail call the backend makes one: exitPoint), after
// foldReturnsIntoTailCalls. A recording wrapper's call of F is a real call,
// so such a jump would then grow the stack while F is recorded: without
// bound in a chain of calls that relies on them being jumps (an
// interpreter's musttail dispatch, mutually recursive state functions).
// Such functions keep their hooks inline, the exit hook before the jump.
bool returnsThroughTailCall(Function &F) {
  foldReturnsIntoTailCalls(F);
  for (BasicBlock &BB : F) {
    for (Instruction &I : BB)
      if (auto *Call = dyn_cast<CallInst>(&I))
        if (Call->isMustTailCall())
          return true;
    if (auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator()))
      if (exitPoint(Ret) != Ret)
        return true;
  }
  return false;
}

void instrumentFunction(Function &F, const FunctionHooks &H, const Guard &G,
                        unsigned Index) {
  foldReturnsIntoTailCalls(F);
  std::vector<Instruction *> Exits;
  SmallPtrSet<Instruction *, 4> TailCalls; // exits recorded before them
  for (BasicBlock &BB : F) {
    Instruction *T = BB.getTerminator();
    if (auto *Ret = dyn_cast<ReturnInst>(T)) {
      Exits.push_back(exitPoint(Ret));
      if (Exits.back() != Ret)
        TailCalls.insert(Exits.back());
    } else if (isa<ResumeInst>(T)) {
      Exits.push_back(T);
    }
  }
  // Resume events first: a catching landing pad that ends in a resume (the
  // exception was not of its types) then records the resume, then the exit.
  addResumeEvents(F, H.Resume, G, Index);
  for (Instruction *I : Exits)
    G.insertCall(I, H.Exit, Index);
  addUnwindExits(F, H.Exit, G, Index, TailCalls);

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

  if (Opts.LockCalls || Opts.BlockingCalls)
    CallSites::inlineLibraryWrappers(M, Opts);
  FunctionAnalysisManager &FAM =
      MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  Selection Select(Opts, M);
  ProfileSummaryInfo *Profile = nullptr;
  if (Opts.ProfileWork && M.getProfileSummary(/*IsCS=*/false)) {
    Profile = &MAM.getResult<ProfileSummaryAnalysis>(M);
    Select.useProfile(Profile);
  }
  if (Opts.UseWork || Opts.Explain || Profile)
    Select.estimateWork(M, FAM);
  // What to do to each function, in module order (before copies are added).
  struct Work {
    Function *F;
    bool Chose, HasCalls;
  };
  std::vector<Work> Todo;
  bool AnyChosen = false;
  for (Function &F : M) {
    bool Chose = Select.shouldInstrument(F, FAM);
    AnyChosen |= Chose;
    if (Opts.Explain && !F.isDeclaration())
      errs() << "fr: " << Selection::sourceFile(F) << ": "
             << Selection::displayName(F) << ": estimated work "
             << uint64_t(Select.workOf(F)) << ", "
             << (Chose                      ? "instrumented"
                 : Select.hotInProfile(F) ? "left out (hot in the profile)"
                                          : "left out")
             << "\n";
    bool HasCalls =
        Select.shouldInstrumentCalls(F) && CallSites::hasCandidates(F, Opts);
    if (Chose || HasCalls)
      Todo.push_back({&F, Chose, HasCalls});
  }
  if (Todo.empty())
    return PreservedAnalyses::all();

  SiteTable Sites(M);
  Guard G{Sites.guards(), Sites.base()};
  CallSites Calls(Opts, M, Sites, G);
  FunctionHooks H;
  if (AnyChosen)
    H = declareFunctionHooks(M);
  for (auto [F, Chose, HasCalls] : Todo) {
    std::vector<unsigned> Used; // F's sites
    unsigned Index = 0;
    if (Chose) {
      unsigned Line = 0;
      if (DISubprogram *SP = F->getSubprogram())
        Line = SP->getLine();
      Index = Sites.add(FR_SITE_FUNCTION,
                        Opts.MangledNames ? F->getName().str()
                                          : Selection::displayName(*F),
                        Selection::sourceFile(*F), Line);
      Used.push_back(Index);
    }
    Function *Recording = F; // where the hooks go
    // One that returns through a tail call cannot have a recording wrapper
    // (below): copied up to a larger size, its plain path costs the entry
    // test alone, not a test before every way out as well.
    unsigned CopyLimit = Opts.CloneLimit;
    if (Chose && Opts.Wrap && returnsThroughTailCall(*F))
      CopyLimit *= Options::TailCallCopyFactor;
    if (canSplitForRecording(*F, CopyLimit, HasCalls))
      Recording = copyForRecording(*F);
    // Call sites first: the function's exit hooks then land after their
    // return events, so every call site event falls inside its function.
    if (HasCalls)
      for (unsigned Site : Calls.instrument(*Recording, *F))
        Used.push_back(Site);
    if (Recording != F && !enterCopyWhenRecording(*F, *Recording, G, Used)) {
      Recording->eraseFromParent(); // its sites are F's (CallSites::Known)
      Recording = F;
      if (HasCalls)
        Calls.instrument(*F, *F);
    }
    // Too large to copy: its entry and exit hooks go in a wrapper, its
    // resume events (a catch, a setjmp in its body) stay in its body.
    if (Chose && Recording == F && Opts.CloneLimit && Opts.Wrap &&
        canWrapForRecording(*F) && !returnsThroughTailCall(*F)) {
      Function *Body = F;
      if (shouldOutlineForRecording(*F, Opts.OutlineLimit))
        Recording = outlineForRecording(*F, G, Index, Body);
      else
        Recording = wrapForRecording(*F, G, Index);
      addResumeEvents(*Body, H.Resume, G, Index);
    }
    if (Chose)
      instrumentFunction(*Recording, H, G, Index);
  }
  Sites.finish();
  return PreservedAnalyses::none();
}

} // namespace fr
