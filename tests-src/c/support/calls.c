/* Traced libc calls shared by the C guests: see calls.h. */
#include "calls.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

/* ---- lines of calls with plain arguments ---- */

void t_call(const char *call, int failed) {
    t_call_str2(call, NULL, NULL, NULL, NULL, failed);
}

void t_call_str(const char *call, const char *key, const char *value, int failed) {
    t_call_str2(call, key, value, NULL, NULL, failed);
}

void t_call_str2(const char *call, const char *k1, const char *v1, const char *k2, const char *v2,
                 int failed) {
    int e = errno;
    t_begin(call);
    if (k1) t_arg_str(k1, v1);
    if (k2) t_arg_str(k2, v2);
    t_result(failed);
    t_end();
    errno = e;
}

void t_call_int(const char *call, const char *key, long long value, int failed) {
    int e = errno;
    t_begin(call);
    t_arg_int(key, value);
    t_result(failed);
    t_end();
    errno = e;
}

void t_end_bytes(ssize_t n, const char *key, const void *buf) {
    int e = errno;
    t_result(n < 0);
    if (n >= 0) t_ret_bytes(key, buf, (size_t)n);
    t_end();
    errno = e;
}

/* ---- stat ---- */

const char *file_type(mode_t m, enum stat_style style) {
    int witx = style == STAT_WITX;
    if (S_ISREG(m)) return witx ? "regular_file" : "regular";
    if (S_ISDIR(m)) return "directory";
    if (S_ISLNK(m)) return witx ? "symbolic_link" : "symlink";
    if (witx && S_ISCHR(m)) return "character_device";
    if (witx && S_ISBLK(m)) return "block_device";
    return "other";
}

void t_ret_stat(const struct stat *st, enum stat_style style) {
    t_ret_str("type", file_type(st->st_mode, style));
    int sized = style == STAT_WITX ? S_ISREG(st->st_mode) : !S_ISDIR(st->st_mode);
    if (sized) t_ret_int("size", (long long)st->st_size);
}

int t_stat_as(const char *call, const char *path, struct stat *out, enum stat_style style) {
    struct stat st;
    errno = 0;
    int r = strcmp(call, "lstat") == 0 ? lstat(path, &st) : stat(path, &st);
    int e = errno;
    t_begin(call);
    t_arg_str("path", path);
    t_result(r != 0);
    if (r == 0) t_ret_stat(&st, style);
    t_end();
    if (out) {
        if (r == 0) *out = st;
        else memset(out, 0, sizeof *out);
    }
    errno = e;
    return r;
}

void t_stat(const char *path) { t_stat_as("stat", path, NULL, STAT_WITX); }

void t_lstat(const char *path) { t_stat_as("lstat", path, NULL, STAT_WITX); }

/* ---- files and directories ---- */

int t_open(const char *path, int flags, const char *flag_names) {
    errno = 0;
    int fd = open(path, flags, 0644);
    t_call_str2("open", "path", path, "flags", flag_names, fd < 0);
    return fd;
}

void t_read_close(int fd, const char *path, size_t max) {
    char buf[256];
    if (max > sizeof buf) max = sizeof buf;
    errno = 0;
    ssize_t n = read(fd, buf, max);
    t_begin("read");
    t_arg_str("path", path);
    t_end_bytes(n, "data", buf);
    close(fd);
}

int t_mkdir(const char *path) {
    errno = 0;
    int r = mkdir(path, 0755);
    t_call_str("mkdir", "path", path, r != 0);
    return r;
}

int t_unlink(const char *path) {
    errno = 0;
    int r = unlink(path);
    t_call_str("unlink", "path", path, r != 0);
    return r;
}

int t_symlink(const char *target, const char *path) {
    errno = 0;
    int r = symlink(target, path);
    t_call_str2("symlink", "target", target, "path", path, r != 0);
    return r;
}
