//===- FrSelection.cpp - which functions fr instruments -------------------===//
//
// FILE:        plugin/FrSelection.cpp
// DESCRIPTION: The policy described in FrSelection.h.
//
//===----------------------------------------------------------------------===//
#include "FrSelection.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"

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
    return SP->getFilename().str();
  return F.getParent()->getSourceFileName();
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

bool Selection::shouldInstrumentCalls(const Function &F) const {
  return (Opts.LockCalls || Opts.BlockingCalls) && !excluded(F);
}

bool Selection::shouldInstrument(Function &F,
                                 FunctionAnalysisManager &FAM) const {
  if (excluded(F))
    return false;
  std::string Symbol = F.getName().str();
  std::string Pretty = displayName(F);
  std::string File = sourceFile(F);
  StringRef XRay = F.getFnAttribute("function-instrument").getValueAsString();
  Marker Mark = Annotations.lookup(&F);
  if (XRay == "xray-always" || Mark == Marker::Always ||
      matchesAny(Opts.AllowFunctions, Symbol, Pretty) ||
      matchesAny(Opts.AllowFiles, File, File))
    return true;

  unsigned Count = 0;
  for (Instruction &I : instructions(F))
    if (!isa<DbgInfoIntrinsic>(I))
      ++Count;
  if (Count >= Opts.Threshold)
    return true;
  return !FAM.getResult<LoopAnalysis>(F).empty();
}

} // namespace fr
