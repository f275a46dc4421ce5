// SPDX-License-Identifier: Apache-2.0
// frtool.h: what every frtool subcommand gets from the driver.
#ifndef FRTOOL_H
#define FRTOOL_H

// Exit statuses shared by all subcommands.
enum {
  FRTOOL_OK = 0,
  FRTOOL_BAD_INPUT = 1, // unreadable, foreign, truncated or corrupt snapshot
  FRTOOL_USAGE = 2,
};

struct frtool_command {
  const char *name;
  const char *summary;
  const char *usage;
  int (*run)(int argc, char **argv); // argv[0] is the subcommand
};

extern const struct frtool_command frtool_validate;
extern const struct frtool_command frtool_dump;
extern const struct frtool_command frtool_summary;
extern const struct frtool_command frtool_export;
extern const struct frtool_command frtool_diff;
extern const struct frtool_command frtool_report;

int frtool_usage_error(const struct frtool_command *cmd, const char *what);

struct fr_snapshot;
// What the reader skipped without it being a defect (a newer writer's
// sections and events), as one line on stderr; nothing when it skipped
// nothing.
void frtool_print_notes(const struct frtool_command *cmd, const char *path,
                        const struct fr_snapshot *s);

// cmd_summary.c: the summary of an analysis of s as JSON (what --json
// prints), for the report.
#include <stdint.h>
#include <stdio.h>
struct fr_analysis;
void fr_summary_json(const struct fr_snapshot *s, struct fr_analysis *a,
                     uint32_t top, FILE *out);

#endif
