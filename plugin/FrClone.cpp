//===- FrClone.cpp - a plain body and a recording copy --------------------===//
//
// FILE:        plugin/FrClone.cpp
// DESCRIPTION: See FrClone.h.
//
//===----------------------------------------------------------------------===//
#include "FrClone.h"
#include "FrAbi.h"

#include "llvm/Analysis/CFG.h"
#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <algorithm>

using namespace llvm;

namespace fr {

// Whether a call from F's entry can pass F's arguments on, and F's body
// can be put behind a test: what splitting and wrapping both need.
static bool canPassArgumentsOn(const Function &F) {
  if (F.isVarArg() || F.hasFnAttribute(Attribute::Naked) ||
      F.hasFnAttribute(Attribute::OptimizeNone) ||
      F.hasFnAttribute(Attribute::SanitizeThread) ||
      F.hasFnAttribute(Attribute::ReturnsTwice) || F.hasPrologueData() ||
      F.getFnAttribute("disable-tail-calls").getValueAsString() == "true")
    return false;
  for (const Argument &A : F.args())
    if (A.hasByValAttr() || A.hasInAllocaAttr() || A.hasPreallocatedAttr() ||
        A.hasSwiftErrorAttr() || A.hasNestAttr())
      return false;
  return true;
}

bool canSplitForRecording(const Function &F, unsigned MaxSize,
                          bool HasCallSites) {
  if (MaxSize == 0 || !canPassArgumentsOn(F))
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

// Other instrumentation the backend adds (-finstrument-functions, -pg,
// -mfentry, -fpatchable-function-entry, XRay's sleds) is for F's own code,
// once a call: R (its copy, its wrapper, its stub) must not have it.
static void leaveBackendInstrumentationTo(const Function &F, Function &R) {
  for (StringRef Kind :
       {"instrument-function-entry", "instrument-function-entry-inlined",
        "instrument-function-exit", "instrument-function-exit-inlined",
        "fentry-call", "patchable-function-entry", "function-instrument",
        "xray-instruction-threshold"})
    R.removeFnAttr(Kind);
  if (F.hasFnAttribute("function-instrument") ||
      F.hasFnAttribute("xray-instruction-threshold"))
    R.addFnAttr("function-instrument", "xray-never");
}

// What a function that holds F's hooks (its copy, its wrapper) must not
// share with F: inlining back into F, whose hooks' calls would again cost
// F's plain path its frame (an LTO link runs the inliner after this pass),
// and the backend's instrumentation.
static void keepRecordingApart(const Function &F, Function &R) {
  R.removeFnAttr(Attribute::AlwaysInline);
  R.addFnAttr(Attribute::NoInline);
  leaveBackendInstrumentationTo(F, R);
}

Function *copyForRecording(Function &F) {
  ValueToValueMapTy Map;
  Function *Copy = CloneFunction(&F, Map);
  Copy->setName(F.getName() + ".fr");
  Copy->setLinkage(GlobalValue::InternalLinkage);
  Copy->setDLLStorageClass(GlobalValue::DefaultStorageClass);
  // Kept or discarded with F when F is one of several inline copies.
  Copy->setComdat(F.getComdat());
  keepRecordingApart(F, *Copy);
  return Copy;
}

// Moves the static allocas of F's old entry block Body to the new entry
// block Test: they must stay in the entry block.
static void keepAllocasInEntry(BasicBlock *Body, BasicBlock *Test) {
  Instruction *TestStart = &Test->front();
  for (auto It = Body->begin(); It != Body->end();) {
    Instruction &I = *It++;
    if (auto *Alloca = dyn_cast<AllocaInst>(&I))
      if (isa<Constant>(Alloca->getArraySize()))
        Alloca->moveBefore(TestStart);
  }
}

// Adds to B a call of Callee (of F's type) passing W's arguments, which
// take F's names, and W's return of its result. Returns the call.
static CallInst *callWithArguments(IRBuilder<> &B, Function &W, Function &F,
                                   Function &Callee) {
  SmallVector<Value *, 8> Args;
  for (Argument &A : W.args()) {
    A.setName(F.getArg(A.getArgNo())->getName());
    Args.push_back(&A);
  }
  CallInst *Call = B.CreateCall(Callee.getFunctionType(), &Callee, Args);
  Call->setCallingConv(F.getCallingConv());
  Call->setAttributes(argumentAttributes(F));
  return Call;
}

static void returnResult(IRBuilder<> &B, Function &F, CallInst *Call) {
  if (F.getReturnType()->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(Call);
}

// Ends B's block with a tail call of Target passing F's arguments on, and
// returns its result. Returns the call, which has no location yet.
static CallInst *forwardArguments(IRBuilder<> &B, Function &F,
                                  Function &Target) {
  CallInst *Call = callWithArguments(B, F, F, Target);
  Call->setTailCallKind(CallInst::TCK_Tail);
  returnResult(B, F, Call);
  return Call;
}

// forwardArguments, the call at the location of Body's first instruction.
static void jumpWithArguments(IRBuilder<> &B, Function &F, Function &Target,
                              BasicBlock *Body) {
  borrowDebugLoc(forwardArguments(B, F, Target),
                 &*Body->getFirstInsertionPt());
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
  keepAllocasInEntry(Body, Test);
  B.SetInsertPoint(Record);
  jumpWithArguments(B, F, Copy, Body);
  return true;
}

// Whether F reads its own return address (__builtin_return_address(0),
// its caller's frame): called from a wrapper, it would read the wrapper's.
static bool readsReturnAddress(const Function &F) {
  for (const BasicBlock &BB : F)
    for (const Instruction &I : BB)
      if (const auto *Call = dyn_cast<IntrinsicInst>(&I))
        if (Call->getIntrinsicID() == Intrinsic::returnaddress ||
            Call->getIntrinsicID() == Intrinsic::addressofreturnaddress)
          return true;
  return false;
}

bool canWrapForRecording(const Function &F) {
  // The wrapper calls F by name: a definition that another could replace
  // (interposed from another object, or a weak one) might be a different
  // F, which would never take the wrapper's token.
  return canPassArgumentsOn(F) && !F.doesNotReturn() && F.isDSOLocal() &&
         !F.isInterposable() && !F.hasFnAttribute(Attribute::SanitizeMemory) &&
         !readsReturnAddress(F);
}

// The runtime's thread-local pass token (FrAbi.h), declared in M.
static GlobalVariable *passToken(Module &M) {
  Type *I32 = Type::getInt32Ty(M.getContext());
  if (GlobalVariable *Token = M.getGlobalVariable(PassTokenVar))
    return Token;
  return new GlobalVariable(M, I32, false, GlobalValue::ExternalLinkage,
                            nullptr, PassTokenVar, nullptr,
                            GlobalValue::InitialExecTLSModel);
}

// What F and its wrapper say of the memory they touch: both write the pass
// token now, whatever F did (readnone, readonly, argmemonly).
static void dropMemoryAttributes(Function &F) {
#if LLVM_VERSION_MAJOR >= 16
  F.removeFnAttr(Attribute::Memory);
#else
  for (Attribute::AttrKind Kind :
       {Attribute::ReadNone, Attribute::ReadOnly, Attribute::WriteOnly,
        Attribute::ArgMemOnly, Attribute::InaccessibleMemOnly,
        Attribute::InaccessibleMemOrArgMemOnly})
    F.removeFnAttr(Kind);
#endif
}

// F.fr, an empty function of F's type and attributes to hold F's hooks
// around a call (they write memory and may take the runtime's lock, so
// none of F's memory attributes or nosync).
static Function *createRecordingWrapper(Function &F) {
  Function *W = Function::Create(F.getFunctionType(),
                                 GlobalValue::InternalLinkage,
                                 F.getName() + ".fr", F.getParent());
  W->setCallingConv(F.getCallingConv());
  W->setAttributes(F.getAttributes());
  keepRecordingApart(F, *W);
  dropMemoryAttributes(*W);
  W->removeFnAttr(Attribute::NoSync);
  W->setComdat(F.getComdat()); // kept or discarded with F
  if (F.hasPersonalityFn())
    W->setPersonalityFn(F.getPersonalityFn());
  return W;
}

Function *wrapForRecording(Function &F, const Guard &G, unsigned Index) {
  Module &M = *F.getParent();
  LLVMContext &Ctx = F.getContext();
  GlobalVariable *Token = passToken(M);
  Type *I32 = Type::getInt32Ty(Ctx);

  Function *W = createRecordingWrapper(F);
  dropMemoryAttributes(F);

  // F.fr: token = site; r = F(args); token = 0; return r.
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", W));
  markNoSanitize(B.CreateStore(G.siteId(B, Index), Token));
  CallInst *Call = callWithArguments(B, *W, F, F);
  // F's body stays F's.
#if LLVM_VERSION_MAJOR >= 14
  Call->addFnAttr(Attribute::NoInline);
#else
  Call->addAttribute(AttributeList::FunctionIndex, Attribute::NoInline);
#endif
  markNoSanitize(B.CreateStore(ConstantInt::get(I32, 0), Token));
  returnResult(B, F, Call);

  // F: if (guard && token != site) return F.fr(args); else token = 0, body.
  BasicBlock *Body = &F.getEntryBlock();
  BasicBlock *Test = BasicBlock::Create(Ctx, "fr.test", &F, Body);
  BasicBlock *Maybe = BasicBlock::Create(Ctx, "fr.maybe", &F, Body);
  BasicBlock *Pass = BasicBlock::Create(Ctx, "fr.pass", &F, Body);
  BasicBlock *Record = BasicBlock::Create(Ctx, "fr.record", &F, Body);
  B.SetInsertPoint(Test);
  B.CreateCondBr(G.any(B, G.load(B, Index)), Maybe, Body,
                 MDBuilder(Ctx).createBranchWeights(1, 64));
  keepAllocasInEntry(Body, Test);
  B.SetInsertPoint(Maybe);
  LoadInst *Held = B.CreateLoad(I32, Token, "fr.token");
  markNoSanitize(Held);
  B.CreateCondBr(B.CreateICmpEQ(Held, G.siteId(B, Index)), Pass, Record);
  B.SetInsertPoint(Pass);
  markNoSanitize(B.CreateStore(ConstantInt::get(I32, 0), Token));
  B.CreateBr(Body);
  B.SetInsertPoint(Record);
  jumpWithArguments(B, F, *W, Body);
  return W;
}

bool shouldOutlineForRecording(const Function &F, unsigned MinSize) {
  if (MinSize == 0)
    return false;
  unsigned Size = 0;
  for (const BasicBlock &BB : F) {
    if (BB.hasAddressTaken())
      return false;
    for (const Instruction &I : BB)
      Size += !isa<DbgInfoIntrinsic>(I);
  }
  return Size >= MinSize;
}

// Gives Body F's subprogram (its variables, scopes and lines are the
// body's) and F a subprogram of its own, of the same name and place, for
// the stub's two calls; returns that location (none without debug info).
static DebugLoc moveSubprogram(Function &F, Function &Body) {
  DISubprogram *SP = F.getSubprogram();
  if (!SP)
    return DebugLoc();
  Body.setSubprogram(SP);
  DIBuilder DIB(*F.getParent(), /*AllowUnresolved=*/false, SP->getUnit());
  DISubprogram *StubSP = DIB.createFunction(
      SP->getScope(), SP->getName(), SP->getLinkageName(), SP->getFile(),
      SP->getLine(), SP->getType(), SP->getScopeLine(),
      SP->getFlags() | DINode::FlagArtificial, SP->getSPFlags());
  DIB.finalizeSubprogram(StubSP);
  F.setSubprogram(StubSP);
  return DILocation::get(F.getContext(), SP->getScopeLine(), 0, StubSP);
}

Function *outlineForRecording(Function &F, const Guard &G, unsigned Index,
                              Function *&Body) {
  Module &M = *F.getParent();
  LLVMContext &Ctx = F.getContext();

  // F.fr.body: F's blocks, arguments and attributes, called directly only.
  Body = Function::Create(F.getFunctionType(), GlobalValue::InternalLinkage,
                          F.getName() + ".fr.body", &M);
  Body->copyAttributesFrom(&F); // also its section, alignment, personality
  Body->setLinkage(GlobalValue::InternalLinkage);
  Body->setDLLStorageClass(GlobalValue::DefaultStorageClass);
  Body->setComdat(F.getComdat()); // kept or discarded with F
  Body->removeFnAttr(Attribute::AlwaysInline);
  Body->addFnAttr(Attribute::NoInline); // else it would be inlined back
#if LLVM_VERSION_MAJOR >= 16
  Body->splice(Body->end(), &F);
#else
  Body->getBasicBlockList().splice(Body->end(), F.getBasicBlockList());
#endif
  for (Argument &A : F.args()) {
    Argument *Moved = Body->getArg(A.getArgNo());
    A.replaceAllUsesWith(Moved);
    Moved->takeName(&A);
    A.setName(Moved->getName());
  }
#if LLVM_VERSION_MAJOR >= 14
  if (auto Count = F.getEntryCount())
    Body->setEntryCount(*Count);
#else
  if (Function::ProfileCount Count = F.getEntryCount(); Count.hasValue())
    Body->setEntryCount(Count);
#endif
  DebugLoc Where = moveSubprogram(F, *Body);

  // F.fr: r = F.fr.body(args); return r. Its hooks are F's.
  Function *W = createRecordingWrapper(F);
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", W));
  returnResult(B, F, callWithArguments(B, *W, F, *Body));

  // F: if (guard) return F.fr(args); return F.fr.body(args). Neither is the
  // program's own code: what the backend adds to a function's entry (-pg,
  // -finstrument-functions, XRay's sleds) stays on the body, once a call.
  // F's memory attributes go: its recording path writes the window.
  dropMemoryAttributes(F);
  leaveBackendInstrumentationTo(*Body, F);
  BasicBlock *Test = BasicBlock::Create(Ctx, "fr.test", &F);
  BasicBlock *Record = BasicBlock::Create(Ctx, "fr.record", &F);
  BasicBlock *Plain = BasicBlock::Create(Ctx, "fr.plain", &F);
  B.SetInsertPoint(Test);
  B.CreateCondBr(G.any(B, G.load(B, Index)), Record, Plain,
                 MDBuilder(Ctx).createBranchWeights(1, 64));
  B.SetInsertPoint(Record);
  forwardArguments(B, F, *W)->setDebugLoc(Where);
  B.SetInsertPoint(Plain);
  forwardArguments(B, F, *Body)->setDebugLoc(Where);
  return W;
}

} // namespace fr
