// SPDX-License-Identifier: Apache-2.0
// fuzz_frtool.c: a libFuzzer harness for one frtool command, chosen at build
// time (FR_FUZZ_HARNESS: validate, dump, summary, summary-json,
// export-perfetto, export-chrome, export-folded, report, diff).
//
// Each input is written to a file and given to the command as a snapshot, as
// a user would. Before that the section checksums are recomputed, so that a
// mutation reaches the code behind them instead of stopping at the CRC
// check; a cut or a lying size is left as it is. Built with ASan and UBSan
// (CMakeLists.txt, `make fuzz`): any crash, leak, out-of-bounds access or
// undefined behaviour is a finding; its input goes into
// test/fuzz/regressions/.
#include "fr_format.h"
#include "frtool.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint32_t fr_crc32c(uint32_t crc, const void *data, uint64_t len);

static char path[64];
static const struct frtool_command *command;
static char *args[8];
static int nargs;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  snprintf(path, sizeof(path), "/tmp/fr-fuzz-%d.fr", (int)getpid());
  static const struct {
    const char *name;
    const struct frtool_command *cmd;
    const char *options[3];
  } harnesses[] = {
      {"validate", &frtool_validate, {0}},
      {"dump", &frtool_dump, {0}},
      {"summary", &frtool_summary, {0}},
      {"summary-json", &frtool_summary, {"--json"}},
      {"export-perfetto", &frtool_export, {"-o", "/dev/null"}},
      {"export-chrome", &frtool_export, {"--format=chrome", "-o", "/dev/null"}},
      {"export-folded", &frtool_export, {"--format=folded", "-o", "/dev/null"}},
      {"report", &frtool_report, {"-o", "/dev/null"}},
      {"diff", &frtool_diff, {0}},
  };
  for (size_t i = 0; i < sizeof(harnesses) / sizeof(harnesses[0]); i++) {
    if (strcmp(harnesses[i].name, FR_FUZZ_HARNESS))
      continue;
    command = harnesses[i].cmd;
    args[nargs++] = (char *)command->name;
    for (int k = 0; k < 3 && harnesses[i].options[k]; k++)
      args[nargs++] = (char *)harnesses[i].options[k];
    args[nargs++] = path;
    if (command == &frtool_diff)
      args[nargs++] = path; // a snapshot against itself
    args[nargs] = NULL;
  }
  if (!command)
    abort();
  return 0;
}

// Recomputes every whole section's checksum in place.
static void fix_checksums(uint8_t *data, size_t size) {
  uint16_t header_size = 0;
  if (size >= 12)
    memcpy(&header_size, data + 10, 2);
  uint64_t off = header_size >= FR_FILE_HEADER_V1_SIZE ? header_size
                                                       : FR_FILE_HEADER_SIZE;
  while (off + sizeof(struct fr_section_header) <= size) {
    struct fr_section_header sec;
    memcpy(&sec, data + off, sizeof(sec));
    uint64_t avail = size - off - sizeof(sec);
    if (sec.size > avail)
      return; // a cut, or a size that lies: left for the reader to find
    sec.crc32c = fr_crc32c(0, data + off + sizeof(sec), sec.size);
    memcpy(data + off, &sec, sizeof(sec));
    off += sizeof(sec) + sec.size;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t *copy = malloc(size ? size : 1);
  if (!copy)
    return 0;
  memcpy(copy, data, size);
  fix_checksums(copy, size);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    size_t done = 0;
    while (done < size) {
      ssize_t n = write(fd, copy + done, size - done);
      if (n <= 0)
        break;
      done += (size_t)n;
    }
    close(fd);
    int status = command->run(nargs, args);
    if (status != FRTOOL_OK && status != FRTOOL_BAD_INPUT)
      abort(); // usage errors cannot come from a file's contents
  }
  free(copy);
  fflush(stdout);
  return 0;
}
