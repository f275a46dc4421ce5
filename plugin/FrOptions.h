//===- FrOptions.h - options of the fr instrumentation pass -----*- C++ -*-===//
//
// FILE:        plugin/FrOptions.h
// DESCRIPTION: What the user can tell the pass: the size threshold and the
//              allow/deny lists. One text syntax, from three places, applied
//              in this order (later wins for the threshold, lists add up):
//                1. the FR_PASS_OPTIONS environment variable (works with plain
//                   clang -fpass-plugin, whose -mllvm options a plugin cannot
//                   see unless also loaded with -Xclang -load);
//                2. -mllvm -fr-options=TEXT (clang with -Xclang -load, or opt);
//                3. pass parameters: opt -passes='fr<TEXT>'.
// USAGE:       TEXT is ';'-separated key=value items:
//                threshold=N        instrument functions of >= N IR
//                                   instructions, or with a loop (default 200)
//                allow=G1,G2        always instrument functions matching a glob
//                deny=G1,G2         never instrument functions matching a glob
//                allow-src=G,...    always instrument functions from these files
//                deny-src=G,...     never instrument functions from these files
//                lock=G1,G2         calls of these functions take a lock
//                                   (the first argument identifies it)
//                unlock=G1,G2       calls of these functions release one
//                blocking=G1,G2     calls of these functions may block
//                calls=WHICH        which call sites to instrument: all
//                                   (default), locks, blocking or none
//                names=WHICH        how sites name C++ functions: demangled
//                                   (default, "Account::deposit(long)") or
//                                   mangled ("_ZN7Account7depositEl")
//                profile=N          in a build with a profile (-fprofile-use,
//                                   -fprofile-instr-use, -fprofile-sample-use),
//                                   leave out the functions the profile calls
//                                   hot at entry whose estimated work per call
//                                   is under N (default 200; 0: ignore the
//                                   profile); allow and always win
//                clone=N            split a chosen function of at most N IR
//                                   instructions into its plain body behind
//                                   one test and a recording copy, so that
//                                   off it costs one test (FrClone.h;
//                                   default 60; 0: never, every hook
//                                   inline)
//                wrap=0|1           give a chosen function over the clone=
//                                   limit a recording wrapper, so that off
//                                   it costs one test at entry and none at
//                                   its exits (FrClone.h; default 1; 0:
//                                   its hooks inline)
//                list=FILE          read more globs from FILE, lines of the form
//                                   "allow fun:GLOB", "deny src:GLOB",
//                                   "lock fun:GLOB", "unlock fun:GLOB",
//                                   "blocking fun:GLOB", "# ..."
//
//===----------------------------------------------------------------------===//
#ifndef FR_PLUGIN_OPTIONS_H
#define FR_PLUGIN_OPTIONS_H

#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace fr {

struct Options {
  // Default selection: XRay's rule (size or loop). work= switches to the
  // estimated work per call instead (FrSelection.h).
  unsigned Threshold = 200;
  unsigned MinWork = 0;
  bool UseWork = false;
  bool Explain = false; // print each function's estimate and the choice
  // With a profile: hot small functions left out (FrSelection.h).
  unsigned ProfileWork = 200;
  std::vector<std::string> AllowFunctions, DenyFunctions;
  std::vector<std::string> AllowFiles, DenyFiles;
  std::vector<std::string> LockFunctions, UnlockFunctions, BlockingFunctions;
  bool LockCalls = true, BlockingCalls = true;
  bool MangledNames = false;
  // Functions up to this size get a plain body and a recording copy; ones
  // that return through a tail call, up to this times TailCallCopyFactor.
  unsigned CloneLimit = 60;
  static constexpr unsigned TailCallCopyFactor = 5;
  // Larger ones get a recording wrapper (unless CloneLimit is 0), and from
  // this size on (0: never) their body is moved out whole (FrClone.h).
  bool Wrap = true;
  unsigned OutlineLimit = 2000;

  // Parses TEXT into this. On error returns false and sets Error to one line
  // that names the bad item and where it came from.
  bool parse(llvm::StringRef Text, llvm::StringRef Origin, std::string &Error);

  // The options from FR_PASS_OPTIONS and -fr-options. Exits the compiler with
  // a clear message when they are malformed.
  static Options fromEnvironment();
};

} // namespace fr

#endif
