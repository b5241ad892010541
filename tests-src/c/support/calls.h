/* Traced libc calls that more than one C guest makes (tests-src/c/).
 *
 * Each wrapper makes its call and prints the call's `@@wasi` line
 * (trace.h); the `t_call*` helpers print the line of a call the guest
 * made itself. Both leave errno as the call set it (t_read_close aside,
 * which closes afterwards).
 */
#ifndef WASI_CONFORM_CALLS_H
#define WASI_CONFORM_CALLS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* ---- lines of calls with plain arguments ---- */

/* The line of `call` without arguments: ok, or errno when `failed`. */
void t_call(const char *call, int failed);
/* The same with one string argument. */
void t_call_str(const char *call, const char *key, const char *value, int failed);
/* The same with two string arguments. */
void t_call_str2(const char *call, const char *k1, const char *v1, const char *k2, const char *v2,
                 int failed);
/* The same with one integer argument. */
void t_call_int(const char *call, const char *key, long long value, int failed);
/* Ends a line whose call returned `n` bytes in `buf` (-1: errno): the
 * bytes as `key`. */
void t_end_bytes(ssize_t n, const char *key, const void *buf);

/* ---- stat ---- */

/* How a guest names file types and which sizes its stat lines show. */
enum stat_style {
    /* witx names ("regular_file", "symbolic_link", ...); the size of a
     * regular file only (libc-dir, libc-path) */
    STAT_WITX,
    /* short names ("regular", "symlink"; a device is "other"); every size
     * but a directory's, which is the host's business (libc-file) */
    STAT_SHORT,
};

/* The name of the file type in mode `m`. */
const char *file_type(mode_t m, enum stat_style style);
/* The `type` and `size` results of a stat-family line, after t_ok(). */
void t_ret_stat(const struct stat *st, enum stat_style style);
/* stat of `path`, or lstat when `call` is "lstat", traced as `call`; fills
 * `out` (zeroed on failure) unless NULL; 0 or -1. */
int t_stat_as(const char *call, const char *path, struct stat *out, enum stat_style style);
/* stat and lstat in STAT_WITX style. */
void t_stat(const char *path);
void t_lstat(const char *path);

/* ---- files and directories ---- */

/* open(path, flags, 0644), traced with `flag_names`; the descriptor (never
 * printed) or -1. */
int t_open(const char *path, int flags, const char *flag_names);
/* One read of up to `max` (at most 256) bytes of `fd`, traced as `read` of
 * `path` with the bytes as `data`; then closes `fd` untraced. */
void t_read_close(int fd, const char *path, size_t max);
/* mkdir(path, 0755); 0 or -1. */
int t_mkdir(const char *path);
/* unlink(path); 0 or -1. */
int t_unlink(const char *path);
/* symlink(target, path); 0 or -1. */
int t_symlink(const char *target, const char *path);

#endif
