//===- FrCallSites.cpp - lock and blocking call sites ---------------------===//
//
// FILE:        plugin/FrCallSites.cpp
// DESCRIPTION: The catalogue of lock and blocking functions, and the code
//              inserted around their calls (see FrCallSites.h).
//
//===----------------------------------------------------------------------===//
#include "FrCallSites.h"
#include "FrAbi.h"
#include "FrSelection.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <cerrno>
#include <cstdlib>

using namespace llvm;

namespace fr {

enum class Shape : uint8_t {
  Acquire,      // lock(obj) with a try counterpart
  AcquireTimed, // lock(obj, deadline) with a try counterpart
  Try,          // trylock(obj)
  Release,      // unlock(obj), sem_post(obj)
  CondWait,     // wait(cond, mutex, ...)
  CondSignal,   // signal(cond), broadcast(cond)
  UserLock,     // a lock call without a try counterpart
  Blocking,     // a call that may block
};

struct CalleeInfo {
  const char *Name;
  Shape S;
  uint16_t Kind;   // enum fr_site_kind
  uint16_t Detail; // fr_lock_detail, or FR_BLOCKING_DETAIL(arg, result)
  const char *Try = nullptr; // Acquire*: the try function
  int Busy = 0;    // Acquire*: the try's "busy" result; -1: -1 and EAGAIN
  int Arg = -1;    // Blocking: index of the identifying argument, or -1
  bool File = false; // Blocking: that argument is a FILE *
  // The identifying argument (Blocking), or the mutex (CondWait), is the
  // address of a C++ library object whose first word is the value: a
  // std::thread's pthread_t, a std::unique_lock's mutex pointer.
  bool Holder = false;
};

namespace {

constexpr int ThrdBusy = 1; // C11 thrd_busy in glibc's <threads.h>

CalleeInfo lock(const char *Name, Shape S, uint16_t Detail,
                const char *Try = nullptr, int Busy = 0) {
  if (S == Shape::UserLock)
    Detail |= FR_LOCK_WAITS_ALWAYS;
  // The shapes whose hooks test Guard::all: nothing of theirs is recorded
  // while they are muted.
  if (S == Shape::Try || S == Shape::Release || S == Shape::CondSignal ||
      S == Shape::UserLock)
    Detail |= FR_LOCK_MUTED_OFF;
  return {Name, S, FR_SITE_LOCK, Detail, Try, Busy};
}

CalleeInfo io(const char *Name, int Arg, uint16_t ArgKind,
              uint16_t Result = FR_RESULT_ERRNO, bool File = false) {
  CalleeInfo I{Name, Shape::Blocking, FR_SITE_BLOCKING,
               (uint16_t)FR_BLOCKING_DETAIL(ArgKind, Result)};
  I.Arg = Arg;
  I.File = File;
  return I;
}

CalleeInfo stdio(const char *Name, int FileArg, uint16_t Result) {
  return io(Name, FileArg, FR_ARG_FD, Result, /*File=*/true);
}

// Out-of-line members of libstdc++ (the rest of its threading is inline and
// ends in the pthread calls above).
CalleeInfo holder(CalleeInfo I) {
  I.Holder = true;
  return I;
}

const StringMap<CalleeInfo> &catalogue() {
  static const StringMap<CalleeInfo> Map = [] {
    const uint16_t Ex = FR_LOCK_MUTEX, Rd = FR_LOCK_RWLOCK_READ,
                   Wr = FR_LOCK_RWLOCK_WRITE, Spin = FR_LOCK_SPIN,
                   Sem = FR_LOCK_SEMAPHORE, Cond = FR_LOCK_CONDITION;
    const CalleeInfo All[] = {
        // pthread mutexes, rwlocks, spinlocks.
        lock("pthread_mutex_lock", Shape::Acquire, Ex, "pthread_mutex_trylock", EBUSY),
        lock("pthread_mutex_timedlock", Shape::AcquireTimed, Ex, "pthread_mutex_trylock", EBUSY),
        lock("pthread_mutex_clocklock", Shape::UserLock, Ex),
        lock("pthread_mutex_trylock", Shape::Try, Ex),
        lock("pthread_mutex_unlock", Shape::Release, Ex),
        lock("pthread_rwlock_rdlock", Shape::Acquire, Rd, "pthread_rwlock_tryrdlock", EBUSY),
        lock("pthread_rwlock_wrlock", Shape::Acquire, Wr, "pthread_rwlock_trywrlock", EBUSY),
        lock("pthread_rwlock_timedrdlock", Shape::AcquireTimed, Rd, "pthread_rwlock_tryrdlock", EBUSY),
        lock("pthread_rwlock_timedwrlock", Shape::AcquireTimed, Wr, "pthread_rwlock_trywrlock", EBUSY),
        lock("pthread_rwlock_clockrdlock", Shape::UserLock, Rd),
        lock("pthread_rwlock_clockwrlock", Shape::UserLock, Wr),
        lock("pthread_rwlock_tryrdlock", Shape::Try, Rd),
        lock("pthread_rwlock_trywrlock", Shape::Try, Wr),
        lock("pthread_rwlock_unlock", Shape::Release, Wr),
        lock("pthread_spin_lock", Shape::Acquire, Spin, "pthread_spin_trylock", EBUSY),
        lock("pthread_spin_trylock", Shape::Try, Spin),
        lock("pthread_spin_unlock", Shape::Release, Spin),
        // Condition variables.
        lock("pthread_cond_wait", Shape::CondWait, Cond),
        lock("pthread_cond_timedwait", Shape::CondWait, Cond),
        lock("pthread_cond_clockwait", Shape::CondWait, Cond),
        lock("pthread_cond_signal", Shape::CondSignal, Cond),
        lock("pthread_cond_broadcast", Shape::CondSignal, Cond),
        // POSIX semaphores.
        lock("sem_wait", Shape::Acquire, Sem, "sem_trywait", -1),
        lock("sem_timedwait", Shape::AcquireTimed, Sem, "sem_trywait", -1),
        lock("sem_clockwait", Shape::UserLock, Sem),
        lock("sem_trywait", Shape::Try, Sem),
        lock("sem_post", Shape::Release, Sem),
        // C11 threads.
        lock("mtx_lock", Shape::Acquire, Ex, "mtx_trylock", ThrdBusy),
        lock("mtx_timedlock", Shape::AcquireTimed, Ex, "mtx_trylock", ThrdBusy),
        lock("mtx_trylock", Shape::Try, Ex),
        lock("mtx_unlock", Shape::Release, Ex),
        lock("cnd_wait", Shape::CondWait, Cond),
        lock("cnd_timedwait", Shape::CondWait, Cond),
        lock("cnd_signal", Shape::CondSignal, Cond),
        lock("cnd_broadcast", Shape::CondSignal, Cond),

        // File descriptors: the descriptor is the first argument.
        io("read", 0, FR_ARG_FD), io("write", 0, FR_ARG_FD),
        io("pread", 0, FR_ARG_FD), io("pwrite", 0, FR_ARG_FD),
        io("pread64", 0, FR_ARG_FD), io("pwrite64", 0, FR_ARG_FD),
        io("readv", 0, FR_ARG_FD), io("writev", 0, FR_ARG_FD),
        io("preadv", 0, FR_ARG_FD), io("pwritev", 0, FR_ARG_FD),
        io("preadv2", 0, FR_ARG_FD), io("pwritev2", 0, FR_ARG_FD),
        io("recv", 0, FR_ARG_FD), io("recvfrom", 0, FR_ARG_FD),
        io("recvmsg", 0, FR_ARG_FD), io("recvmmsg", 0, FR_ARG_FD),
        io("send", 0, FR_ARG_FD), io("sendto", 0, FR_ARG_FD),
        io("sendmsg", 0, FR_ARG_FD), io("sendmmsg", 0, FR_ARG_FD),
        io("accept", 0, FR_ARG_FD), io("accept4", 0, FR_ARG_FD),
        io("connect", 0, FR_ARG_FD), io("fsync", 0, FR_ARG_FD),
        io("fdatasync", 0, FR_ARG_FD), io("close", 0, FR_ARG_FD),
        io("epoll_wait", 0, FR_ARG_FD), io("epoll_pwait", 0, FR_ARG_FD),
        io("epoll_pwait2", 0, FR_ARG_FD),
        io("openat", 0, FR_ARG_FD), io("openat64", 0, FR_ARG_FD),
        // _FORTIFY_SOURCE variants glibc's headers call.
        io("__read_chk", 0, FR_ARG_FD), io("__pread_chk", 0, FR_ARG_FD),
        io("__pread64_chk", 0, FR_ARG_FD), io("__recv_chk", 0, FR_ARG_FD),
        io("__recvfrom_chk", 0, FR_ARG_FD),
        io("__openat_2", 0, FR_ARG_FD), io("__openat64_2", 0, FR_ARG_FD),
        io("__poll_chk", 1, FR_ARG_COUNT), io("__ppoll_chk", 1, FR_ARG_COUNT),
        // Copies between descriptors, file locks, System V IPC, io_uring.
        io("sendfile", 0, FR_ARG_FD), io("sendfile64", 0, FR_ARG_FD),
        io("splice", 0, FR_ARG_FD), io("tee", 0, FR_ARG_FD),
        io("copy_file_range", 0, FR_ARG_FD), io("vmsplice", 0, FR_ARG_FD),
        io("flock", 0, FR_ARG_FD), io("lockf", 0, FR_ARG_FD),
        io("lockf64", 0, FR_ARG_FD),
        // fcntl(fd, F_SETLKW or F_OFD_SETLKW, ...) only, see classify().
        io("fcntl", 0, FR_ARG_FD), io("fcntl64", 0, FR_ARG_FD),
        io("msgrcv", -1, FR_ARG_NONE), io("msgsnd", -1, FR_ARG_NONE),
        io("semop", -1, FR_ARG_NONE), io("semtimedop", -1, FR_ARG_NONE),
        io("io_uring_enter", 0, FR_ARG_FD),
        io("io_uring_wait_cqe", -1, FR_ARG_NONE, FR_RESULT_ERRNUM),
        // Multiplexing, sleeping, processes and threads.
        io("poll", 1, FR_ARG_COUNT), io("ppoll", 1, FR_ARG_COUNT),
        io("select", 0, FR_ARG_COUNT), io("pselect", 0, FR_ARG_COUNT),
        io("nanosleep", -1, FR_ARG_NONE),
        io("clock_nanosleep", 0, FR_ARG_CLOCK, FR_RESULT_ERRNUM),
        io("usleep", 0, FR_ARG_USEC), io("sleep", 0, FR_ARG_SEC, FR_RESULT_COUNT),
        io("open", -1, FR_ARG_NONE), io("open64", -1, FR_ARG_NONE),
        io("__open_2", -1, FR_ARG_NONE), io("__open64_2", -1, FR_ARG_NONE),
        io("creat", -1, FR_ARG_NONE), io("creat64", -1, FR_ARG_NONE),
        io("waitpid", 0, FR_ARG_PID), io("wait4", 0, FR_ARG_PID),
        io("wait", -1, FR_ARG_NONE),
        // Its child runs on the parent's thread state until exec or _exit:
        // the return hook stops the child from recording into it.
        io("vfork", -1, FR_ARG_NONE, FR_RESULT_VFORK),
        io("pthread_join", 0, FR_ARG_THREAD, FR_RESULT_ERRNUM),
        io("sched_yield", -1, FR_ARG_NONE),
        io("getaddrinfo", -1, FR_ARG_NONE, FR_RESULT_ERRNUM),
        // syscall(SYS_futex, uaddr, ...): only that number, see classify().
        io("syscall", 1, FR_ARG_ADDR),
        // stdio: the FILE's descriptor.
        stdio("fread", 3, FR_RESULT_COUNT), stdio("fwrite", 3, FR_RESULT_COUNT),
        stdio("fread_unlocked", 3, FR_RESULT_COUNT),
        stdio("fwrite_unlocked", 3, FR_RESULT_COUNT),
        stdio("__fread_chk", 4, FR_RESULT_COUNT),
        stdio("__fread_unlocked_chk", 4, FR_RESULT_COUNT),
        stdio("fgets", 2, FR_RESULT_PTR), stdio("fgets_unlocked", 2, FR_RESULT_PTR),
        stdio("__fgets_chk", 3, FR_RESULT_PTR),
        stdio("__fgets_unlocked_chk", 3, FR_RESULT_PTR),
        stdio("fflush", 0, FR_RESULT_ERRNO), stdio("fflush_unlocked", 0, FR_RESULT_ERRNO),
        // libstdc++: std::condition_variable::wait(std::unique_lock<std::mutex>&)
        // (the cond is the object, the mutex the lock's), notify_one/all,
        // std::thread::join (its pthread_t is the object's first word), and
        // the stream calls that read or write (their result: the stream).
        holder(lock("_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE",
                    Shape::CondWait, Cond)),
        lock("_ZNSt18condition_variable10notify_oneEv", Shape::CondSignal, Cond),
        lock("_ZNSt18condition_variable10notify_allEv", Shape::CondSignal, Cond),
        holder(io("_ZNSt6thread4joinEv", 0, FR_ARG_THREAD, FR_RESULT_COUNT)),
        io("_ZNSi4readEPcl", -1, FR_ARG_NONE, FR_RESULT_PTR),
        io("_ZNSi7getlineEPcl", -1, FR_ARG_NONE, FR_RESULT_PTR),
        io("_ZNSo5writeEPKcl", -1, FR_ARG_NONE, FR_RESULT_PTR),
        io("_ZNSo5flushEv", -1, FR_ARG_NONE, FR_RESULT_PTR),
        io("_ZSt7getlineIcSt11char_traitsIcESaIcEERSt13basic_istreamIT_T0_ES7_"
           "RNSt7__cxx1112basic_stringIS4_S5_T1_EE",
           -1, FR_ARG_NONE, FR_RESULT_PTR),
        io("_ZSt7getlineIcSt11char_traitsIcESaIcEERSt13basic_istreamIT_T0_ES7_"
           "RNSt7__cxx1112basic_stringIS4_S5_T1_EES4_",
           -1, FR_ARG_NONE, FR_RESULT_PTR),
    };
    StringMap<CalleeInfo> M;
    for (const CalleeInfo &I : All)
      M.try_emplace(I.Name, I);
    return M;
  }();
  return Map;
}

const CalleeInfo UserLockInfo = lock("", Shape::UserLock, FR_LOCK_USER);
const CalleeInfo UserUnlockInfo = lock("", Shape::Release, FR_LOCK_USER);
const CalleeInfo UserBlockingInfo =
    io("", -1, FR_ARG_NONE, FR_RESULT_COUNT);

// The futex system call's number on the target (the generic Linux ABI's
// otherwise).
uint64_t futexSyscall(const Module &M) {
  Triple T(M.getTargetTriple());
  return T.getArch() == Triple::x86_64 ? 202 : T.getArch() == Triple::x86 ? 240 : 98;
}

Function *directCallee(const CallBase *Call) {
  return dyn_cast<Function>(Call->getCalledOperand()->stripPointerCasts());
}

// What, if anything, Call is to the options in force.
const CalleeInfo *classify(const CallBase *Call, const Options &Opts) {
  Function *Callee = directCallee(Call);
  if (!isa<CallInst>(Call) && !isa<InvokeInst>(Call))
    return nullptr; // callbr
  auto *Plain = dyn_cast<CallInst>(Call);
  if (!Callee || Callee->isIntrinsic() || (Plain && Plain->isMustTailCall()) ||
      Callee->getName().substr(0, 5) == "__fr_")
    return nullptr;
  std::string Name = Callee->getName().str();
  std::string Pretty = Selection::displayName(*Callee);
  if (Opts.LockCalls) {
    if (matchesAny(Opts.LockFunctions, Name, Pretty))
      return &UserLockInfo;
    if (matchesAny(Opts.UnlockFunctions, Name, Pretty))
      return &UserUnlockInfo;
  }
  if (Opts.BlockingCalls && matchesAny(Opts.BlockingFunctions, Name, Pretty))
    return &UserBlockingInfo;
  if (!Callee->isDeclaration())
    return nullptr; // the program's own function of the same name
  auto It = catalogue().find(Name);
  if (It == catalogue().end())
    return nullptr;
  const CalleeInfo &I = It->second;
  if (I.Kind == FR_SITE_LOCK ? !Opts.LockCalls : !Opts.BlockingCalls)
    return nullptr;
  // The call must have the arguments the hooks read, of usable types.
  unsigned Needed = I.Arg + 1;
  if (I.Kind == FR_SITE_LOCK)
    Needed = I.S == Shape::CondWait || I.S == Shape::AcquireTimed ? 2 : 1;
  if (Call->arg_size() < Needed)
    return nullptr;
  for (unsigned A = 0; A < Needed; ++A) {
    Type *T = Call->getArgOperand(A)->getType();
    if (!T->isPointerTy() && !T->isIntegerTy())
      return nullptr;
  }
  if ((I.S == Shape::Acquire || I.S == Shape::AcquireTimed) &&
      !(Call->getType()->isIntegerTy(32) &&
        Call->getArgOperand(0)->getType()->isPointerTy()))
    return nullptr;
  if (I.File && !Call->getArgOperand(I.Arg)->getType()->isPointerTy())
    return nullptr;
  if (Name == "fcntl" || Name == "fcntl64") { // the waiting lock commands
    constexpr uint64_t SetLockWait = 7, OpenFileSetLockWait = 38; // Linux
    auto *Command = Call->arg_size() > 1
                        ? dyn_cast<ConstantInt>(Call->getArgOperand(1))
                        : nullptr;
    if (!Command || (Command->getZExtValue() != SetLockWait &&
                     Command->getZExtValue() != OpenFileSetLockWait))
      return nullptr;
  }
  if (Name == "syscall") {
    auto *Number = dyn_cast<ConstantInt>(Call->getArgOperand(0));
    if (!Number || Number->getZExtValue() != futexSyscall(*Call->getModule()))
      return nullptr;
  }
  return &I;
}

// An integer or pointer as i64 (pointers by address, integers sign- or
// zero-extended); anything else as 0.
Value *asI64(IRBuilder<> &B, Value *V, bool Signed = true) {
  Type *I64 = B.getInt64Ty();
  if (V->getType()->isPointerTy())
    return B.CreatePtrToInt(V, I64);
  if (V->getType()->isIntegerTy())
    return Signed ? B.CreateSExtOrTrunc(V, I64) : B.CreateZExtOrTrunc(V, I64);
  return B.getInt64(0);
}

} // namespace

// A header function small enough to inline for attribution's sake: a
// wrapper (std::lock_guard's constructor, a project's Mutex::Lock), not a
// body of work that the inliner chose to keep out of line.
static bool isWrapper(const Function &F) {
  constexpr unsigned MaxInstructions = 48;
  if (F.isDeclaration() || F.isVarArg() || !F.getSubprogram() ||
      !Selection::isHeaderFile(Selection::sourceFile(F)))
    return false;
  unsigned Count = 0;
  for (const Instruction &I : instructions(F))
    if (!isa<DbgInfoIntrinsic>(I) && ++Count > MaxInstructions)
      return false;
  return true;
}

// Whether F, a function of a header, calls a lock or blocking function,
// itself or through such functions (Depth levels down).
static bool wrapsCallSite(const Function &F, const Options &Opts,
                          unsigned Depth) {
  for (const Instruction &I : instructions(F)) {
    auto *Call = dyn_cast<CallBase>(&I);
    if (!Call)
      continue;
    if (classify(Call, Opts))
      return true;
    const Function *Callee = directCallee(Call);
    if (Depth && Callee && Callee != &F && isWrapper(*Callee) &&
        wrapsCallSite(*Callee, Opts, Depth - 1))
      return true;
  }
  return false;
}

void CallSites::inlineLibraryWrappers(Module &M, const Options &Opts) {
  // MutexLock -> port::Mutex::Lock -> std::mutex::lock -> gthread, and one
  // more.
  constexpr unsigned MaxDepth = 6;
  for (unsigned Round = 0; Round < MaxDepth; ++Round) {
    std::vector<CallBase *> Wrappers;
    for (Function &F : M) {
      if (F.isDeclaration() || !F.getSubprogram() ||
          Selection::isHeaderFile(Selection::sourceFile(F)))
        continue;
      for (Instruction &I : instructions(F)) {
        auto *Call = dyn_cast<CallBase>(&I);
        Function *Callee = Call ? directCallee(Call) : nullptr;
        if (Callee && Callee != &F && isWrapper(*Callee) &&
            Call->getCalledOperand() == Callee &&
            // -O0 marks every function noinline (and optnone); a
            // function the programmer marked noinline is left alone.
            (!Callee->hasFnAttribute(Attribute::NoInline) ||
             Callee->hasFnAttribute(Attribute::OptimizeNone)) &&
            wrapsCallSite(*Callee, Opts, MaxDepth - Round))
          Wrappers.push_back(Call);
      }
    }
    if (Wrappers.empty())
      return;
    for (CallBase *Call : Wrappers) {
      InlineFunctionInfo IFI;
      InlineFunction(*Call, IFI);
    }
  }
}

CallSites::CallSites(const Options &Opts, Module &M, SiteTable &Sites,
                     const Guard &G)
    : Opts(Opts), M(M), Sites(Sites), G(G) {}

bool CallSites::hasCandidates(const Function &F, const Options &Opts) {
  for (const Instruction &I : instructions(F))
    if (auto *Call = dyn_cast<CallBase>(&I))
      if (classify(Call, Opts))
        return true;
  return false;
}

std::vector<unsigned> CallSites::instrument(Function &F,
                                           const Function &Named) {
  NamedAs = &Named;
  std::vector<unsigned> Used;
  std::vector<std::pair<CallBase *, const CalleeInfo *>> Calls;
  for (Instruction &I : instructions(F))
    if (auto *Call = dyn_cast<CallBase>(&I))
      if (const CalleeInfo *Info = classify(Call, Opts))
        Calls.push_back({Call, Info});
  for (auto &[Call, Info] : Calls) {
    // An invoked lock cannot move into the branches below: it is a wait
    // each time, as a user lock (the detail says so to the reader).
    if (isa<InvokeInst>(Call) &&
        (Info->S == Shape::Acquire || Info->S == Shape::AcquireTimed)) {
      CalleeInfo AsUserLock = lock(Info->Name, Shape::UserLock, Info->Detail);
      Used.push_back(instrumentCall(Call, AsUserLock));
      continue;
    }
    Used.push_back(instrumentCall(Call, *Info));
  }
  NamedAs = nullptr;
  return Used;
}

FunctionCallee CallSites::hook(const char *Name, Type *Ret,
                               ArrayRef<Type *> Params) {
  FunctionCallee H =
      M.getOrInsertFunction(Name, FunctionType::get(Ret, Params, false));
  if (auto *Fn = dyn_cast<Function>(H.getCallee())) {
    Fn->setDoesNotThrow();
    declareHook(*Fn);
  }
  return H;
}

static std::string subprogramName(const DISubprogram *SP, bool Mangled) {
  StringRef Linkage = SP->getLinkageName();
  if (Linkage.empty())
    return SP->getName().str();
  return Mangled ? Linkage.str() : demangle(Linkage.str());
}

// A C++ library function's mangled name as its caller wrote it: qualified,
// without return type, template arguments or parameters:
// "std::getline", "std::istream::read", "std::thread::join".
static std::string calledName(const std::string &Mangled) {
  ItaniumPartialDemangler Demangler;
  if (Demangler.partialDemangle(Mangled.c_str()) || !Demangler.isFunction())
    return demangle(Mangled);
  size_t Size = 0;
  char *Context = Demangler.getFunctionDeclContextName(nullptr, &Size);
  char *Base = Demangler.getFunctionBaseName(nullptr, &Size);
  std::string Name = Base ? Base : Mangled;
  if (Context && *Context)
    Name = std::string(Context) + "::" + Name;
  std::free(Context);
  std::free(Base);
  return Name;
}

// A library function as its caller wrote it: qualified by its namespaces
// and classes (with the classes' template arguments), without its own
// template arguments or parameters: "std::this_thread::sleep_for",
// "std::lock_guard<std::mutex>::lock_guard".
static std::string libraryName(const DISubprogram *SP) {
  std::string Name = SP->getName().str();
  if (!Name.empty() && Name.back() == '>' && Name.rfind("operator", 0) != 0)
    Name = Name.substr(0, Name.find('<'));
  for (const DIScope *S = SP->getScope(); S && !isa<DIFile>(S) &&
                                          !isa<DICompileUnit>(S);
       S = S->getScope()) {
    StringRef Part = S->getName();
    Name = (Part.empty() ? std::string("(anonymous namespace)") : Part.str()) +
           "::" + Name;
  }
  return Name;
}

// The site: the callee, and the source position of the call itself (inside
// an inlined function, that function's name and line). A call inlined from
// a header (std::mutex::lock's pthread_mutex_lock, in gthr-default.h; a
// project's lock wrapper) is the user's call of the wrapper: the site is the
// innermost inlined frame outside headers (walking the inlinedAt chain), and
// the callee is the wrapper that frame called.
unsigned CallSites::addSite(CallBase *Call, const CalleeInfo &Info) {
  const Function &F = *NamedAs;
  std::string Caller =
      Opts.MangledNames ? F.getName().str() : Selection::displayName(F);
  std::string File = Selection::sourceFile(F);
  std::string Callee = directCallee(Call)->getName().str();
  if (!Opts.MangledNames && Callee.rfind("_Z", 0) == 0) // a C++ library member
    Callee = calledName(Callee);
  unsigned Line = 0;
  if (DILocation *DL = Call->getDebugLoc().get()) {
    const DISubprogram *Entered = nullptr; // the library function called
    while (DL->getInlinedAt() &&
           Selection::isHeaderFile(Selection::normalPath(DL->getFilename()))) {
      Entered = DL->getScope()->getSubprogram();
      DL = DL->getInlinedAt();
    }
    Line = DL->getLine();
    File = Selection::normalPath(DL->getFilename());
    if (DISubprogram *SP = DL->getScope()->getSubprogram())
      Caller = subprogramName(SP, Opts.MangledNames);
    if (Entered)
      Callee = Opts.MangledNames && !Entered->getLinkageName().empty()
                   ? Entered->getLinkageName().str()
                   : libraryName(Entered);
  }
  // Copies of one call (an unrolled loop, a function inlined twice into the
  // same caller) are one site to the user.
  std::string Key = Callee + '\0' + Caller + '\0' + File + '\0' +
                    std::to_string(Line) + '\0' + std::to_string(Info.Kind);
  auto [It, Inserted] = Known.try_emplace(Key, 0);
  if (Inserted)
    It->second = Sites.add(Info.Kind, Caller, File, Line, Info.Detail, Callee);
  return It->second;
}

// Where code after an invoke goes on its normal edge, or on its unwind edge
// (after the landing pad): blocks only that edge leads to.
static Instruction *normalEdge(InvokeInst *Invoke) {
  BasicBlock *Normal = Invoke->getNormalDest();
  if (!Normal->getSinglePredecessor())
    Normal = SplitEdge(Invoke->getParent(), Normal);
  return &*Normal->getFirstInsertionPt();
}

static Instruction *unwindEdge(InvokeInst *Invoke) {
  BasicBlock *Pad = Invoke->getUnwindDest();
  if (!Pad->getSinglePredecessor())
    Pad = SplitBlockPredecessors(Pad, {Invoke->getParent()}, ".fr");
  return &*Pad->getFirstInsertionPt();
}

unsigned CallSites::instrumentCall(CallBase *Call, const CalleeInfo &Info) {
  LLVMContext &C = M.getContext();
  Type *Void = Type::getVoidTy(C), *I32 = Type::getInt32Ty(C),
       *I64 = Type::getInt64Ty(C);
  Type *Ptr = PointerType::getUnqual(Type::getInt8Ty(C));
  unsigned Index = addSite(Call, Info);
  auto *Invoke = dyn_cast<InvokeInst>(Call);
  Instruction *After = Invoke ? normalEdge(Invoke) : Call->getNextNode();
  // The unwind edge of an invoke: the call ended by an exception.
  Instruction *Unwound = Invoke ? unwindEdge(Invoke) : nullptr;
  Value *Cancelled = ConstantInt::get(I64, ECANCELED);
  IRBuilder<> B(Call);
  auto Arg = [&](unsigned N) { return asI64(B, Call->getArgOperand(N)); };
  // The first word of the object argument N points at (Holder): one more
  // load before the call, of the object the call itself is about.
  auto FirstWord = [&](unsigned N) -> Value * {
    Value *Object = Call->getArgOperand(N);
    if (!Object->getType()->isPointerTy())
      return B.getInt64(0);
    LoadInst *Word = B.CreateLoad(
        I64, B.CreatePointerCast(Object, PointerType::getUnqual(I64)),
        "fr.first_word");
    markNoSanitize(Word);
    return Word;
  };
  auto Result = [&](bool Signed = true) -> Value * {
    return Call->getType()->isVoidTy() ? B.getInt64(0)
                                       : asI64(B, Call, Signed);
  };

  // One load of the guard serves the hooks before and after the call: they
  // agree on whether (and how) this call is recorded even if the site is
  // muted meanwhile.
  Value *GuardByte = G.load(B, Index);
  auto GuardArg = [&](IRBuilder<> &At) {
    return At.CreateZExt(GuardByte, I32, "fr.mode");
  };
  switch (Info.S) {
  case Shape::Acquire:
  case Shape::AcquireTimed: {
    // r = guard == 0 ? lock(obj[, arg])
    //   : guard & ALL ? __fr_lock_acquire[_timed](site, obj, try, lock,
    //                                             [arg,] busy, guard)
    //   : muted: (r = try(obj)) != busy ? r          (glibc's mutex lock: a
    //            : __fr_lock_contended(site, obj, NULL, lock, arg, timed,
    //                                  busy)        look at its lock word,
    //                                               see below)
    // A try whose "busy" is -1 and errno (sem_trywait) goes through the
    // runtime's wrapper when muted too, which keeps errno as it was.
    Instruction *ThenTerm, *ElseTerm;
    SplitBlockAndInsertIfThenElse(Guard::any(B, GuardByte), Call, &ThenTerm,
                                  &ElseTerm);
    BasicBlock *Tail = ThenTerm->getSuccessor(0);
    B.SetInsertPoint(ThenTerm);
    FunctionCallee Try = M.getOrInsertFunction(
        Info.Try, FunctionType::get(I32, {Call->getArgOperand(0)->getType()},
                                    false));
    Value *Obj = B.CreatePointerCast(Call->getArgOperand(0), Ptr);
    Value *Lock = B.CreatePointerCast(Call->getCalledOperand(), Ptr);
    Value *Deadline = ConstantPointerNull::get(cast<PointerType>(Ptr));
    if (Info.S == Shape::AcquireTimed) {
      Value *Arg1 = Call->getArgOperand(1);
      Deadline = Arg1->getType()->isPointerTy() ? B.CreatePointerCast(Arg1, Ptr)
                                                : B.CreateIntToPtr(Arg1, Ptr);
    }
    SmallVector<Value *, 7> Args{G.siteId(B, Index), Obj,
                                 B.CreatePointerCast(Try.getCallee(), Ptr),
                                 Lock};
    SmallVector<Type *, 7> Params{I32, Ptr, Ptr, Ptr};
    const char *Wrapper = LockAcquireHook;
    if (Info.S == Shape::AcquireTimed) {
      Wrapper = LockAcquireTimedHook;
      Args.push_back(Deadline);
      Params.push_back(Ptr);
    }
    Args.push_back(B.getInt32(Info.Busy));
    Args.push_back(GuardArg(B));
    Params.append({I32, I32});
    Instruction *WrapAt = ThenTerm;
    Instruction *SlowTerm = nullptr;
    if (Info.Busy > 0) {
      Instruction *FullTerm;
      SplitBlockAndInsertIfThenElse(Guard::all(B, GuardByte), ThenTerm,
                                    &FullTerm, &SlowTerm);
      WrapAt = FullTerm;
    }
    B.SetInsertPoint(WrapAt);
    CallInst *Wrapped = B.CreateCall(hook(Wrapper, I32, Params), Args);
    borrowDebugLoc(Wrapped, Call);
    Value *Recorded = Wrapped;
    if (SlowTerm) {
      B.SetInsertPoint(SlowTerm);
      // glibc's trylock costs about 3 ns more than its lock, so a muted
      // pthread_mutex_lock looks at the mutex's lock word first (glibc's
      // __data.__lock, the first int: 0 when free) and takes the lock
      // as the program would; only a busy word goes to the runtime, which
      // tries again (the owner may be this thread, or gone) before it
      // records a wait. Elsewhere the try comes first, inline.
      Triple T(M.getTargetTriple());
      bool Peek = Info.S == Shape::Acquire && T.isOSLinux() &&
                  T.isGNUEnvironment() &&
                  StringRef(Info.Try) == "pthread_mutex_trylock";
      Instruction *ContendedTerm;
      Value *Uncontended;
      Value *TryAgain = ConstantPointerNull::get(cast<PointerType>(Ptr));
      if (Peek) {
        LoadInst *Word = B.CreateLoad(
            I32, B.CreatePointerCast(Call->getArgOperand(0),
                                     PointerType::getUnqual(I32)),
            "fr.lockword");
        Word->setAtomic(AtomicOrdering::Monotonic);
        markNoSanitize(Word);
        Word->setAlignment(Align(4));
        Instruction *FreeTerm;
        SplitBlockAndInsertIfThenElse(B.CreateICmpNE(Word, B.getInt32(0)),
                                      SlowTerm, &ContendedTerm, &FreeTerm);
        Instruction *Free = Call->clone(); // a call: invokes are user locks
        Free->insertBefore(FreeTerm);
        Uncontended = Free;
        TryAgain = B.CreatePointerCast(Try.getCallee(), Ptr);
      } else {
        CallInst *Tried = B.CreateCall(Try, {Call->getArgOperand(0)});
        borrowDebugLoc(Tried, Call);
        ContendedTerm = SplitBlockAndInsertIfThen(
            B.CreateICmpEQ(Tried, B.getInt32(Info.Busy)), SlowTerm, false);
        Uncontended = Tried;
      }
      B.SetInsertPoint(ContendedTerm);
      CallInst *Contended = B.CreateCall(
          hook(LockContendedHook, I32, {I32, Ptr, Ptr, Ptr, Ptr, I32, I32}),
          {G.siteId(B, Index), Obj, TryAgain, Lock, Deadline,
           B.getInt32(Info.S == Shape::AcquireTimed), B.getInt32(Info.Busy)});
      borrowDebugLoc(Contended, Call);
      IRBuilder<> SlowJoin(SlowTerm->getParent(),
                           SlowTerm->getParent()->begin());
      PHINode *Slow = SlowJoin.CreatePHI(I32, 2, "fr.muted");
      Slow->addIncoming(Uncontended,
                        cast<Instruction>(Uncontended)->getParent());
      Slow->addIncoming(Contended, Contended->getParent());
      IRBuilder<> Join(ThenTerm->getParent(), ThenTerm->getParent()->begin());
      PHINode *Both = Join.CreatePHI(I32, 2, "fr.recorded");
      Both->addIncoming(Wrapped, Wrapped->getParent());
      Both->addIncoming(Slow, Slow->getParent());
      Recorded = Both;
    }
    Call->moveBefore(ElseTerm);
    IRBuilder<> TB(Tail, Tail->begin());
    PHINode *Phi = TB.CreatePHI(I32, 2, "fr.lock");
    Call->replaceAllUsesWith(Phi);
    Phi->addIncoming(Recorded, cast<Instruction>(Recorded)->getParent());
    Phi->addIncoming(Call, Call->getParent());
    return Index;
  }
  // Events that are not waits: recorded only while the site is not muted.
  case Shape::Try: {
    B.SetInsertPoint(After);
    Value *R = Result();
    G.insertCall(After, hook(LockTryHook, Void, {I32, I64, I64}), Index,
                 {Arg(0), R}, Guard::all(B, GuardByte));
    return Index;
  }
  case Shape::Release:
    G.insertCall(Call, hook(LockReleaseHook, Void, {I32, I64}), Index,
                 {Arg(0)}, Guard::all(B, GuardByte));
    return Index;
  case Shape::CondSignal:
    G.insertCall(Call, hook(CondSignalHook, Void, {I32, I64}), Index,
                 {Arg(0)}, Guard::all(B, GuardByte));
    return Index;
  case Shape::CondWait: { // a wait: recorded while the site is on at all
    Value *Cond = Arg(0), *On = Guard::any(B, GuardByte);
    Value *Mutex = Info.Holder ? FirstWord(1) : Arg(1);
    G.insertCall(Call, hook(CondWaitHook, Void, {I32, I64, I64}), Index,
                 {Cond, Mutex}, On);
    B.SetInsertPoint(After);
    G.insertCall(After, hook(CondWokenHook, Void, {I32, I64, I64}), Index,
                 {Cond, Result()}, On);
    if (Unwound)
      G.insertCall(Unwound, hook(CondWokenHook, Void, {I32, I64, I64}), Index,
                   {Cond, Cancelled}, On);
    return Index;
  }
  case Shape::UserLock: { // no way to tell a wait: muted means off
    Value *Obj = Call->arg_size() ? Arg(0) : B.getInt64(0);
    Value *On = Guard::all(B, GuardByte);
    G.insertCall(Call, hook(LockWaitHook, Void, {I32, I64}), Index, {Obj}, On);
    B.SetInsertPoint(After);
    G.insertCall(After, hook(LockAcquiredHook, Void, {I32, I64, I64}), Index,
                 {Obj, Result()}, On);
    if (Unwound)
      G.insertCall(Unwound, hook(LockAcquiredHook, Void, {I32, I64, I64}),
                   Index, {Obj, Cancelled}, On);
    return Index;
  }
  case Shape::Blocking: { // the hooks take the guard: muted, only slow calls
    Value *On = Guard::any(B, GuardByte);
    if (Info.File)
      G.insertCall(Call, hook(BlockCallFileHook, Void, {I32, Ptr, I32}), Index,
                   {B.CreatePointerCast(Call->getArgOperand(Info.Arg), Ptr),
                    GuardArg(B)},
                   On);
    else
      G.insertCall(Call, hook(BlockCallHook, Void, {I32, I64, I32}), Index,
                   {Info.Arg < 0   ? B.getInt64(0)
                    : Info.Holder ? FirstWord(Info.Arg)
                                  : Arg(Info.Arg),
                    GuardArg(B)},
                   On);
    unsigned ResultStyle = Info.Detail >> 8;
    B.SetInsertPoint(After);
    Value *R;
    if (ResultStyle == FR_RESULT_PTR)
      R = B.CreateZExt(B.CreateIsNotNull(Call), I64);
    else
      R = Result(/*Signed=*/ResultStyle != FR_RESULT_COUNT);
    const char *ReturnHook = ResultStyle == FR_RESULT_ERRNO   ? BlockReturnErrnoHook
                             : ResultStyle == FR_RESULT_VFORK ? VforkReturnHook
                                                              : BlockReturnHook;
    G.insertCall(After, hook(ReturnHook, Void, {I32, I64, I32}), Index,
                 {R, GuardArg(B)}, On);
    if (Unwound) { // the plain return hook: errno says nothing here
      IRBuilder<> U(Unwound);
      G.insertCall(Unwound, hook(BlockReturnHook, Void, {I32, I64, I32}), Index,
                   {U.getInt64(-1), GuardArg(U)}, On);
    }
    return Index;
  }
  }
  return Index;
}

} // namespace fr
