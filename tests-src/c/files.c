/* C guest `c-files`: files through wasi-libc. Every scenario runs in the
 * sandbox preopened at /sandbox (fixture `tree`: a.txt = "hello\n",
 * empty.txt, dir/b.txt, dir/sub/c.txt, link-a -> a.txt, link-dir -> dir,
 * dangling -> missing.txt, loop1 <-> loop2; some cases add `emptydir` or
 * `lines.txt`). argv[1] picks the scenario:
 *
 *   fopen modes     fopen-r-read fopen-r-missing fopen-w-truncates
 *                   fopen-w-creates fopen-w-missing-dir fopen-a-appends
 *                   fopen-a-ignores-fseek fopen-r-plus-overwrite
 *                   fopen-w-plus-roundtrip fopen-a-plus-read-start
 *                   fopen-wx-existing fopen-wx-new fopen-r-directory
 *                   fopen-w-directory fopen-binary-roundtrip
 *   stdio streams   fgets-lines fprintf-fflush-size fwrite-large
 *                   fread-short-eof fseek-ftell-end rewind-reread
 *                   ftell-append
 *   lseek           lseek-whence lseek-hole lseek-negative
 *   open() flags    open-creat-excl open-trunc open-append open-append-offset
 *                   open-directory-on-file open-nofollow-symlink
 *                   open-rdonly-write open-wronly-read open-directory-rdwr
 *   descriptor I/O  pread-keeps-offset pwrite-keeps-offset ftruncate-grow
 *                   ftruncate-shrink fsync-fdatasync posix-fallocate
 *                   posix-fadvise fcntl-getfl-append fcntl-setfl-append
 *   stat            stat-regular stat-directory lstat-symlink stat-missing
 *                   stat-dangling
 *   names           unlink-file unlink-missing unlink-directory
 *                   rename-over-file rename-file-onto-dir link-hard
 *                   link-nlink symlink-readlink readlink-not-symlink
 *                   access-modes utimensat-explicit utimensat-nanoseconds
 *                   futimens-explicit
 *                   utimensat-omit truncate-path remove-file
 *                   remove-empty-dir
 *
 * Traced values are the deterministic ones only (bytes, sizes, offsets,
 * file types); descriptor numbers, inodes and times are never printed —
 * times and link counts are checked in the guest instead. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calls.h"
#include "trace.h"

#define A_TXT "/sandbox/a.txt"
#define NEW_TXT "/sandbox/new.txt"

/* ---- helpers: one traced call each ---------------------------------- */

static FILE *t_fopen(const char *path, const char *mode) {
    errno = 0;
    FILE *f = fopen(path, mode);
    t_begin("fopen");
    t_arg_str("path", path);
    t_arg_str("mode", mode);
    t_result(f == NULL);
    t_end();
    return f;
}

static void t_fclose(FILE *f) {
    if (!f) return;
    errno = 0;
    int r = fclose(f);
    t_call("fclose", r != 0);
}

/* fread of up to `n` bytes: the bytes and whether eof/error followed. */
static void t_fread(FILE *f, size_t n) {
    static char buf[256];
    if (n > sizeof buf) n = sizeof buf;
    errno = 0;
    size_t got = fread(buf, 1, n, f);
    int err = ferror(f);
    t_begin("fread");
    t_arg_int("size", (long long)n);
    if (err) {
        t_err(errno);
    } else {
        t_ok();
        t_ret_bytes("bytes", buf, got);
        t_ret_bool("eof", feof(f) != 0);
    }
    t_end();
}

static void t_fputs(FILE *f, const char *s) {
    errno = 0;
    int r = fputs(s, f);
    t_call_str("fputs", "s", s, r == EOF);
}

/* fwrite of the `size` bytes at `data` (members of one byte). */
static void t_fwrite(FILE *f, const void *data, size_t size) {
    errno = 0;
    size_t n = fwrite(data, 1, size, f);
    t_begin("fwrite");
    t_arg_int("size", (long long)size);
    t_result(n != size);
    if (n == size) t_ret_int("n", (long long)n);
    t_end();
}

static void t_fseek(FILE *f, long off, int whence, const char *wname) {
    errno = 0;
    int r = fseek(f, off, whence);
    t_begin("fseek");
    t_arg_int("offset", off);
    t_arg_str("whence", wname);
    t_result(r != 0);
    t_end();
}

static void t_ftell(FILE *f) {
    errno = 0;
    long r = ftell(f);
    t_begin("ftell");
    t_result(r < 0);
    if (r >= 0) t_ret_int("offset", r);
    t_end();
}

static void t_close(int fd) {
    if (fd < 0) return;
    errno = 0;
    int r = close(fd);
    t_call("close", r != 0);
}

