//===- FrSelection.cpp - which functions fr instruments -------------------===//
//
// FILE:        plugin/FrSelection.cpp
// DESCRIPTION: The policy described in FrSelection.h.
//
//===----------------------------------------------------------------------===//
#include "FrSelection.h"

#include "llvm/ADT/SCCIterator.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Analysis/BlockFrequencyInfo.h"
#include "llvm/Analysis/CallGraph.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/Path.h"

#include <fnmatch.h>

using namespace llvm;

namespace fr {

// llvm.global.annotations is an array of { ptr fn, ptr str, ptr file, i32 line,
// ptr args }; only function annotations named fr_always / fr_never matter here.
static void readAnnotations(Module &M, DenseMap<const Function *, Marker> &Out) {
  GlobalVariable *GV = M.getNamedGlobal("llvm.global.annotations");
  if (!GV || !GV->hasInitializer())
    return;
  auto *Array = dyn_cast<ConstantArray>(GV->getInitializer());
  if (!Array)
    return;
  for (Value *Op : Array->operands()) {
    auto *Entry = dyn_cast<ConstantStruct>(Op);
    if (!Entry || Entry->getNumOperands() < 2)
      continue;
    auto *F = dyn_cast<Function>(Entry->getOperand(0)->stripPointerCasts());
    auto *StrGV =
        dyn_cast<GlobalVariable>(Entry->getOperand(1)->stripPointerCasts());
    if (!F || !StrGV || !StrGV->hasInitializer())
      continue;
    auto *Str = dyn_cast<ConstantDataArray>(StrGV->getInitializer());
    if (!Str || !Str->isCString())
      continue;
    StringRef Text = Str->getAsCString();
    if (Text == "fr_never")
      Out[F] = Marker::Never; // never wins over always, whatever the order
    else if (Text == "fr_always" && Out.lookup(F) != Marker::Never)
      Out[F] = Marker::Always;
  }
}

Selection::Selection(const Options &Opts, Module &M) : Opts(Opts) {
  readAnnotations(M, Annotations);
}

std::string Selection::sourceFile(const Function &F) {
  if (DISubprogram *SP = F.getSubprogram())
    return normalPath(SP->getFilename());
  return normalPath(F.getParent()->getSourceFileName());
}

std::string Selection::normalPath(StringRef Path) {
  SmallString<256> P(Path);
  sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P.str());
}

bool Selection::isHeaderFile(StringRef Path) {
  for (StringRef Prefix : {"/usr/include/", "/usr/local/include/",
                           "/usr/lib/gcc/", "/usr/lib/llvm-", "/usr/lib/clang/"})
    if (Path.substr(0, Prefix.size()) == Prefix)
      return true;
  StringRef Extension = sys::path::extension(Path);
  for (StringRef Header : {".h", ".hh", ".hpp", ".hxx", ".h++", ".inc", ".ipp",
                           ".tcc", ".inl"})
    if (Extension == Header)
      return true;
  return false;
}

std::string Selection::displayName(const Function &F) {
  std::string Name = F.getName().str();
  return demangle(Name);
}

bool matchesAny(const std::vector<std::string> &Globs, const std::string &A,
                const std::string &B) {
  for (const std::string &G : Globs)
    if (fnmatch(G.c_str(), A.c_str(), 0) == 0 ||
        fnmatch(G.c_str(), B.c_str(), 0) == 0)
      return true;
  return false;
}

// What a call out of the module (or through a pointer) is taken to cost:
// a libc call or a virtual call of unknown size, neither free nor large.
static constexpr double ExternalCallWork = 20;
// Estimates stop growing here (deep recursion, nested loops).
static constexpr double WorkCap = 1e12;

static unsigned instructionCount(const BasicBlock &BB) {
  unsigned Count = 0;
  for (const Instruction &I : BB)
    if (!isa<DbgInfoIntrinsic>(I))
      ++Count;
  return Count;
}

// F's work per call: its blocks by frequency per entry, calls included as
// CalleeWork says.
template <typename CalleeWorkFn>
static double estimate(Function &F, FunctionAnalysisManager &FAM,
                       CalleeWorkFn CalleeWork) {
  BlockFrequencyInfo &BFI = FAM.getResult<BlockFrequencyAnalysis>(F);
  double Entry = double(BFI.getBlockFreq(&F.getEntryBlock()).getFrequency());
  if (Entry <= 0)
    Entry = 1;
  double Total = 0;
  for (BasicBlock &BB : F) {
    double Block = instructionCount(BB);
    for (Instruction &I : BB) {
      auto *Call = dyn_cast<CallBase>(&I);
      if (!Call || isa<DbgInfoIntrinsic>(I))
        continue;
      Function *Callee = Call->getCalledFunction();
      if (Callee && Callee->isIntrinsic())
        continue;
      Block += CalleeWork(Callee);
    }
    Total += double(BFI.getBlockFreq(&BB).getFrequency()) / Entry * Block;
  }
  return std::min(Total, WorkCap);
}

