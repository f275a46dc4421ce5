//===- FrSiteTable.cpp - per-module site descriptors ----------------------===//
//
// FILE:        plugin/FrSiteTable.cpp
// DESCRIPTION: See FrSiteTable.h.
//
//===----------------------------------------------------------------------===//
#include "FrSiteTable.h"
#include "FrAbi.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;

namespace fr {

SiteTable::SiteTable(Module &M) : M(M) {
  Type *I32 = Type::getInt32Ty(M.getContext());
  Base = new GlobalVariable(M, I32, /*isConstant=*/false,
                            GlobalValue::InternalLinkage,
                            ConstantInt::get(I32, FR_UNREGISTERED_SITE_BASE),
                            "__fr_site_base");
  Type *I8 = Type::getInt8Ty(M.getContext());
  Guards = new GlobalVariable(M, I8, /*isConstant=*/false,
                              GlobalValue::InternalLinkage,
                              ConstantInt::get(I8, 0), "__fr_guards");
}

unsigned SiteTable::add(uint16_t Kind, const std::string &Function,
                        const std::string &File, unsigned Line,
                        uint16_t Detail, const std::string &Callee) {
  Sites.push_back({Kind, Detail, Function, File, Callee, Line});
  return Sites.size() - 1;
}

void SiteTable::finish() {
  LLVMContext &C = M.getContext();
  if (Sites.empty()) {
    Base->eraseFromParent();
    Guards->eraseFromParent();
    return;
  }
  Type *I16 = Type::getInt16Ty(C);
  Type *I32 = Type::getInt32Ty(C);
  Type *Ptr = PointerType::getUnqual(Type::getInt8Ty(C));
  // struct fr_site_desc in fr_format.h.
  StructType *DescTy = StructType::get(C, {I16, I16, I32, Ptr, Ptr, Ptr});
  IRBuilder<> B(C);
  std::vector<Constant *> Descs;
  for (const Site &S : Sites) {
    auto Str = [&](const std::string &Text) -> Constant * {
      Constant *Init = ConstantDataArray::getString(C, Text);
      auto *GV = new GlobalVariable(M, Init->getType(), /*isConstant=*/true,
                                    GlobalValue::PrivateLinkage, Init,
                                    "__fr_str");
      GV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
      GV->setAlignment(Align(1));
      return ConstantExpr::getPointerCast(GV, Ptr);
    };
    Constant *Callee = S.Callee.empty()
                           ? ConstantPointerNull::get(cast<PointerType>(Ptr))
                           : Str(S.Callee);
    Descs.push_back(ConstantStruct::get(
        DescTy, {ConstantInt::get(I16, S.Kind), ConstantInt::get(I16, S.Detail),
                 ConstantInt::get(I32, S.Line), Str(S.Function), Str(S.File),
                 Callee}));
  }
  ArrayType *TableTy = ArrayType::get(DescTy, Descs.size());
  auto *Table = new GlobalVariable(M, TableTy, /*isConstant=*/false,
                                   GlobalValue::InternalLinkage,
                                   ConstantArray::get(TableTy, Descs),
                                   "__fr_sites");
  Table->setSection(FR_SITE_SECTION);
  Table->setAlignment(Align(8));

  // The guard array, zero (off) until the runtime has registered the module;
  // 7 bytes more, never set, so that a test of several sites at once
  // (Guard::anyOf, up to 8 bytes) stays inside it.
  ArrayType *GuardsTy = ArrayType::get(Type::getInt8Ty(C), Sites.size() + 7);
  auto *GuardArray = new GlobalVariable(M, GuardsTy, /*isConstant=*/false,
                                        GlobalValue::InternalLinkage,
                                        Constant::getNullValue(GuardsTy), "");
  GuardArray->takeName(Guards);
  Guards->replaceAllUsesWith(
      ConstantExpr::getPointerCast(GuardArray, Guards->getType()));
  Guards->eraseFromParent();
  Guards = GuardArray;
  Constant *GuardsPtr = ConstantExpr::getPointerCast(GuardArray, Ptr);

  auto MakeStructor = [&](const char *Name, FunctionCallee Callee,
                          ArrayRef<Value *> Args) {
    Function *F = Function::Create(FunctionType::get(Type::getVoidTy(C), false),
                                   GlobalValue::InternalLinkage, Name, M);
    F->addFnAttr(Attribute::NoUnwind);
    B.SetInsertPoint(BasicBlock::Create(C, "entry", F));
    B.CreateCall(Callee, Args);
    B.CreateRetVoid();
    return F;
  };
  // void ctor() { __fr_register_module(table, count, &base, guards); }
  FunctionCallee Register = M.getOrInsertFunction(
      RegisterHook, Type::getVoidTy(C), Ptr, I32, Base->getType(), Ptr);
  appendToGlobalCtors(
      M,
      MakeStructor("__fr_module_ctor", Register,
                   {ConstantExpr::getPointerCast(Table, Ptr),
                    ConstantInt::get(I32, Sites.size()), Base, GuardsPtr}),
      /*Priority=*/1);
  // void dtor() { __fr_unregister_module(guards); }
  FunctionCallee Unregister =
      M.getOrInsertFunction(UnregisterHook, Type::getVoidTy(C), Ptr);
  appendToGlobalDtors(
      M, MakeStructor("__fr_module_dtor", Unregister, {GuardsPtr}),
      /*Priority=*/1);
  appendToCompilerUsed(M, {Table});
}

} // namespace fr