static void t_read(int fd, size_t n) {
    static char buf[256];
    if (n > sizeof buf) n = sizeof buf;
    errno = 0;
    ssize_t got = read(fd, buf, n);
    t_begin("read");
    t_arg_int("size", (long long)n);
    t_end_bytes(got, "bytes", buf);
}

static void t_write(int fd, const char *s) {
    errno = 0;
    ssize_t n = write(fd, s, strlen(s));
    t_begin("write");
    t_arg_str("data", s);
    t_result(n < 0);
    if (n >= 0) t_ret_int("n", n);
    t_end();
}

static off_t t_lseek(int fd, off_t off, int whence, const char *wname) {
    errno = 0;
    off_t r = lseek(fd, off, whence);
    t_begin("lseek");
    t_arg_int("offset", (long long)off);
    t_arg_str("whence", wname);
    /* A runtime whose fd_seek succeeds with an offset past INT64_MAX
     * (a negative one wrapped) gives a negative result without errno:
     * shown as that value. */
    if (r < 0 && errno != 0) {
        t_err(errno);
    } else {
        t_ok();
        t_ret_int("offset", (long long)r);
    }
    t_end();
    return r;
}

static void t_fstat(int fd, struct stat *out) {
    struct stat st;
    errno = 0;
    int r = fstat(fd, &st);
    t_begin("fstat");
    t_result(r != 0);
    if (r == 0) {
        t_ret_str("type", file_type(st.st_mode, STAT_SHORT));
        t_ret_int("size", (long long)st.st_size);
    }
    t_end();
    if (out) {
        if (r == 0) *out = st;
        else memset(out, 0, sizeof *out);
    }
}

/* stat and lstat of `path` with libc-file's short type names. */
static void t_stat_short(const char *path) { t_stat_as("stat", path, NULL, STAT_SHORT); }
static void t_lstat_short(const char *path) { t_stat_as("lstat", path, NULL, STAT_SHORT); }

/* The whole file at `path` read back with open/read (traced as
 * "read-back"). */
static void read_back(const char *path) {
    static char buf[512];
    int fd = open(path, O_RDONLY);
    size_t used = 0;
    int failed = fd < 0;
    while (!failed && used < sizeof buf) {
        ssize_t n = read(fd, buf + used, sizeof buf - used);
        if (n < 0) failed = 1;
        else if (n == 0) break;
        else used += (size_t)n;
    }
    int e = errno;
    if (fd >= 0) close(fd);
    t_begin("read-back");
    t_arg_str("path", path);
    if (failed) {
        t_err(e);
    } else {
        t_ok();
        t_ret_bytes("bytes", buf, used);
    }
    t_end();
}

/* fopen(path, mode), one fread of up to `n` bytes, fclose. */
static void fopen_fread(const char *path, const char *mode, size_t n) {
    FILE *f = t_fopen(path, mode);
    if (!f) return;
    t_fread(f, n);
    t_fclose(f);
}

/* fopen(path, mode), fputs(s), fclose, then the file read back. */
static void fopen_fputs(const char *path, const char *mode, const char *s) {
    FILE *f = t_fopen(path, mode);
    if (!f) return;
    t_fputs(f, s);
    t_fclose(f);
    read_back(path);
}

/* ---- fopen modes --------------------------------------------------- */

static void fopen_r_read(void) { fopen_fread(A_TXT, "r", 100); }

static void fopen_r_missing(void) { t_fopen("/sandbox/missing.txt", "r"); }

static void fopen_w_truncates(void) { fopen_fputs(A_TXT, "w", "new\n"); }

static void fopen_w_creates(void) { fopen_fputs(NEW_TXT, "w", "created\n"); }

static void fopen_w_missing_dir(void) { t_fopen("/sandbox/nodir/x.txt", "w"); }

static void fopen_a_appends(void) { fopen_fputs(A_TXT, "a", "more\n"); }

static void fopen_a_ignores_fseek(void) {
    FILE *f = t_fopen(A_TXT, "a");
    if (!f) return;
    t_fseek(f, 0, SEEK_SET, "SEEK_SET");
    t_fputs(f, "X");
    t_fclose(f);
    read_back(A_TXT);
}

static void fopen_r_plus_overwrite(void) {
    FILE *f = t_fopen(A_TXT, "r+");
    if (!f) return;
    t_fputs(f, "HE");
    t_fseek(f, 0, SEEK_SET, "SEEK_SET");
    t_fread(f, 100);
    t_fclose(f);
}

static void fopen_w_plus_roundtrip(void) {
    FILE *f = t_fopen(A_TXT, "w+");
    if (!f) return;
    t_fputs(f, "abc");
    errno = 0;
    rewind(f);
    t_fread(f, 100);
    t_fclose(f);
}

static void fopen_a_plus_read_start(void) {
    FILE *f = t_fopen(A_TXT, "a+");
    if (!f) return;
    t_fread(f, 3);
    t_fputs(f, "!\n");
    t_fseek(f, 0, SEEK_SET, "SEEK_SET");
    t_fread(f, 100);
    t_fclose(f);
}

