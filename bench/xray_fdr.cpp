// bench/xray_fdr.cpp: runs a benchmark's main (renamed fib_main) under
// XRay's flight data recorder mode, set up the way XRay documents it:
// select the mode, initialise it with its buffers, patch the sleds, run,
// then finalize and flush the log (whose records bench/run.sh counts).
// XRAY_OPTIONS=xray_mode=xray-fdr alone selects the mode but never
// initialises it, so nothing is recorded: that measures a trampoline and a
// status check, not a recorder.
//
// The buffers hold the whole run (FDR does not overwrite: once its buffers
// are full it drops), so every call of the run is recorded, as with fr.
#include <xray/xray_interface.h>
#include <xray/xray_log_interface.h>

#include <cstdio>
#include <cstdlib>

extern "C" int fib_main(int argc, char **argv);

int main(int argc, char **argv) {
  const char *config = std::getenv("FDR_CONFIG");
  if (!config)
    config = "buffer_size=1048576 buffer_max=1024 func_duration_threshold_us=0";
  if (__xray_log_select_mode("xray-fdr") != XRAY_REGISTRATION_OK ||
      __xray_log_init_mode("xray-fdr", config) != XRAY_LOG_INITIALIZED ||
      __xray_patch() != SUCCESS) {
    std::fprintf(stderr, "xray_fdr: XRay's FDR mode could not be set up\n");
    return 2;
  }
  int status = fib_main(argc, argv);
  if (__xray_log_finalize() != XRAY_LOG_FINALIZED ||
      __xray_log_flushLog() != XRAY_LOG_FLUSHED) {
    std::fprintf(stderr, "xray_fdr: the FDR log was not written\n");
    return 2;
  }
  return status;
}
