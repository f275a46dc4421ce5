//===- FrOptions.cpp - options of the fr instrumentation pass -------------===//
//
// FILE:        plugin/FrOptions.cpp
// DESCRIPTION: Parsing of the option text described in FrOptions.h.
//
//===----------------------------------------------------------------------===//
#include "FrOptions.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdlib>

using namespace llvm;

// Given more than once, the texts add up (fr_instrument() passes one
// option per flag: CMake would split a ';' in one).
static cl::list<std::string>
    FrOptionsFlag("fr-options",
                  cl::desc("fr instrumentation options (see FR_PASS_OPTIONS)"),
                  cl::ZeroOrMore);

namespace fr {

static void splitGlobs(StringRef Value, std::vector<std::string> &Out) {
  SmallVector<StringRef, 8> Parts;
  Value.split(Parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef P : Parts)
    Out.push_back(P.trim().str());
}

static bool readListFile(Options &O, StringRef Path, std::string &Error) {
  auto Buffer = MemoryBuffer::getFile(Path);
  if (!Buffer) {
    Error = "cannot read list file '" + Path.str() +
            "': " + Buffer.getError().message();
    return false;
  }
  SmallVector<StringRef, 32> Lines;
  (*Buffer)->getBuffer().split(Lines, '\n');
  unsigned LineNo = 0;
  for (StringRef Line : Lines) {
    ++LineNo;
    Line = Line.trim();
    if (Line.empty() || Line.substr(0, 1) == "#")
      continue;
    auto [Verb, Rest] = Line.split(' ');
    Rest = Rest.trim();
    std::vector<std::string> *Into = nullptr;
    if (Verb == "allow" && Rest.substr(0, 4) == "fun:")
      Into = &O.AllowFunctions;
    else if (Verb == "deny" && Rest.substr(0, 4) == "fun:")
      Into = &O.DenyFunctions;
    else if (Verb == "allow" && Rest.substr(0, 4) == "src:")
      Into = &O.AllowFiles;
    else if (Verb == "deny" && Rest.substr(0, 4) == "src:")
      Into = &O.DenyFiles;
    else if (Verb == "lock" && Rest.substr(0, 4) == "fun:")
      Into = &O.LockFunctions;
    else if (Verb == "unlock" && Rest.substr(0, 4) == "fun:")
      Into = &O.UnlockFunctions;
    else if (Verb == "blocking" && Rest.substr(0, 4) == "fun:")
      Into = &O.BlockingFunctions;
    if (!Into || Rest.size() <= 4) {
      Error = Path.str() + ":" + std::to_string(LineNo) + ": expected " +
              "'allow|deny fun:GLOB', 'allow|deny src:GLOB' or " +
              "'lock|unlock|blocking fun:GLOB', got '" + Line.str() + "'";
      return false;
    }
    Into->push_back(Rest.drop_front(4).str());
  }
  return true;
}

bool Options::parse(StringRef Text, StringRef Origin, std::string &Error) {
  SmallVector<StringRef, 8> Items;
  Text.split(Items, ';', -1, /*KeepEmpty=*/false);
  for (StringRef Item : Items) {
    Item = Item.trim();
    if (Item.empty())
      continue;
    auto [Key, Value] = Item.split('=');
    Key = Key.trim();
    Value = Value.trim();
    std::string Where = Origin.str() + ": ";
    if (!Item.contains('=')) {
      Error = Where + "'" + Item.str() + "' is not key=value";
      return false;
    }
    if (Key == "threshold") {
      if (Value.getAsInteger(10, Threshold)) {
        Error = Where + "threshold wants a number, got '" + Value.str() + "'";
        return false;
      }
      UseWork = false;
    } else if (Key == "explain") {
      if (Value != "0" && Value != "1") {
        Error = Where + "explain wants 0 or 1, got '" + Value.str() + "'";
        return false;
      }
      Explain = Value == "1";
    } else if (Key == "work") {
      if (Value.getAsInteger(10, MinWork)) {
        Error = Where + "work wants a number, got '" + Value.str() + "'";
        return false;
      }
      UseWork = true;
    } else if (Key == "profile") {
      if (Value.getAsInteger(10, ProfileWork)) {
        Error = Where + "profile wants a number, got '" + Value.str() + "'";
        return false;
      }
    } else if (Key == "clone") {
      if (Value.getAsInteger(10, CloneLimit)) {
        Error = Where + "clone wants a number, got '" + Value.str() + "'";
        return false;
      }
    } else if (Key == "wrap") {
      if (Value != "0" && Value != "1") {
        Error = Where + "wrap wants 0 or 1, got '" + Value.str() + "'";
        return false;
      }
      Wrap = Value == "1";
    } else if (Key == "outline") {
      if (Value.getAsInteger(10, OutlineLimit)) {
        Error = Where + "outline wants a number, got '" + Value.str() + "'";
        return false;
      }
    } else if (Key == "allow") {
      splitGlobs(Value, AllowFunctions);
    } else if (Key == "deny") {
      splitGlobs(Value, DenyFunctions);
    } else if (Key == "allow-src") {
      splitGlobs(Value, AllowFiles);
    } else if (Key == "deny-src") {
      splitGlobs(Value, DenyFiles);
    } else if (Key == "lock") {
      splitGlobs(Value, LockFunctions);
    } else if (Key == "unlock") {
      splitGlobs(Value, UnlockFunctions);
    } else if (Key == "blocking") {
      splitGlobs(Value, BlockingFunctions);
    } else if (Key == "calls") {
      if (Value != "all" && Value != "locks" && Value != "blocking" &&
          Value != "none") {
        Error = Where + "calls wants all, locks, blocking or none, got '" +
                Value.str() + "'";
        return false;
      }
      LockCalls = Value == "all" || Value == "locks";
      BlockingCalls = Value == "all" || Value == "blocking";
    } else if (Key == "names") {
      if (Value != "demangled" && Value != "mangled") {
        Error = Where + "names wants demangled or mangled, got '" +
                Value.str() + "'";
        return false;
      }
      MangledNames = Value == "mangled";
    } else if (Key == "list") {
      if (!readListFile(*this, Value, Error)) {
        Error = Where + Error;
        return false;
      }
    } else {
      Error = Where + "unknown option '" + Key.str() +
              "' (known: work, threshold, explain, profile, clone, wrap, outline, allow, deny, allow-src, deny-src, lock, " +
              "unlock, blocking, calls, names, list)";
      return false;
    }
  }
  return true;
}

Options Options::fromEnvironment() {
  Options O;
  std::string Error;
  if (const char *Env = std::getenv("FR_PASS_OPTIONS"))
    if (!O.parse(Env, "FR_PASS_OPTIONS", Error))
      report_fatal_error(Twine("fr: ") + Error, /*gen_crash_diag=*/false);
  for (const std::string &Text : FrOptionsFlag)
    if (!O.parse(Text, "-fr-options", Error))
      report_fatal_error(Twine("fr: ") + Error, /*gen_crash_diag=*/false);
  return O;
}

} // namespace fr
