//===- FrPlugin.cpp - registration of the fr pass plugin ------------------===//
//
// FILE:        plugin/FrPlugin.cpp
// DESCRIPTION: Entry point of libfrpass.so for the new pass manager.
// USAGE:       clang -O2 -fpass-plugin=libfrpass.so prog.c -lfr -lpthread
//                runs the pass at the end of the optimisation pipeline (after
//                inlining, so inlined calls cost nothing), at -O0 too.
//              opt -load-pass-plugin=libfrpass.so -passes='fr<threshold=0>'
//                runs it alone, for tests; the <...> text is FrOptions.h's.
//
//===----------------------------------------------------------------------===//
#include "FrInstrument.h"

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Support/ErrorHandling.h"

using namespace llvm;

static bool parsePipelineName(StringRef Name, ModulePassManager &MPM) {
  if (Name != "fr" && !(Name.size() >= 4 && Name.substr(0, 3) == "fr<" &&
                        Name.back() == '>'))
    return false;
  fr::Options Opts = fr::Options::fromEnvironment();
  if (Name != "fr") {
    std::string Error;
    if (!Opts.parse(Name.drop_front(3).drop_back(1), "pass parameters", Error))
      report_fatal_error(Twine("fr: ") + Error, /*gen_crash_diag=*/false);
  }
  MPM.addPass(fr::InstrumentPass(std::move(Opts)));
  return true;
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "fr", "0.1", [](PassBuilder &PB) {
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  return parsePipelineName(Name, MPM);
                });
            PB.registerOptimizerLastEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel) {
                  MPM.addPass(
                      fr::InstrumentPass(fr::Options::fromEnvironment()));
                });
          }};
}