static void fopen_wx_existing(void) { t_fopen(A_TXT, "wx"); read_back(A_TXT); }

static void fopen_wx_new(void) {
    FILE *f = t_fopen(NEW_TXT, "wx");
    if (!f) return;
    t_fputs(f, "x\n");
    t_fclose(f);
    t_fopen(NEW_TXT, "wx");
}

static void fopen_r_directory(void) { fopen_fread("/sandbox/dir", "r", 10); }

static void fopen_w_directory(void) {
    FILE *f = t_fopen("/sandbox/dir", "w");
    t_fclose(f);
}

static void fopen_binary_roundtrip(void) {
    static const unsigned char data[] = {0x00, 0xff, '\r', '\n', 0x1a, 0x80, 'z', 0x00};
    FILE *f = t_fopen("/sandbox/bin.dat", "wb");
    if (!f) return;
    t_fwrite(f, data, sizeof data);
    t_fclose(f);
    fopen_fread("/sandbox/bin.dat", "rb", 100);
}

/* ---- stdio streams ------------------------------------------------- */

static void fgets_lines(void) {
    FILE *f = t_fopen("/sandbox/lines.txt", "r");
    if (!f) return;
    char buf[64];
    for (int i = 0; i < 4; i++) {
        errno = 0;
        char *r = fgets(buf, sizeof buf, f);
        t_begin("fgets");
        if (!r && ferror(f)) {
            t_err(errno);
        } else {
            t_ok();
            if (r) t_ret_str("line", buf);
            else t_ret_bool("eof", feof(f) != 0);
        }
        t_end();
    }
    t_fclose(f);
}

static void fprintf_fflush_size(void) {
    FILE *f = t_fopen(NEW_TXT, "w");
    if (!f) return;
    errno = 0;
    int n = fprintf(f, "%s=%d\n", "answer", 42);
    t_begin("fprintf");
    t_arg_str("format", "%s=%d\\n");
    t_result(n < 0);
    if (n >= 0) t_ret_int("ret", n);
    t_end();
    errno = 0;
    int r = fflush(f);
    t_call("fflush", r != 0);
    /* After fflush the bytes are in the file, before fclose. */
    t_stat_short(NEW_TXT);
    t_fclose(f);
}

static void fwrite_large(void) {
    enum { SIZE = 64 * 1024 + 1 };
    unsigned char *data = malloc(SIZE);
    unsigned char *back = malloc(SIZE);
    if (!data || !back) {
        check("buffers allocated", 0, NULL);
        return;
    }
    for (size_t i = 0; i < SIZE; i++) data[i] = (unsigned char)(i * 7 + (i >> 8));
    FILE *f = t_fopen("/sandbox/big.dat", "wb");
    if (!f) return;
    t_fwrite(f, data, SIZE);
    t_fclose(f);
    f = t_fopen("/sandbox/big.dat", "rb");
    if (!f) return;
    errno = 0;
    size_t got = fread(back, 1, SIZE, f);
    t_begin("fread");
    t_arg_int("size", SIZE);
    t_result(ferror(f));
    if (!ferror(f)) t_ret_int("n", (long long)got);
    t_end();
    check("the bytes read back equal the bytes written",
          got == SIZE && memcmp(data, back, SIZE) == 0, NULL);
    t_fclose(f);
    free(data);
    free(back);
}

static void fread_short_eof(void) {
    FILE *f = t_fopen(A_TXT, "r");
    if (!f) return;
    t_fread(f, 4);
    t_fread(f, 100);
    t_fread(f, 100);
    t_fclose(f);
}

static void fseek_ftell_end(void) {
    FILE *f = t_fopen(A_TXT, "r");
    if (!f) return;
    t_fseek(f, 0, SEEK_END, "SEEK_END");
    t_ftell(f);
    t_fseek(f, 2, SEEK_SET, "SEEK_SET");
    t_ftell(f);
    t_fread(f, 2);
    t_fseek(f, -1, SEEK_CUR, "SEEK_CUR");
    t_ftell(f);
    t_fread(f, 100);
    t_fclose(f);
}

static void rewind_reread(void) {
    FILE *f = t_fopen(A_TXT, "r");
    if (!f) return;
    t_fread(f, 100);
    rewind(f);
    t_ftell(f);
    t_fread(f, 100);
    t_fclose(f);
}

static void ftell_append(void) {
    FILE *f = t_fopen(A_TXT, "a");
    if (!f) return;
    t_fputs(f, "12345");
    t_ftell(f);
    t_fclose(f);
}

/* ---- lseek --------------------------------------------------------- */