void Selection::estimateWork(Module &M, FunctionAnalysisManager &FAM) {
  CallGraph Graph(M);
  // Strongly connected components, callees before callers.
  for (scc_iterator<CallGraph *> It = scc_begin(&Graph); !It.isAtEnd(); ++It) {
    SmallPtrSet<Function *, 8> Members;
    for (CallGraphNode *Node : *It)
      if (Function *F = Node->getFunction())
        if (!F->isDeclaration())
          Members.insert(F);
    if (Members.empty())
      continue;
    auto Known = [&](Function *Callee) -> double {
      if (!Callee || Callee->isDeclaration())
        return ExternalCallWork;
      auto Found = Work.find(Callee);
      return Found == Work.end() ? ExternalCallWork : Found->second;
    };
    // Own work first (calls within the component as external ones), then,
    // if the component calls itself, those calls add the callee's own work
    // once.
    DenseMap<const Function *, double> Own;
    bool Recursive = false;
    for (Function *F : Members)
      Own[F] = estimate(*F, FAM, [&](Function *Callee) {
        if (!Members.count(Callee))
          return Known(Callee);
        Recursive = true;
        return ExternalCallWork;
      });
    for (Function *F : Members)
      Work[F] = !Recursive ? Own[F]
                           : estimate(*F, FAM, [&](Function *Callee) {
                               return Members.count(Callee) ? Own[Callee]
                                                            : Known(Callee);
                             });
  }
}

bool Selection::excluded(const Function &F) const {
  if (F.isDeclaration() || F.hasAvailableExternallyLinkage() ||
      F.getName().substr(0, 5) == "__fr_" ||
      F.hasFnAttribute(Attribute::Naked))
    return true;
  StringRef XRay = F.getFnAttribute("function-instrument").getValueAsString();
  if (XRay == "xray-never" || Annotations.lookup(&F) == Marker::Never)
    return true;
  std::string File = sourceFile(F);
  return matchesAny(Opts.DenyFunctions, F.getName().str(), displayName(F)) ||
         matchesAny(Opts.DenyFiles, File, File);
}

bool Selection::resumesStack(const Function &F) {
  for (const BasicBlock &BB : F) {
    if (auto *Pad = dyn_cast<LandingPadInst>(BB.getFirstNonPHI()))
      for (unsigned K = 0; K < Pad->getNumClauses(); ++K)
        if (Pad->isCatch(K))
          return true;
    for (const Instruction &I : BB)
      if (auto *Call = dyn_cast<CallBase>(&I))
        if (Call->hasFnAttr(Attribute::ReturnsTwice))
          if (const Function *Callee = Call->getCalledFunction())
            if (Callee->getName() != "vfork" && Callee->getName() != "fork")
              return true;
  }
  return false;
}

bool Selection::hotInProfile(const Function &F) const {
  return Profile && Opts.ProfileWork && Profile->hasProfileSummary() &&
         Profile->isFunctionEntryHot(&F) && Work.lookup(&F) < Opts.ProfileWork;
}

bool Selection::shouldInstrumentCalls(const Function &F) const {
  return (Opts.LockCalls || Opts.BlockingCalls) && !excluded(F);
}

// The coroutine a clone made by CoroSplit belongs to: "f.resume" (where
// its body runs between suspensions), "f.destroy", "f.cleanup" are f's.
static Function *coroutineRamp(const Function &F) {
  StringRef Name = F.getName();
  for (StringRef Suffix : {".resume", ".destroy", ".cleanup"})
    if (Name.size() > Suffix.size() &&
        Name.substr(Name.size() - Suffix.size()) == Suffix) {
      Function *Ramp =
          F.getParent()->getFunction(Name.drop_back(Suffix.size()));
      return Ramp && !Ramp->isDeclaration() ? Ramp : nullptr;
    }
  return nullptr;
}

bool Selection::shouldInstrument(Function &F,
                                 FunctionAnalysisManager &FAM) const {
  if (excluded(F))
    return false;
  // A coroutine's clones are chosen with it (they are where its work runs
  // when resumed), or on their own merits.
  if (Function *Ramp = coroutineRamp(F))
    if (shouldInstrument(*Ramp, FAM))
      return true;
  std::string Symbol = F.getName().str();
  std::string Pretty = displayName(F);
  std::string File = sourceFile(F);
  StringRef XRay = F.getFnAttribute("function-instrument").getValueAsString();
  Marker Mark = Annotations.lookup(&F);
  if (XRay == "xray-always" || Mark == Marker::Always ||
      matchesAny(Opts.AllowFunctions, Symbol, Pretty) ||
      matchesAny(Opts.AllowFiles, File, File))
    return true;
  // A function where the stack comes back after skipping frames (it
  // catches an exception, or calls setjmp) is where the reader learns it:
  // its resume events need its frame.
  if (resumesStack(F))
    return true;
  if (hotInProfile(F))
    return false;

  if (Opts.UseWork)
    return Work.lookup(&F) >= Opts.MinWork;
  unsigned Count = 0;
  for (Instruction &I : instructions(F))
    if (!isa<DbgInfoIntrinsic>(I))
      ++Count;
  if (Count >= Opts.Threshold)
    return true;
  return !FAM.getResult<LoopAnalysis>(F).empty();
}

} // namespace fr
