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
// LLVM versions: built and tested with 13, 14, 15, 16 and 19 (make
// check-all-llvm); kept source-compatible, behind the checks below, with
//   13: OptimizationLevel is PassBuilder::OptimizationLevel;
//   20: the optimizer-last callback also gets the LTO phase;
//   22: PassPlugin.h moved from llvm/Passes to llvm/Plugins.
#include "FrInstrument.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Passes/PassBuilder.h"
#if __has_include("llvm/Plugins/PassPlugin.h")
#include "llvm/Plugins/PassPlugin.h"
#else
#include "llvm/Passes/PassPlugin.h"
#endif
#include "llvm/Support/ErrorHandling.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <link.h>
#include <unistd.h>

using namespace llvm;

// A plugin runs only in the LLVM major it was built against; loaded by
// another clang it dies of an undefined C++ symbol at its first call. Said
// plainly instead, before any LLVM code runs: the host's major comes from the
// name of the LLVM library it loaded (libLLVM-14.so.1, libLLVM.so.19.1; a
// statically linked opt has none and is not checked).
static int hostLLVMMajor(struct dl_phdr_info *Info, size_t, void *Out) {
  const char *Name = Info->dlpi_name ? std::strrchr(Info->dlpi_name, '/') : nullptr;
  Name = Name ? Name + 1 : Info->dlpi_name;
  if (!Name)
    return 0;
  int Major = 0;
  if (std::strncmp(Name, "libLLVM-", 8) == 0)
    Major = std::atoi(Name + 8);
  else if (std::strncmp(Name, "libLLVM.so.", 11) == 0)
    Major = std::atoi(Name + 11);
  if (Major > 0)
    *static_cast<int *>(Out) = Major;
  return Major > 0;
}

__attribute__((constructor)) static void checkHostLLVM() {
  int Host = 0;
  dl_iterate_phdr(hostLLVMMajor, &Host);
  if (Host == 0 || Host == LLVM_VERSION_MAJOR)
    return;
  char Line[256];
  int N = snprintf(Line, sizeof(Line),
                   "fr: this libfrpass.so was built for LLVM %d, and the "
                   "compiler loading it is LLVM %d: use the plugin in "
                   "lib/fr/llvm-%d/ (fr-clang picks it)\n",
                   LLVM_VERSION_MAJOR, Host, Host);
  if (N > 0 && write(2, Line, static_cast<size_t>(N)) < 0)
    N = 0;
  _exit(1);
}

#if LLVM_VERSION_MAJOR < 14
using OptimizationLevel = PassBuilder::OptimizationLevel;
#endif

static void addAtOptimizerEnd(ModulePassManager &MPM) {
  MPM.addPass(fr::InstrumentPass(fr::Options::fromEnvironment()));
}

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
#if LLVM_VERSION_MAJOR >= 20
            PB.registerOptimizerLastEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel,
                   ThinOrFullLTOPhase) { addAtOptimizerEnd(MPM); });
#else
            PB.registerOptimizerLastEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel) {
                  addAtOptimizerEnd(MPM);
                });
#endif
          }};
}