static void lseek_whence(void) {
    int fd = t_open(A_TXT, O_RDONLY, "O_RDONLY");
    if (fd < 0) return;
    t_lseek(fd, 0, SEEK_CUR, "SEEK_CUR");
    t_lseek(fd, 1, SEEK_SET, "SEEK_SET");
    t_lseek(fd, 2, SEEK_CUR, "SEEK_CUR");
    t_read(fd, 1);
    t_lseek(fd, -2, SEEK_END, "SEEK_END");
    t_read(fd, 100);
    t_lseek(fd, 0, SEEK_CUR, "SEEK_CUR");
    t_close(fd);
}

static void lseek_hole(void) {
    int fd = t_open(A_TXT, O_RDWR, "O_RDWR");
    if (fd < 0) return;
    t_lseek(fd, 10, SEEK_END, "SEEK_END");
    t_write(fd, "X");
    t_fstat(fd, NULL);
    t_lseek(fd, 6, SEEK_SET, "SEEK_SET");
    t_read(fd, 100);
    t_close(fd);
}

static void lseek_negative(void) {
    int fd = t_open(A_TXT, O_RDONLY, "O_RDONLY");
    if (fd < 0) return;
    t_lseek(fd, 3, SEEK_SET, "SEEK_SET");
    t_lseek(fd, -1, SEEK_SET, "SEEK_SET");
    t_lseek(fd, -10, SEEK_CUR, "SEEK_CUR");
    /* A failed lseek leaves the offset where it was. */
    t_lseek(fd, 0, SEEK_CUR, "SEEK_CUR");
    t_close(fd);
}

/* ---- open() flags -------------------------------------------------- */

static void open_creat_excl(void) {
    int fd = t_open(NEW_TXT, O_WRONLY | O_CREAT | O_EXCL, "O_WRONLY|O_CREAT|O_EXCL");
    if (fd >= 0) t_write(fd, "first\n");
    t_close(fd);
    fd = t_open(NEW_TXT, O_WRONLY | O_CREAT | O_EXCL, "O_WRONLY|O_CREAT|O_EXCL");
    t_close(fd);
}

static void open_trunc(void) {
    int fd = t_open(A_TXT, O_WRONLY | O_TRUNC, "O_WRONLY|O_TRUNC");
    if (fd < 0) return;
    t_fstat(fd, NULL);
    t_write(fd, "hi\n");
    t_close(fd);
}

static void open_append(void) {
    int fd = t_open(A_TXT, O_WRONLY | O_APPEND, "O_WRONLY|O_APPEND");
    if (fd < 0) return;
    t_write(fd, "one\n");
    t_lseek(fd, 0, SEEK_SET, "SEEK_SET");
    t_write(fd, "two\n");
    t_close(fd);
    read_back(A_TXT);
}

/* POSIX: with O_APPEND the offset is set to the end before each write,
 * so after it the offset is the new end of the file. */
static void open_append_offset(void) {
    int fd = t_open(A_TXT, O_RDWR | O_APPEND, "O_RDWR|O_APPEND");
    if (fd < 0) return;
    t_lseek(fd, 0, SEEK_CUR, "SEEK_CUR");
    t_write(fd, "one\n");
    t_lseek(fd, 0, SEEK_CUR, "SEEK_CUR");
    t_lseek(fd, 2, SEEK_SET, "SEEK_SET");
    t_write(fd, "two\n");
    t_lseek(fd, 0, SEEK_CUR, "SEEK_CUR");
    t_close(fd);
}

static void open_directory_on_file(void) {
    int fd = t_open(A_TXT, O_RDONLY | O_DIRECTORY, "O_RDONLY|O_DIRECTORY");
    t_close(fd);
}

static void open_nofollow_symlink(void) {
    int fd = t_open("/sandbox/link-a", O_RDONLY | O_NOFOLLOW, "O_RDONLY|O_NOFOLLOW");
    t_close(fd);
}

static void open_rdonly_write(void) {
    int fd = t_open(A_TXT, O_RDONLY, "O_RDONLY");
    if (fd < 0) return;
    t_write(fd, "nope");
    t_close(fd);
}

static void open_wronly_read(void) {
    int fd = t_open(A_TXT, O_WRONLY, "O_WRONLY");
    if (fd < 0) return;
    t_read(fd, 10);
    t_close(fd);
}

static void open_directory_rdwr(void) {
    int fd = t_open("/sandbox/dir", O_RDWR, "O_RDWR");
    t_close(fd);
}

/* ---- descriptor I/O ------------------------------------------------ */

static void pread_keeps_offset(void) {
    int fd = t_open(A_TXT, O_RDONLY, "O_RDONLY");
    if (fd < 0) return;
    t_read(fd, 1);
    char buf[16];
    errno = 0;
    ssize_t n = pread(fd, buf, 3, 2);
    t_begin("pread");
    t_arg_int("size", 3);
    t_arg_int("offset", 2);
    t_end_bytes(n, "bytes", buf);
    t_lseek(fd, 0, SEEK_CUR, "SEEK_CUR");
    t_read(fd, 100);
    t_close(fd);
}

