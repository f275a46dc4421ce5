# lit configuration for fr. Run through `make check`, or by hand:
#   lit.py -sv --param fr_site_config=build/test/lit.site.cfg.py --param llvm=14 test
# The suite runs once per LLVM major; %clang, %opt and FileCheck are that
# major's, %fr_plugin is the plugin built against it.
import glob
import os
import sys
import lit.formats

llvm = lit_config.params.get("llvm", "14")
site = lit_config.params.get("fr_site_config")
if not site:
    lit_config.fatal("pass --param fr_site_config=BUILD/test/lit.site.cfg.py")
exec(open(site).read())

config.name = "fr (LLVM %s)" % llvm
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".c", ".cpp", ".ll", ".test"]
config.excludes = ["Inputs", "stress", "fuzz", "lit.cfg.py", "lit.site.cfg.py.in", "mutate.py", "run-all.sh", "browser", "report.test.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.fr_build_dir, "test", "llvm-%s" % llvm)

llvm_bin = "/usr/lib/llvm-%s/bin" % llvm
build = config.fr_build_dir
src = config.fr_source_dir
plugin = os.path.join(build, "llvm-%s" % llvm, "libfrpass.so")
if not os.path.exists(plugin):
    lit_config.fatal("no plugin at %s: build first" % plugin)

config.environment["PATH"] = os.pathsep.join([llvm_bin, config.environment.get("PATH", "/usr/bin:/bin")])
# Tests set FR_OPTIONS / FR_PASS_OPTIONS themselves; never inherit them.
for var in ("FR_OPTIONS", "FR_PASS_OPTIONS"):
    config.environment.pop(var, None)
# --param fr_pass_options=...: the plugin's options for the tests that set
# none of their own (clone=1: every chosen function wrapped, none copied).
if lit_config.params.get("fr_pass_options"):
    config.environment["FR_PASS_OPTIONS"] = lit_config.params["fr_pass_options"]

cflags = "-g -Wall -I%s" % os.path.join(src, "include")
link = "%s -lpthread" % os.path.join(build, "libfr.a")
debug_link = "%s -lpthread" % os.path.join(build, "libfr-debug.a")
# make check-asan / check-tsan: the test programs and the runtime they link
# built with the sanitizer (tests that cannot run under it say so with
# UNSUPPORTED: asan / tsan, and why).
sanitizer = lit_config.params.get("sanitizer")
if sanitizer:
    flags = {"asan": "-fsanitize=address,undefined -fno-sanitize-recover=undefined",
             "tsan": "-fsanitize=thread"}[sanitizer]
    cflags += " " + flags
    link = "%s -lpthread" % os.path.join(build, "libfr-%s.a" % sanitizer)
    debug_link = link
    config.available_features.add(sanitizer)
    config.name += " " + sanitizer
    config.test_exec_root += "-" + sanitizer
    # Findings fail the test. Fatal signals stay the runtime's (crash
    # snapshots, then death by the signal, as the tests expect): ASan's own
    # handlers for them are off; its checks of memory accesses are not.
    config.environment["ASAN_OPTIONS"] = "abort_on_error=0:detect_leaks=1:allow_user_segv_handler=1:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0:detect_stack_use_after_return=0"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    config.environment["TSAN_OPTIONS"] = "halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=1:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0"
config.substitutions.append(("%clang_fr", "%s/clang %s -fpass-plugin=%s" % (llvm_bin, cflags, plugin)))
config.substitutions.append(("%clangxx_fr", "%s/clang++ %s -fpass-plugin=%s" % (llvm_bin, cflags, plugin)))
config.substitutions.append(("%clang_plain", "%s/clang %s" % (llvm_bin, cflags)))
config.substitutions.append(("%fr_link_shared", "-L%s -Wl,-rpath,%s -lfr -lpthread" % (build, build)))
config.substitutions.append(("%fr_link_debug", debug_link))
config.substitutions.append(("%fr_link", link))
config.substitutions.append(("%fr_plugin", plugin))
config.substitutions.append(("%opt", "%s/opt" % llvm_bin))
config.substitutions.append(("%frtool", os.path.join(build, "frtool")))
config.substitutions.append(("%inputs", os.path.join(src, "test", "tools", "Inputs")))
config.substitutions.append(("%summary_check", "python3 %s" % os.path.join(src, "test", "e2e", "Inputs", "summary_check.py")))
config.available_features.add("llvm-%s" % llvm)
# The reader's tests (tools/) use neither the plugin nor clang: make check
# runs them with the first major only (test/run-lit.sh passes
# reader_tests=0 to the others, where they show as unsupported).
if lit_config.params.get("reader_tests", "1") != "0":
    config.available_features.add("reader-tests")
import platform
config.available_features.add(platform.machine())
if os.geteuid() == 0:
    config.available_features.add("root")
import shutil
if shutil.which("protoc"):
    config.available_features.add("protoc")
# The installed tree (make all installs into build/stage): fr-clang, the
# CMake package, pkg-config. %other_plugin: a plugin of another LLVM major.
config.substitutions.append(("%stage", os.path.join(build, "stage")))
config.substitutions.append(("%fr_build", build))
config.substitutions.append(("%llvm_bin", llvm_bin))
config.substitutions.append(("%llvm_major", llvm))
others = sorted(d for d in os.listdir(build)
                if d.startswith("llvm-") and d != "llvm-%s" % llvm
                and os.path.exists(os.path.join(build, d, "libfrpass.so")))
if others:
    config.available_features.add("other-llvm")
    config.substitutions.append(("%other_plugin", os.path.join(build, others[0], "libfrpass.so")))
    config.substitutions.append(("%other_major", others[0][len("llvm-"):]))
if os.path.exists(os.path.join(llvm_bin, "ld.lld")):
    config.available_features.add("lld")
# clang's profile runtime (-fprofile-instr-generate): libclang-rt-N-dev on
# the newer majors.
if glob.glob("/usr/lib/llvm-%s/lib/clang/*/lib/*/libclang_rt.profile*x86_64*.a" % llvm) or \
   glob.glob("/usr/lib/llvm-%s/lib/clang/*/lib/x86_64*/libclang_rt.profile.a" % llvm):
    config.available_features.add("profile-runtime")
for tool in ("cmake", "pkg-config"):
    if shutil.which(tool):
        config.available_features.add(tool)
# The lit.py running this suite (test/run-lit.sh's own test runs it on a
# small suite of its own).
config.substitutions.append(("%lit_py", os.path.abspath(sys.argv[0])))
config.substitutions.append(("%proto_dir", os.path.join(src, "tools", "proto")))
