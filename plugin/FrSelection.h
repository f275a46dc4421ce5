//===- FrSelection.h - which functions fr instruments -----------*- C++ -*-===//
//
// FILE:        plugin/FrSelection.h
// DESCRIPTION: The selection policy, XRay's in spirit. In order, first match
//              wins:
//                never:  runtime hooks (__fr_*), naked functions, functions
//                        clang marked "function-instrument"="xray-never"
//                        (xray_never_instrument), annotate("fr_never")
//                        (FR_NEVER_INSTRUMENT), deny / deny-src globs;
//                always: "function-instrument"="xray-always",
//                        annotate("fr_always") (FR_ALWAYS_INSTRUMENT),
//                        allow / allow-src globs;
//                resume: a function that catches or calls setjmp;
//                profile: in a build with a profile (PGO), a function the
//                        profile calls hot at entry (LLVM's
//                        ProfileSummaryInfo: its entry count reaches the
//                        count that covers 99% of the profiled run) whose
//                        estimated work per call (below) is under
//                        ProfileWork is left out: there the cheapest hook
//                        is none, and its caller's time still shows it;
//                size:   (the default, XRay's rule) at least Threshold IR
//                        instructions (debug intrinsics not counted), or
//                        any loop;
//                work:   (with work=N instead) the function's estimated
//                        work per call is at least N IR instructions: its
//                        own blocks weighted by their static frequency per
//                        entry (BlockFrequencyInfo: a loop whose trip count
//                        is unknown counts about 32 times), plus, at each
//                        call site, the callee's estimate (callees first,
//                        over the module's call graph; a recursive call
//                        adds the callee's own work once; a call out of the
//                        module or through a pointer counts
//                        ExternalCallWork). It leaves out small functions
//                        called in loops, which the size rule keeps when
//                        they have a loop of their own, but static
//                        frequencies halve at every early-return check, so
//                        a long validating function that ends in a call
//                        through a pointer (redis's processCommand) scores
//                        low: hence not the default (bench/RESULTS.md).
//              Globs (fnmatch) are tried on the symbol and, for C++, on the
//              demangled name; file globs on the source file name.
//              Lock and blocking call sites are instrumented in every
//              function that "never" does not exclude, whatever its size.
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_SELECTION_H
#define FR_PLUGIN_SELECTION_H

#include "FrOptions.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Analysis/ProfileSummaryInfo.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"

#include <string>

namespace fr {

enum class Marker { None, Always, Never };

class Selection {
public:
  Selection(const Options &Opts, llvm::Module &M);
  // Estimates every function's work per call (the default rule).
  void estimateWork(llvm::Module &M, llvm::FunctionAnalysisManager &FAM);
  double workOf(const llvm::Function &F) const { return Work.lookup(&F); }
  // The module's profile (PGO), if it has one: needs estimateWork too.
  void useProfile(llvm::ProfileSummaryInfo *Summary) { Profile = Summary; }
  // Whether the profile rule leaves F out.
  bool hotInProfile(const llvm::Function &F) const;

  bool shouldInstrument(llvm::Function &F,
                        llvm::FunctionAnalysisManager &FAM) const;
  // Whether F's lock and blocking call sites are instrumented.
  bool shouldInstrumentCalls(const llvm::Function &F) const;

  // The file a function comes from: its debug info, else the module's.
  // Whether F catches an exception or calls setjmp (or the like): where
  // the call stack comes back past frames, which the reader learns from F's
  // resume events. Such functions are always instrumented.
  static bool resumesStack(const llvm::Function &F);
  static std::string sourceFile(const llvm::Function &F);
  // A path as the user reads it: "." and ".." taken out
  // (/usr/bin/../lib/gcc/... becomes /usr/lib/gcc/...).
  static std::string normalPath(llvm::StringRef Path);
  // Whether a file is a header: a system one (the C or C++ library's, a
  // compiler's) or the project's own (.h, .hpp, ...). A lock or blocking
  // call inlined from a header (std::mutex::lock, a project's lock wrapper
  // such as leveldb's port::Mutex) is attributed past it, to the line in a
  // source file that called the wrapper.
  static bool isHeaderFile(llvm::StringRef NormalPath);
  static std::string displayName(const llvm::Function &F);

private:
  bool excluded(const llvm::Function &F) const; // the "never" rules
  const Options &Opts;
  llvm::DenseMap<const llvm::Function *, Marker> Annotations;
  llvm::DenseMap<const llvm::Function *, double> Work;
  llvm::ProfileSummaryInfo *Profile = nullptr;
};

// Whether a glob in Globs matches A or B (fnmatch).
bool matchesAny(const std::vector<std::string> &Globs, const std::string &A,
                const std::string &B);

} // namespace fr

#endif