static void pwrite_keeps_offset(void) {
    int fd = t_open(A_TXT, O_RDWR, "O_RDWR");
    if (fd < 0) return;
    t_read(fd, 2);
    errno = 0;
    ssize_t n = pwrite(fd, "LL", 2, 2);
    t_begin("pwrite");
    t_arg_str("data", "LL");
    t_arg_int("offset", 2);
    t_result(n < 0);
    if (n >= 0) t_ret_int("n", n);
    t_end();
    t_lseek(fd, 0, SEEK_CUR, "SEEK_CUR");
    t_read(fd, 100);
    t_close(fd);
}

/* ftruncate of a.txt to `len`, then fstat and a read: the offset stays at
 * 0, so the whole file, zeros included. */
static void ftruncate_to(off_t len) {
    int fd = t_open(A_TXT, O_RDWR, "O_RDWR");
    if (fd < 0) return;
    errno = 0;
    int r = ftruncate(fd, len);
    t_call_int("ftruncate", "length", (long long)len, r != 0);
    t_fstat(fd, NULL);
    t_read(fd, 100);
    t_close(fd);
}

static void ftruncate_grow(void) { ftruncate_to(9); }

static void ftruncate_shrink(void) { ftruncate_to(3); }

static void fsync_fdatasync(void) {
    int fd = t_open(NEW_TXT, O_WRONLY | O_CREAT, "O_WRONLY|O_CREAT");
    if (fd < 0) return;
    t_write(fd, "synced\n");
    errno = 0;
    int r = fsync(fd);
    t_call("fsync", r != 0);
    errno = 0;
    r = fdatasync(fd);
    t_call("fdatasync", r != 0);
    t_close(fd);
}

/* posix_fallocate returns the error instead of setting errno. Whether a
 * runtime implements fd_allocate is its choice (notsup or nosys); when
 * it does, the file is at least offset+len bytes long and its content
 * unchanged. */
static void posix_fallocate_case(void) {
    int fd = t_open(A_TXT, O_RDWR, "O_RDWR");
    if (fd < 0) return;
    int r = posix_fallocate(fd, 0, 16);
    char detail[64];
    snprintf(detail, sizeof detail, "returned %s", errno_name(r));
    check("posix_fallocate succeeds or reports itself unsupported (notsup, nosys)",
          r == 0 || r == ENOTSUP || r == ENOSYS, detail);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        check("fstat after posix_fallocate", 0, errno_name(errno));
    } else {
        /* Allocated: at least offset+len; unsupported: unchanged. */
        snprintf(detail, sizeof detail, "returned %s, size %lld", errno_name(r),
                 (long long)st.st_size);
        check("the size after posix_fallocate fits its result",
              r == 0 ? st.st_size >= 16 : st.st_size == 6, detail);
    }
    errno = 0;
    int back = pread(fd, detail, 6, 0) == 6 && memcmp(detail, "hello\n", 6) == 0;
    check("posix_fallocate keeps the content", back, NULL);
    /* Back to the fixture's size, so the sandbox ends the same whichever
     * outcome the runtime chose. */
    check("ftruncate back to the original size", ftruncate(fd, 6) == 0, errno_name(errno));
    t_close(fd);
}

static void posix_fadvise_case(void) {
    static const struct { int advice; const char *name; } all[] = {
        {POSIX_FADV_NORMAL, "POSIX_FADV_NORMAL"},
        {POSIX_FADV_SEQUENTIAL, "POSIX_FADV_SEQUENTIAL"},
        {POSIX_FADV_RANDOM, "POSIX_FADV_RANDOM"},
        {POSIX_FADV_WILLNEED, "POSIX_FADV_WILLNEED"},
        {POSIX_FADV_DONTNEED, "POSIX_FADV_DONTNEED"},
        {POSIX_FADV_NOREUSE, "POSIX_FADV_NOREUSE"},
    };
    int fd = t_open(A_TXT, O_RDONLY, "O_RDONLY");
    if (fd < 0) return;
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        int r = posix_fadvise(fd, 0, 6, all[i].advice);
        t_begin("posix_fadvise");
        t_arg_str("advice", all[i].name);
        if (r == 0) t_ok();
        else t_err(r);
        t_end();
    }
    t_read(fd, 100);
    t_close(fd);
}

static void t_getfl_append(int fd) {
    errno = 0;
    int fl = fcntl(fd, F_GETFL);
    t_begin("fcntl");
    t_arg_str("cmd", "F_GETFL");
    t_result(fl < 0);
    if (fl >= 0) t_ret_bool("O_APPEND", (fl & O_APPEND) != 0);
    t_end();
}

