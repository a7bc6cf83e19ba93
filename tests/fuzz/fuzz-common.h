/* fuzz-common.h: what the libFuzzer targets of arbdash share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* The entry points libFuzzer calls (-fsanitize=fuzzer links its main). */
int  LLVMFuzzerInitialize   (int *argc, char ***argv);
int  LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Once per process: a CRITICAL (a g_return_if_fail that failed: a bug) or
 * an ERROR aborts, so that libFuzzer keeps the input; other log lines are
 * dropped, as they would only slow the run down. */
void        fuzz_init          (void);
/* A new folder for the run's files, in $ARB_FUZZ_TMPDIR, else in RAM
 * (/dev/shm) where there is one, so that SQLite's fsyncs cost nothing;
 * removed with its files at exit (not after a crash). */
const char *fuzz_tmp_dir       (void);
/* Runs what the main context has ready, without blocking. */
void        fuzz_drain         (void);
/* With ARB_FUZZ_STRICT_OUTPUT=1, text the dashboard writes must be valid
 * UTF-8 (and so a valid WebSocket text frame): aborts otherwise. */
gboolean    fuzz_strict_output (void);
void        fuzz_check_output  (const char *what,
                                const char *text,
                                gssize      len);
/* @text must be one JSON value that json-glib parses back: aborts otherwise. */
void        fuzz_check_json    (const char *what,
                                const char *text);
/* Overwrites @path in place (same inode, so descriptors held open see the
 * new content), creating it and its folders when missing. */
void        fuzz_write_file    (const char *path,
                                const void *data,
                                gsize       len);

/* Calls @func for each line of @data (without its '\n'). */
typedef void (*FuzzLineFunc) (const char *line, gsize len, gpointer user_data);
void        fuzz_foreach_line  (const uint8_t *data,
                                size_t         size,
                                FuzzLineFunc   func,
                                gpointer       user_data);

G_END_DECLS
