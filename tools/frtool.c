// SPDX-License-Identifier: Apache-2.0
// frtool.c: the driver: finds the subcommand and runs it.
#include "frtool.h"
#include "fr_reader.h"

#include <stdio.h>
#include <string.h>

static const struct frtool_command *const frtool_commands[] = {
    &frtool_validate,
    &frtool_dump,
    &frtool_summary,
    &frtool_export,
    &frtool_diff,
    &frtool_report,
};

#define FRTOOL_NCOMMANDS (sizeof(frtool_commands) / sizeof(frtool_commands[0]))

static void frtool_help(FILE *out) {
  fprintf(out, "usage: frtool <command> [options] FILE...\n\ncommands:\n");
  for (size_t i = 0; i < FRTOOL_NCOMMANDS; i++)
    fprintf(out, "  %-10s %s\n", frtool_commands[i]->name,
            frtool_commands[i]->summary);
  fprintf(out, "\n'frtool <command> --help' shows a command's options.\n");
}

int frtool_usage_error(const struct frtool_command *cmd, const char *what) {
  fprintf(stderr, "frtool %s: %s\nusage: frtool %s\n", cmd->name, what,
          cmd->usage);
  return FRTOOL_USAGE;
}

void frtool_print_notes(const struct frtool_command *cmd, const char *path,
                        const struct fr_snapshot *s) {
  for (int i = 0; i < s->notes && i < 4; i++)
    fprintf(stderr, "frtool %s: %s: note: %s\n", cmd->name, path, s->note[i]);
  if (s->notes > 4)
    fprintf(stderr, "frtool %s: %s: note: and %d more\n", cmd->name, path,
            s->notes - 4);
}

// The fuzzing harnesses (test/fuzz/) call the commands themselves.
#ifndef FR_VERSION
#define FR_VERSION "unknown"
#endif

#ifndef FRTOOL_NO_MAIN
int main(int argc, char **argv) {
  if (argc < 2) {
    frtool_help(stderr);
    return FRTOOL_USAGE;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
      !strcmp(argv[1], "help")) {
    frtool_help(stdout);
    return FRTOOL_OK;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("frtool %s (reads snapshot formats %d to %d)\n",
           FR_VERSION, FR_FORMAT_VERSION_MIN, FR_FORMAT_VERSION);
    return FRTOOL_OK;
  }
  for (size_t i = 0; i < FRTOOL_NCOMMANDS; i++) {
    const struct frtool_command *cmd = frtool_commands[i];
    if (strcmp(argv[1], cmd->name))
      continue;
    if (argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
      printf("usage: frtool %s\n%s\n", cmd->usage, cmd->summary);
      return FRTOOL_OK;
    }
    return cmd->run(argc - 1, argv + 1);
  }
  fprintf(stderr, "frtool: unknown command '%s'\n", argv[1]);
  frtool_help(stderr);
  return FRTOOL_USAGE;
}
#endif