static void fcntl_getfl_append(void) {
    int fd = t_open(A_TXT, O_WRONLY | O_APPEND, "O_WRONLY|O_APPEND");
    if (fd < 0) return;
    t_getfl_append(fd);
    t_close(fd);
    fd = t_open(A_TXT, O_WRONLY, "O_WRONLY");
    if (fd < 0) return;
    t_getfl_append(fd);
    t_close(fd);
}

static void fcntl_setfl_append(void) {
    int fd = t_open(A_TXT, O_RDWR, "O_RDWR");
    if (fd < 0) return;
    errno = 0;
    int r = fcntl(fd, F_SETFL, O_APPEND);
    t_begin("fcntl");
    t_arg_str("cmd", "F_SETFL");
    t_arg_str("flags", "O_APPEND");
    t_result(r < 0);
    t_end();
    t_getfl_append(fd);
    t_write(fd, "tail\n");
    t_close(fd);
}

/* ---- stat ---------------------------------------------------------- */

static void stat_regular(void) {
    struct stat by_path, by_fd;
    t_stat_as("stat", A_TXT, &by_path, STAT_SHORT);
    int fd = t_open(A_TXT, O_RDONLY, "O_RDONLY");
    if (fd < 0) return;
    t_fstat(fd, &by_fd);
    check("stat and fstat agree on the size", by_path.st_size == by_fd.st_size, NULL);
    check("stat and fstat agree on the file", by_path.st_ino == by_fd.st_ino &&
          by_path.st_dev == by_fd.st_dev, NULL);
    t_close(fd);
}

static void stat_directory(void) {
    t_stat_short("/sandbox/dir");
    t_stat_short("/sandbox/dir/sub");
    t_stat_short("/sandbox");
}

static void lstat_symlink(void) {
    /* lstat: the link itself, its size the length of "a.txt"; stat: the
     * target. */
    t_lstat_short("/sandbox/link-a");
    t_stat_short("/sandbox/link-a");
    t_lstat_short("/sandbox/link-dir");
    t_stat_short("/sandbox/link-dir");
}

static void stat_missing(void) {
    t_stat_short("/sandbox/missing.txt");
    t_lstat_short("/sandbox/missing.txt");
    t_stat_short("/sandbox/nodir/x");
}

static void stat_dangling(void) {
    t_stat_short("/sandbox/dangling");
    t_lstat_short("/sandbox/dangling");
}

/* ---- names --------------------------------------------------------- */

static void unlink_file(void) {
    t_unlink(A_TXT);
    t_stat_short(A_TXT);
}

static void unlink_missing(void) { t_unlink("/sandbox/missing.txt"); }

static void unlink_directory(void) {
    t_unlink("/sandbox/emptydir");
    t_stat_short("/sandbox/emptydir");
}

/* `fn` (rename, link) of `from` to `to`, traced as `call`. */
static void t_old_new(const char *call, int (*fn)(const char *, const char *), const char *from,
                      const char *to) {
    errno = 0;
    int r = fn(from, to);
    t_call_str2(call, "old", from, "new", to, r != 0);
}

static void t_rename(const char *from, const char *to) { t_old_new("rename", rename, from, to); }

static void rename_over_file(void) {
    t_rename(A_TXT, "/sandbox/empty.txt");
    t_stat_short(A_TXT);
    read_back("/sandbox/empty.txt");
}

static void rename_file_onto_dir(void) {
    t_rename(A_TXT, "/sandbox/emptydir");
    t_stat_short(A_TXT);
    t_stat_short("/sandbox/emptydir");
}

static void t_link(const char *from, const char *to) { t_old_new("link", link, from, to); }

static void link_hard(void) {
    t_link(A_TXT, "/sandbox/hard.txt");
    read_back("/sandbox/hard.txt");
    /* A write through one name shows through the other. */
    int fd = t_open("/sandbox/hard.txt", O_WRONLY | O_APPEND, "O_WRONLY|O_APPEND");
    if (fd >= 0) t_write(fd, "both\n");
    t_close(fd);
    read_back(A_TXT);
    t_unlink(A_TXT);
    read_back("/sandbox/hard.txt");
}

/* Link counts include host links the guest cannot see
 * (WebAssembly/wasi-filesystem#181), so the checks are relative: a fresh
 * file has at least one, link adds one on both names, unlink takes it
 * away again. */
