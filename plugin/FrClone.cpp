//===- FrClone.cpp - a plain body and a recording copy --------------------===//
//
// FILE:        plugin/FrClone.cpp
// DESCRIPTION: See FrClone.h.
//
//===----------------------------------------------------------------------===//
#include "FrClone.h"
#include "FrAbi.h"

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

// What a function that holds F's hooks (its copy, its wrapper) must not
// share with F: inlining back into F, whose hooks' calls would again cost
// F's plain path its frame (an LTO link runs the inliner after this pass);
// and other instrumentation the backend adds (-finstrument-functions, -pg,
// -mfentry, -fpatchable-function-entry, XRay's sleds), which is F's: once
// a call.
static void keepRecordingApart(const Function &F, Function &R) {
  R.removeFnAttr(Attribute::AlwaysInline);
  R.addFnAttr(Attribute::NoInline);
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

// Ends B's block with a tail call of Target passing F's arguments on, and
// returns its result; the call has the location of Body's first
// instruction.
static void jumpWithArguments(IRBuilder<> &B, Function &F, Function &Target,
                              BasicBlock *Body) {
  SmallVector<Value *, 8> Args;
  for (Argument &A : F.args())
    Args.push_back(&A);
  CallInst *Call = B.CreateCall(Target.getFunctionType(), &Target, Args);
  Call->setCallingConv(F.getCallingConv());
  Call->setAttributes(argumentAttributes(F));
  Call->setTailCallKind(CallInst::TCK_Tail);
  borrowDebugLoc(Call, &*Body->getFirstInsertionPt());
  if (F.getReturnType()->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(Call);
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

bool canWrapForRecording(const Function &F) {
  // The wrapper calls F by name: a definition that another could replace
  // (interposed from another object, or a weak one) might be a different
  // F, which would never take the wrapper's token.
  return canPassArgumentsOn(F) && !F.doesNotReturn() && F.isDSOLocal() &&
         !F.isInterposable() && !F.hasFnAttribute(Attribute::SanitizeMemory);
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

Function *wrapForRecording(Function &F, const Guard &G, unsigned Index) {
  Module &M = *F.getParent();
  LLVMContext &Ctx = F.getContext();
  GlobalVariable *Token = passToken(M);
  Type *I32 = Type::getInt32Ty(Ctx);

  Function *W = Function::Create(F.getFunctionType(),
                                 GlobalValue::InternalLinkage,
                                 F.getName() + ".fr", &M);
  W->setCallingConv(F.getCallingConv());
  W->setAttributes(F.getAttributes());
  keepRecordingApart(F, *W);
  dropMemoryAttributes(*W);
  W->removeFnAttr(Attribute::NoSync); // a hook may take the runtime's lock
  dropMemoryAttributes(F);
  W->setComdat(F.getComdat()); // kept or discarded with F
  if (F.hasPersonalityFn())
    W->setPersonalityFn(F.getPersonalityFn());

  // F.fr: token = site; r = F(args); token = 0; return r.
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", W));
  markNoSanitize(B.CreateStore(G.siteId(B, Index), Token));
  SmallVector<Value *, 8> Args;
  for (Argument &A : W->args()) {
    A.setName(F.getArg(A.getArgNo())->getName());
    Args.push_back(&A);
  }
  CallInst *Call = B.CreateCall(F.getFunctionType(), &F, Args);
  Call->setCallingConv(F.getCallingConv());
  Call->setAttributes(argumentAttributes(F));
  // F's body stays F's.
#if LLVM_VERSION_MAJOR >= 14
  Call->addFnAttr(Attribute::NoInline);
#else
  Call->addAttribute(AttributeList::FunctionIndex, Attribute::NoInline);
#endif
  markNoSanitize(B.CreateStore(ConstantInt::get(I32, 0), Token));
  if (F.getReturnType()->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(Call);

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

} // namespace fr