static void link_nlink(void) {
    int fd = t_open(NEW_TXT, O_WRONLY | O_CREAT, "O_WRONLY|O_CREAT");
    t_close(fd);
    struct stat st;
    char detail[64];
    unsigned long long fresh = 0;
    if (stat(NEW_TXT, &st) == 0) {
        fresh = st.st_nlink;
        snprintf(detail, sizeof detail, "st_nlink %llu", fresh);
        check("a fresh file has st_nlink at least 1", fresh >= 1, detail);
    } else {
        check("stat of the fresh file", 0, errno_name(errno));
    }
    t_link(NEW_TXT, "/sandbox/new2.txt");
    struct stat a, b;
    if (stat(NEW_TXT, &a) == 0 && stat("/sandbox/new2.txt", &b) == 0) {
        snprintf(detail, sizeof detail, "st_nlink %llu, then %llu and %llu", fresh,
                 (unsigned long long)a.st_nlink, (unsigned long long)b.st_nlink);
        check("after link both names have st_nlink one more",
              a.st_nlink == fresh + 1 && b.st_nlink == fresh + 1, detail);
        check("both names are the same file", a.st_ino == b.st_ino && a.st_dev == b.st_dev, NULL);
    } else {
        check("stat of both names", 0, errno_name(errno));
    }
    t_unlink("/sandbox/new2.txt");
    if (stat(NEW_TXT, &st) == 0) {
        snprintf(detail, sizeof detail, "st_nlink %llu, then %llu", fresh,
                 (unsigned long long)st.st_nlink);
        check("after unlinking one name st_nlink is back", st.st_nlink == fresh, detail);
    } else {
        check("stat after unlink of the other name", 0, errno_name(errno));
    }
}

static void t_readlink(const char *path) {
    char buf[64];
    errno = 0;
    ssize_t n = readlink(path, buf, sizeof buf);
    t_begin("readlink");
    t_arg_str("path", path);
    t_end_bytes(n, "target", buf);
}

static void symlink_readlink(void) {
    t_symlink("dir/b.txt", "/sandbox/sl");
    t_readlink("/sandbox/sl");
    t_lstat_short("/sandbox/sl");
    read_back("/sandbox/sl");
    /* A dangling target is stored as given. */
    t_symlink("nowhere/x", "/sandbox/sl2");
    t_readlink("/sandbox/sl2");
}

static void readlink_not_symlink(void) {
    t_readlink(A_TXT);
    t_readlink("/sandbox/missing.txt");
}

static void t_access(const char *path, int mode, const char *mname) {
    errno = 0;
    int r = access(path, mode);
    t_call_str2("access", "path", path, "mode", mname, r != 0);
}

static void access_modes(void) {
    t_access(A_TXT, F_OK, "F_OK");
    t_access(A_TXT, R_OK, "R_OK");
    t_access(A_TXT, R_OK | W_OK, "R_OK|W_OK");
    t_access("/sandbox/dir", R_OK, "R_OK");
    t_access("/sandbox/missing.txt", F_OK, "F_OK");
    t_access("/sandbox/dangling", F_OK, "F_OK");
}

/* Checks that `path` has the given times (never printed). */
static void check_times(const char *path, long long asec, long anse, long long msec, long mnse) {
    struct stat st;
    char detail[128];
    if (stat(path, &st) != 0) {
        check("stat after setting the times", 0, errno_name(errno));
        return;
    }
    snprintf(detail, sizeof detail, "atime %lld.%09ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
    check("stat shows the access time that was set",
          st.st_atim.tv_sec == asec && st.st_atim.tv_nsec == anse, detail);
    snprintf(detail, sizeof detail, "mtime %lld.%09ld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    check("stat shows the modification time that was set",
          st.st_mtim.tv_sec == msec && st.st_mtim.tv_nsec == mnse, detail);
}

/* utimensat of a.txt with `ts`; 0 or -1. */
static int t_utimensat(const struct timespec ts[2]) {
    errno = 0;
    int r = utimensat(AT_FDCWD, A_TXT, ts, 0);
    t_call_str("utimensat", "path", A_TXT, r != 0);
    return r;
}

static void utimensat_explicit(void) {
    struct timespec ts[2] = {{1000000000, 0}, {1234567890, 0}};
    if (t_utimensat(ts) == 0) check_times(A_TXT, 1000000000, 0, 1234567890, 0);
}

/* Sub-second parts survive on a host file system with nanosecond
 * timestamps (a conversion through a double loses them). */
static void utimensat_nanoseconds(void) {
    struct timespec ts[2] = {{1500000000, 250000000}, {1234567890, 123456789}};
    if (t_utimensat(ts) == 0) check_times(A_TXT, 1500000000, 250000000, 1234567890, 123456789);
}

static void futimens_explicit(void) {
    int fd = t_open(A_TXT, O_RDWR, "O_RDWR");
    if (fd < 0) return;
    struct timespec ts[2] = {{1500000000, 0}, {1600000000, 0}};
    errno = 0;
    int r = futimens(fd, ts);
    t_call("futimens", r != 0);
    t_close(fd);
    if (r == 0) check_times(A_TXT, 1500000000, 0, 1600000000, 0);
}

static void utimensat_omit(void) {
    struct timespec both[2] = {{1000000000, 0}, {1100000000, 0}};
    t_utimensat(both);
    /* UTIME_OMIT keeps the access time; only the modification time moves. */
    struct timespec omit[2] = {{0, UTIME_OMIT}, {1200000000, 0}};
    if (t_utimensat(omit) == 0) check_times(A_TXT, 1000000000, 0, 1200000000, 0);
}

/* truncate(path, len). */
static void t_truncate(const char *path, off_t len) {
    errno = 0;
    int r = truncate(path, len);
    t_begin("truncate");
    t_arg_str("path", path);
    t_arg_int("length", (long long)len);
    t_result(r != 0);
    t_end();
}

static void truncate_path(void) {
    t_truncate(A_TXT, 2);
    t_stat_short(A_TXT);
    t_truncate("/sandbox/missing.txt", 2);
}

static void t_remove(const char *path) {
    errno = 0;
    int r = remove(path);
    t_call_str("remove", "path", path, r != 0);
}

static void remove_file(void) {
    t_remove(A_TXT);
    t_stat_short(A_TXT);
    t_remove("/sandbox/missing.txt");
}

static void remove_empty_dir(void) {
    t_remove("/sandbox/emptydir");
    t_stat_short("/sandbox/emptydir");
}

int main(int argc, char **argv) {
    static const struct scenario scenarios[] = {
        {"fopen-r-read", fopen_r_read},
        {"fopen-r-missing", fopen_r_missing},
        {"fopen-w-truncates", fopen_w_truncates},
        {"fopen-w-creates", fopen_w_creates},
        {"fopen-w-missing-dir", fopen_w_missing_dir},
        {"fopen-a-appends", fopen_a_appends},
        {"fopen-a-ignores-fseek", fopen_a_ignores_fseek},
        {"fopen-r-plus-overwrite", fopen_r_plus_overwrite},
        {"fopen-w-plus-roundtrip", fopen_w_plus_roundtrip},
        {"fopen-a-plus-read-start", fopen_a_plus_read_start},
        {"fopen-wx-existing", fopen_wx_existing},
        {"fopen-wx-new", fopen_wx_new},
        {"fopen-r-directory", fopen_r_directory},
        {"fopen-w-directory", fopen_w_directory},
        {"fopen-binary-roundtrip", fopen_binary_roundtrip},
        {"fgets-lines", fgets_lines},
        {"fprintf-fflush-size", fprintf_fflush_size},
        {"fwrite-large", fwrite_large},
        {"fread-short-eof", fread_short_eof},
        {"fseek-ftell-end", fseek_ftell_end},
        {"rewind-reread", rewind_reread},
        {"ftell-append", ftell_append},
        {"lseek-whence", lseek_whence},
        {"lseek-hole", lseek_hole},
        {"lseek-negative", lseek_negative},
        {"open-creat-excl", open_creat_excl},
        {"open-trunc", open_trunc},
        {"open-append", open_append},
        {"open-append-offset", open_append_offset},
        {"open-directory-on-file", open_directory_on_file},
        {"open-nofollow-symlink", open_nofollow_symlink},
        {"open-rdonly-write", open_rdonly_write},
        {"open-wronly-read", open_wronly_read},
        {"open-directory-rdwr", open_directory_rdwr},
        {"pread-keeps-offset", pread_keeps_offset},
        {"pwrite-keeps-offset", pwrite_keeps_offset},
        {"ftruncate-grow", ftruncate_grow},
        {"ftruncate-shrink", ftruncate_shrink},
        {"fsync-fdatasync", fsync_fdatasync},
        {"posix-fallocate", posix_fallocate_case},
        {"posix-fadvise", posix_fadvise_case},
        {"fcntl-getfl-append", fcntl_getfl_append},
        {"fcntl-setfl-append", fcntl_setfl_append},
        {"stat-regular", stat_regular},
        {"stat-directory", stat_directory},
        {"lstat-symlink", lstat_symlink},
        {"stat-missing", stat_missing},
        {"stat-dangling", stat_dangling},
        {"unlink-file", unlink_file},
        {"unlink-missing", unlink_missing},
        {"unlink-directory", unlink_directory},
        {"rename-over-file", rename_over_file},
        {"rename-file-onto-dir", rename_file_onto_dir},
        {"link-hard", link_hard},
        {"link-nlink", link_nlink},
        {"symlink-readlink", symlink_readlink},
        {"readlink-not-symlink", readlink_not_symlink},
        {"access-modes", access_modes},
        {"utimensat-explicit", utimensat_explicit},
        {"utimensat-nanoseconds", utimensat_nanoseconds},
        {"futimens-explicit", futimens_explicit},
        {"utimensat-omit", utimensat_omit},
        {"truncate-path", truncate_path},
        {"remove-file", remove_file},
        {"remove-empty-dir", remove_empty_dir},
        {0, 0},
    };
    return run_scenario(argc, argv, scenarios);
}
