/* C guest `c-dirs`: directories through wasi-libc — mkdir/rmdir, the
 * <dirent.h> stream (opendir, readdir, rewinddir, telldir/seekdir,
 * fdopendir, scandir), the *at calls relative to an opened directory
 * (dirfd + openat, fstatat, mkdirat, unlinkat, renameat, linkat, symlinkat,
 * readlinkat) and tree walks (nftw, a hand-written walk on d_type).
 * argv[1] picks the scenario; the cases are tests-src/cases/libc-dir.toml.
 *
 * Listings are printed sorted by the guest, as {"name":"type"} in the
 * `ret` of one `readdir` line; "." and ".." are set aside (hosts differ on
 * whether fd_readdir returns them) and a check verifies that both or
 * neither were listed, and that no name was listed twice.
 *
 * Scenarios (fixture: tests-src/fixtures/tree under the preopen /sandbox):
 *   mkdir-new              mkdir of a new directory, which then lists empty
 *   mkdir-existing         mkdir of an existing dir, file, symlink, dangling symlink -> exist
 *   mkdir-parent-missing   mkdir under a missing dir -> noent, under a file -> notdir
 *   mkdir-p                mkdir -p style loop, twice (ok then exist per component)
 *   mkdir-trailing-slash   mkdir("/sandbox/newdir/") creates newdir
 *   rmdir-empty            rmdir of an empty directory, then stat -> noent
 *   rmdir-nonempty         rmdir of a non-empty directory -> notempty
 *   rmdir-file             rmdir of a regular file -> notdir
 *   rmdir-missing          rmdir of a missing name -> noent
 *   rmdir-symlink          rmdir of a symlink to a directory -> notdir, target kept
 *   unlink-dir             unlink of a directory -> isdir
 *   readdir-root           the preopen's listing with d_type
 *   readdir-subdir         a subdirectory's listing
 *   readdir-empty          an empty directory lists no names
 *   readdir-many           300 created files, each listed exactly once
 *   rewinddir              a second pass after rewinddir lists the same names
 *   rewinddir-sees-changes a file created and one removed show after rewinddir
 *   telldir-seekdir        seekdir(telldir()) in the middle replays the rest
 *   seekdir-many           the same in a 300-entry directory (several fd_readdir calls)
 *   scandir-alphasort      scandir with a filter and alphasort
 *   fdopendir              fdopendir(open(dir, O_DIRECTORY)) lists dir
 *   fdopendir-file         fdopendir on a regular file's descriptor fails
 *   opendir-file           opendir of a regular file -> notdir
 *   opendir-missing        opendir of a missing name -> noent
 *   opendir-symlink-dir    opendir through a symlink to a directory lists the target
 *   dirfd-openat           dirfd + openat / fstatat relative to an opened directory
 *   dirfd-dotdot           openat(dirfd, "../a.txt"), a symlink to ../a.txt: climbing above an opened directory
 *   dirfd-mkdirat-unlinkat mkdirat, unlinkat(AT_REMOVEDIR), unlinkat of a file
 *   dirfd-renameat         renameat between two opened directories
 *   dirfd-linkat           linkat between two opened directories
 *   dirfd-symlinkat        symlinkat + readlinkat relative to an opened directory
 *   dtype-guest-symlink    guest-made symlinks are listed as DT_LNK
 *   nftw-phys              nftw(FTW_PHYS) over the fixture tree
 *   nftw-follow            nftw without FTW_PHYS from a symlink to a directory
 *   walk-dtype             a hand-written recursive walk that descends on DT_DIR
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calls.h"
#include "trace.h"

/* ---- helpers ---- */

static const char *dtype_name(int t) {
    static char other[32];
    switch (t) {
    case DT_REG: return "DT_REG";
    case DT_DIR: return "DT_DIR";
    case DT_LNK: return "DT_LNK";
    case DT_UNKNOWN: return "DT_UNKNOWN";
    case DT_CHR: return "DT_CHR";
    case DT_BLK: return "DT_BLK";
    default:
        snprintf(other, sizeof other, "DT_%d", t);
        return other;
    }
}

#define MAX_ENTRIES 512
#define NAME_LEN 256

struct entry {
    char name[NAME_LEN];
    unsigned char type;
};

static int cmp_entry(const void *a, const void *b) {
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* One directory listing, "." and ".." set aside. */
struct listing {
    struct entry e[MAX_ENTRIES];
    int n;
    int dots, dotdots, overflow;
};

/* Reads the rest of `d` into `l` (appending when `append`); 0, or -1 with
 * errno from readdir. */
static int read_rest(DIR *d, struct listing *l, int append, int limit) {
    if (!append) {
        l->n = l->dots = l->dotdots = l->overflow = 0;
    }
    for (int k = 0; limit < 0 || k < limit; k++) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) return errno ? -1 : 0;
        if (strcmp(de->d_name, ".") == 0) { l->dots++; continue; }
        if (strcmp(de->d_name, "..") == 0) { l->dotdots++; continue; }
        if (l->n == MAX_ENTRIES) { l->overflow = 1; continue; }
        snprintf(l->e[l->n].name, NAME_LEN, "%s", de->d_name);
        l->e[l->n].type = de->d_type;
        l->n++;
    }
    return 0;
}

/* Sorts `l` by name and checks (as `name`) that no name is there twice. */
static void check_unique(struct listing *l, const char *name) {
    qsort(l->e, (size_t)l->n, sizeof l->e[0], cmp_entry);
    int dup = 0;
    for (int i = 1; i < l->n; i++)
        if (strcmp(l->e[i - 1].name, l->e[i].name) == 0) dup = 1;
    check(name, !dup && !l->overflow, NULL);
}

/* The checks every listing gets: . and .. both or neither, each name once. */
static void check_listing(struct listing *l) {
    char detail[64];
    snprintf(detail, sizeof detail, ". listed %d times, .. %d times", l->dots, l->dotdots);
    check("readdir lists both . and .. (once) or neither",
          l->dots == l->dotdots && l->dots <= 1, detail);
    check_unique(l, "readdir lists each name once");
}

/* The line of `call` that listed `l` (failed: with `err`): the sorted
 * names, each with `type_name` of its type. */
static void trace_names(const char *call, const char *path, const char *flags, struct listing *l,
                        int failed, int err, const char *(*type_name)(int)) {
    t_begin(call);
    t_arg_str("path", path);
    if (flags) t_arg_str("flags", flags);
    if (failed) {
        t_err(err);
        t_end();
        return;
    }
    t_ok();
    for (int i = 0; i < l->n; i++) t_ret_str(l->e[i].name, type_name(l->e[i].type));
    t_end();
}

/* The `readdir` line: the sorted names and their d_type. */
static void trace_listing(const char *path, struct listing *l, int failed, int err) {
    trace_names("readdir", path, NULL, l, failed, err, dtype_name);
}

static DIR *t_opendir(const char *path) {
    errno = 0;
    DIR *d = opendir(path);
    t_call_str("opendir", "path", path, d == NULL);
    return d;
}

static void t_closedir(const char *path, DIR *d) {
    errno = 0;
    int r = closedir(d);
    t_call_str("closedir", "path", path, r != 0);
}

/* Reads the whole stream into `l` and prints it (one line), after the
 * checks; 0, or -1 with errno from readdir. */
static int list_into(const char *path, DIR *d, struct listing *l) {
    int r = read_rest(d, l, 0, -1);
    int err = errno;
    if (r == 0) check_listing(l);
    trace_listing(path, l, r != 0, err);
    errno = err;
    return r;
}

/* Reads the whole stream and prints it (one line), then the checks. */
static void list_stream(const char *path, DIR *d) {
    static struct listing l;
    list_into(path, d, &l);
}

/* opendir + list + closedir. */
static void list_dir(const char *path) {
    DIR *d = t_opendir(path);
    if (!d) return;
    list_stream(path, d);
    t_closedir(path, d);
}

static int t_rmdir(const char *path) {
    errno = 0;
    int r = rmdir(path);
    t_call_str("rmdir", "path", path, r != 0);
    return r;
}

/* Creates an empty file, untraced; 0 or -1 with errno. */
static int create_file(const char *path) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    close(fd);
    return 0;
}

/* Creates an empty file, the open traced. */
static void t_create(const char *path) {
    int fd = t_open(path, O_WRONLY | O_CREAT | O_TRUNC, "O_WRONLY|O_CREAT|O_TRUNC");
    if (fd >= 0) close(fd);
}

/* ---- mkdir / rmdir / unlink ---- */

static void mkdir_new(void) {
    if (t_mkdir("/sandbox/newdir") != 0) return;
    t_stat("/sandbox/newdir");
    list_dir("/sandbox/newdir");
}

static void mkdir_existing(void) {
    t_mkdir("/sandbox/dir");
    t_mkdir("/sandbox/a.txt");
    t_mkdir("/sandbox/link-dir");
    t_mkdir("/sandbox/dangling");
}

static void mkdir_parent_missing(void) {
    t_mkdir("/sandbox/nope/x");
    t_mkdir("/sandbox/a.txt/x");
}

/* mkdir -p: every prefix ending before a '/', then the whole path;
 * EEXIST of a prefix is not an error. Each mkdir is traced. */
static int mkdir_p(const char *path) {
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        /* The preopen itself is not created. */
        if (strcmp(buf, "/sandbox") != 0) {
            if (t_mkdir(buf) != 0 && errno != EEXIST) return -1;
        }
        *p = '/';
    }
    if (t_mkdir(buf) != 0 && errno != EEXIST) return -1;
    return 0;
}

static void mkdir_p_twice(void) {
    int r1 = mkdir_p("/sandbox/p/q/r");
    check("mkdir -p succeeds", r1 == 0, NULL);
    int r2 = mkdir_p("/sandbox/p/q/r");
    check("mkdir -p of an existing tree succeeds", r2 == 0, NULL);
    t_stat("/sandbox/p/q/r");
}

static void mkdir_trailing_slash(void) {
    if (t_mkdir("/sandbox/newdir/") != 0) return;
    t_stat("/sandbox/newdir");
}

static void rmdir_empty(void) {
    if (t_rmdir("/sandbox/emptydir") != 0) return;
    t_stat("/sandbox/emptydir");
}

/* Checks (as `name`) that a call returned `r` != 0 with errno `want`. */
static void check_fails(int r, int want, const char *name) {
    int e = errno;
    check(name, r != 0 && e == want, r == 0 ? "it succeeded" : errno_name(e));
}

static void rmdir_nonempty(void) {
    check_fails(t_rmdir("/sandbox/dir"), ENOTEMPTY,
                "rmdir of a non-empty directory fails with notempty");
    t_stat("/sandbox/dir/b.txt");
}

static void rmdir_file(void) {
    t_rmdir("/sandbox/a.txt");
    t_stat("/sandbox/a.txt");
}

static void rmdir_missing(void) { t_rmdir("/sandbox/nope"); }

static void rmdir_symlink(void) {
    t_rmdir("/sandbox/link-dir");
    t_lstat("/sandbox/link-dir");
    t_stat("/sandbox/dir");
}

static void unlink_dir(void) {
    check_fails(t_unlink("/sandbox/dir"), EISDIR, "unlink of a directory fails with isdir");
    t_stat("/sandbox/dir");
}

/* ---- listings ---- */

static void readdir_root(void) { list_dir("/sandbox"); }

static void readdir_subdir(void) { list_dir("/sandbox/dir"); }

static void readdir_empty(void) { list_dir("/sandbox/emptydir"); }

#define MANY 300

/* Creates /sandbox/many/file-000.txt ... file-299.txt; one traced line. */
static int create_many(void) {
    char path[64];
    int failed = 0, err = 0;
    for (int i = 0; i < MANY && !failed; i++) {
        snprintf(path, sizeof path, "/sandbox/many/file-%03d.txt", i);
        errno = 0;
        if (create_file(path) != 0) { failed = 1; err = errno; }
    }
    t_begin("open");
    t_arg_str("path", "/sandbox/many/file-000.txt ... file-299.txt");
    t_arg_str("flags", "O_WRONLY|O_CREAT|O_TRUNC");
    if (failed) t_err(err);
    else t_ok();
    t_end();
    return failed ? -1 : 0;
}

/* Every file-NNN.txt exactly once and nothing else, in the (sorted) `l`. */
static void check_many(const char *what, struct entry *e, int n) {
    static int seen[MANY];
    char detail[128];
    int other = 0, twice = 0, missing = 0;
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < n; i++) {
        int k;
        char tail[8];
        if (sscanf(e[i].name, "file-%3d%7s", &k, tail) == 2 && strcmp(tail, ".txt") == 0 &&
            k >= 0 && k < MANY)
            seen[k]++;
        else
            other++;
    }
    for (int k = 0; k < MANY; k++) {
        if (seen[k] == 0) missing++;
        if (seen[k] > 1) twice++;
    }
    snprintf(detail, sizeof detail, "%s: %d entries, %d missing, %d repeated, %d other",
             what, n, missing, twice, other);
    check("every created name is listed exactly once, nothing else",
          !missing && !twice && !other, detail);
}

static void readdir_many(void) {
    if (create_many() != 0) return;
    DIR *d = t_opendir("/sandbox/many");
    if (!d) return;
    static struct listing l;
    int r = read_rest(d, &l, 0, -1);
    int err = errno;
    t_begin("readdir");
    t_arg_str("path", "/sandbox/many");
    if (r != 0) t_err(err);
    else {
        t_ok();
        t_ret_int("count", l.n);
    }
    t_end();
    if (r == 0) {
        check_listing(&l);
        check_many("readdir", l.e, l.n);
    }
    t_closedir("/sandbox/many", d);
}

static int same_listing(struct listing *a, struct listing *b) {
    if (a->n != b->n) return 0;
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->e[i].name, b->e[i].name) != 0 || a->e[i].type != b->e[i].type) return 0;
    return 1;
}

/* rewinddir, traced (it cannot fail). */
static void t_rewinddir(DIR *d) {
    rewinddir(d);
    t_begin("rewinddir");
    t_ok();
    t_end();
}

static void rewinddir_twice(void) {
    static struct listing first, second;
    DIR *d = t_opendir("/sandbox");
    if (!d) return;
    int r1 = list_into("/sandbox", d, &first);
    t_rewinddir(d);
    int r2 = list_into("/sandbox", d, &second);
    if (r1 == 0 && r2 == 0)
        check("the second pass lists the same names and types", same_listing(&first, &second), NULL);
    t_closedir("/sandbox", d);
}

static void rewinddir_sees_changes(void) {
    DIR *d = t_opendir("/sandbox/dir");
    if (!d) return;
    list_stream("/sandbox/dir", d);
    t_create("/sandbox/dir/new.txt");
    t_unlink("/sandbox/dir/b.txt");
    t_rewinddir(d);
    list_stream("/sandbox/dir", d);
    t_closedir("/sandbox/dir", d);
}

/* Reads `first` entries, telldir, reads the rest (A), seekdir back, reads
 * the rest again (B): A and B must be the same sequence, and the first
 * part plus A the whole directory. Returns the whole listing in `all`
 * (n stays -1 on failure), printed when `print`. */
static void tell_seek(const char *path, int first, struct listing *all, int print) {
    static struct listing head, rest_a, rest_b;
    DIR *d = t_opendir(path);
    if (!d) return;
    int r0 = read_rest(d, &head, 0, first);
    int e0 = errno;
    long pos = telldir(d);
    t_begin("telldir");
    t_arg_str("path", path);
    t_arg_int("after_entries", first);
    if (r0 != 0) t_err(e0);
    else t_ok();
    t_end();
    if (r0 != 0) {
        closedir(d);
        return;
    }
    int ra = read_rest(d, &rest_a, 0, -1);
    int ea = errno;
    seekdir(d, pos);
    t_begin("seekdir");
    t_arg_str("path", path);
    t_ok();
    t_end();
    int rb = read_rest(d, &rest_b, 0, -1);
    int eb = errno;
    t_begin("readdir");
    t_arg_str("path", path);
    t_arg_str("from", "the seekdir position, twice");
    if (ra != 0) t_err(ea);
    else if (rb != 0) t_err(eb);
    else t_ok();
    t_end();
    if (ra != 0 || rb != 0) {
        closedir(d);
        return;
    }
    /* Unsorted: the replay must be the same sequence. */
    int same = rest_a.n == rest_b.n && rest_a.dots == rest_b.dots && rest_a.dotdots == rest_b.dotdots;
    for (int i = 0; same && i < rest_a.n; i++)
        if (strcmp(rest_a.e[i].name, rest_b.e[i].name) != 0) same = 0;
    check("after seekdir(telldir()) the rest of the directory is replayed in the same order", same, NULL);
    /* The whole directory: head + rest. */
    *all = head;
    for (int i = 0; i < rest_a.n && all->n < MAX_ENTRIES; i++) all->e[all->n++] = rest_a.e[i];
    all->dots += rest_a.dots;
    all->dotdots += rest_a.dotdots;
    check_listing(all);
    if (print) trace_listing(path, all, 0, 0);
    t_closedir(path, d);
}

static void telldir_seekdir(void) {
    static struct listing all;
    all.n = -1;
    tell_seek("/sandbox", 4, &all, 1);
}

static void seekdir_many(void) {
    static struct listing all;
    if (create_many() != 0) return;
    all.n = -1;
    tell_seek("/sandbox/many", 150, &all, 0);
    if (all.n >= 0) check_many("head + rest", all.e, all.n);
}

static int not_dot(const struct dirent *de) {
    return strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
}

static int txt_only(const struct dirent *de) {
    size_t n = strlen(de->d_name);
    return n > 4 && strcmp(de->d_name + n - 4, ".txt") == 0;
}

static void t_scandir(const char *path, int (*filter)(const struct dirent *), const char *filter_name) {
    struct dirent **names = NULL;
    errno = 0;
    int n = scandir(path, &names, filter, alphasort);
    char joined[2048];
    size_t used = 0;
    joined[0] = 0;
    for (int i = 0; i < n; i++) {
        int w = snprintf(joined + used, sizeof joined - used, "%s%s", i ? " " : "", names[i]->d_name);
        if (w > 0 && (size_t)w < sizeof joined - used) used += (size_t)w;
        free(names[i]);
    }
    free(names);
    t_begin("scandir");
    t_arg_str("path", path);
    t_arg_str("filter", filter_name);
    t_arg_str("compar", "alphasort");
    t_result(n < 0);
    if (n >= 0) {
        t_ret_int("count", n);
        t_ret_str("names", joined);
    }
    t_end();
}

static void scandir_alphasort(void) {
    t_scandir("/sandbox", not_dot, "not . or ..");
    t_scandir("/sandbox/dir/sub", txt_only, "*.txt");
    t_scandir("/sandbox", txt_only, "*.txt");
}

/* fdopendir of `fd`, the descriptor of `path`. */
static DIR *t_fdopendir(int fd, const char *path) {
    errno = 0;
    DIR *d = fdopendir(fd);
    t_call_str("fdopendir", "path", path, d == NULL);
    return d;
}

static void fdopendir_dir(void) {
    int fd = t_open("/sandbox/dir", O_RDONLY | O_DIRECTORY, "O_RDONLY|O_DIRECTORY");
    if (fd < 0) return;
    DIR *d = t_fdopendir(fd, "/sandbox/dir");
    if (!d) {
        close(fd);
        return;
    }
    check("dirfd returns the descriptor given to fdopendir", dirfd(d) == fd, NULL);
    list_stream("/sandbox/dir", d);
    t_closedir("/sandbox/dir", d);
}

static void fdopendir_file(void) {
    int fd = t_open("/sandbox/a.txt", O_RDONLY, "O_RDONLY");
    if (fd < 0) return;
    DIR *d = t_fdopendir(fd, "/sandbox/a.txt");
    if (d) closedir(d);
    else close(fd);
}

static void opendir_file(void) { list_dir("/sandbox/a.txt"); }

static void opendir_missing(void) {
    list_dir("/sandbox/nope");
    list_dir("/nowhere");
}

static void opendir_symlink_dir(void) { list_dir("/sandbox/link-dir"); }

/* ---- *at calls on an opened directory ---- */

/* Starts the line of a call on `name` relative to the opened `dir`. */
static void begin_at(const char *call, const char *dir, const char *name) {
    t_begin(call);
    t_arg_str("dir", dir);
    t_arg_str("path", name);
}

/* openat(dfd, name, O_RDONLY), then one read of it; 0 or -1. */
static int t_openat_read(int dfd, const char *dir, const char *name) {
    errno = 0;
    int fd = openat(dfd, name, O_RDONLY);
    t_call_str2("openat", "dir", dir, "path", name, fd < 0);
    if (fd < 0) return -1;
    t_read_close(fd, name, 128);
    return 0;
}

static void t_fstatat(int dfd, const char *dir, const char *name, int flags) {
    struct stat st;
    errno = 0;
    int r = fstatat(dfd, name, &st, flags);
    begin_at("fstatat", dir, name);
    t_arg_str("flags", flags & AT_SYMLINK_NOFOLLOW ? "AT_SYMLINK_NOFOLLOW" : "0");
    t_result(r != 0);
    if (r == 0) t_ret_stat(&st, STAT_WITX);
    t_end();
}

static void t_unlinkat(int dfd, const char *dir, const char *name, int flags) {
    errno = 0;
    int r = unlinkat(dfd, name, flags);
    begin_at("unlinkat", dir, name);
    t_arg_str("flags", flags & AT_REMOVEDIR ? "AT_REMOVEDIR" : "0");
    t_result(r != 0);
    t_end();
}

static void dirfd_openat(void) {
    DIR *d = t_opendir("/sandbox/dir");
    if (!d) return;
    int dfd = dirfd(d);
    t_openat_read(dfd, "/sandbox/dir", "b.txt");
    t_openat_read(dfd, "/sandbox/dir", "sub/c.txt");
    t_fstatat(dfd, "/sandbox/dir", "sub", 0);
    t_fstatat(dfd, "/sandbox/dir", "up-a", AT_SYMLINK_NOFOLLOW);
    t_fstatat(dfd, "/sandbox/dir", "nope", 0);
    t_closedir("/sandbox/dir", d);
}

/* The host gets the opened directory's descriptor and the name as given:
 * ".." or a symlink climbing above that directory (though still inside
 * the preopen) leaves the directory the capability names. */
static void dirfd_dotdot(void) {
    DIR *d = t_opendir("/sandbox/dir");
    if (!d) return;
    int dfd = dirfd(d);
    t_openat_read(dfd, "/sandbox/dir", "../a.txt");
    t_openat_read(dfd, "/sandbox/dir", "up-a");
    t_fstatat(dfd, "/sandbox/dir", "up-a", 0);
    t_openat_read(dfd, "/sandbox/dir", "sub/../b.txt");
    t_closedir("/sandbox/dir", d);
}

static void dirfd_mkdirat_unlinkat(void) {
    DIR *d = t_opendir("/sandbox/dir");
    if (!d) return;
    int dfd = dirfd(d);
    errno = 0;
    int r = mkdirat(dfd, "made", 0755);
    t_call_str2("mkdirat", "dir", "/sandbox/dir", "path", "made", r != 0);
    t_fstatat(dfd, "/sandbox/dir", "made", 0);
    t_unlinkat(dfd, "/sandbox/dir", "made", AT_REMOVEDIR);
    t_fstatat(dfd, "/sandbox/dir", "made", 0);
    t_unlinkat(dfd, "/sandbox/dir", "sub", AT_REMOVEDIR);
    t_unlinkat(dfd, "/sandbox/dir", "sub/c.txt", 0);
    t_unlinkat(dfd, "/sandbox/dir", "sub", AT_REMOVEDIR);
    t_unlinkat(dfd, "/sandbox/dir", "b.txt", AT_REMOVEDIR);
    t_closedir("/sandbox/dir", d);
}

/* Opens /sandbox and /sandbox/dir (traced); 0, or -1 with neither open. */
static int open_root_and_dir(DIR **root, DIR **sub) {
    *root = t_opendir("/sandbox");
    if (!*root) return -1;
    *sub = t_opendir("/sandbox/dir");
    if (!*sub) {
        closedir(*root);
        return -1;
    }
    return 0;
}

/* Closes what open_root_and_dir opened (traced), /sandbox/dir first. */
static void close_root_and_dir(DIR *root, DIR *sub) {
    t_closedir("/sandbox/dir", sub);
    t_closedir("/sandbox", root);
}

/* Starts the line of a call from `old` in `olddir` to `new` in `newdir`. */
static void begin_at2(const char *call, const char *olddir, const char *old, const char *newdir,
                      const char *new) {
    t_begin(call);
    t_arg_str("olddir", olddir);
    t_arg_str("old", old);
    t_arg_str("newdir", newdir);
    t_arg_str("new", new);
}

/* renameat from the stream `from` (`olddir`) to the stream `to` (`newdir`). */
static void t_renameat(DIR *from, const char *olddir, const char *old, DIR *to, const char *newdir,
                       const char *new) {
    errno = 0;
    int r = renameat(dirfd(from), old, dirfd(to), new);
    begin_at2("renameat", olddir, old, newdir, new);
    t_result(r != 0);
    t_end();
}

static void dirfd_renameat(void) {
    DIR *root, *sub;
    if (open_root_and_dir(&root, &sub) != 0) return;
    t_renameat(sub, "/sandbox/dir", "b.txt", root, "/sandbox", "moved.txt");
    t_renameat(root, "/sandbox", "empty.txt", sub, "/sandbox/dir", "sub/empty-moved.txt");
    t_fstatat(dirfd(root), "/sandbox", "moved.txt", 0);
    t_fstatat(dirfd(sub), "/sandbox/dir", "b.txt", 0);
    close_root_and_dir(root, sub);
}

static void dirfd_linkat(void) {
    DIR *root, *sub;
    if (open_root_and_dir(&root, &sub) != 0) return;
    errno = 0;
    int r = linkat(dirfd(sub), "b.txt", dirfd(root), "b-hard.txt", 0);
    begin_at2("linkat", "/sandbox/dir", "b.txt", "/sandbox", "b-hard.txt");
    t_arg_int("flags", 0);
    t_result(r != 0);
    t_end();
    if (r == 0) {
        t_openat_read(dirfd(root), "/sandbox", "b-hard.txt");
        struct stat a, b;
        int ok = fstatat(dirfd(sub), "b.txt", &a, 0) == 0 &&
                 fstatat(dirfd(root), "b-hard.txt", &b, 0) == 0;
        check("the hard link and its source are the same file (st_dev, st_ino)",
              ok && a.st_dev == b.st_dev && a.st_ino == b.st_ino, NULL);
    }
    close_root_and_dir(root, sub);
}

static void t_readlinkat(int dfd, const char *dir, const char *name) {
    char buf[256];
    errno = 0;
    ssize_t n = readlinkat(dfd, name, buf, sizeof buf);
    begin_at("readlinkat", dir, name);
    t_end_bytes(n, "target", buf);
}

static void dirfd_symlinkat(void) {
    DIR *d = t_opendir("/sandbox/dir");
    if (!d) return;
    int dfd = dirfd(d);
    errno = 0;
    int r = symlinkat("b.txt", dfd, "b-sym");
    t_begin("symlinkat");
    t_arg_str("target", "b.txt");
    t_arg_str("dir", "/sandbox/dir");
    t_arg_str("path", "b-sym");
    t_result(r != 0);
    t_end();
    t_readlinkat(dfd, "/sandbox/dir", "b-sym");
    t_openat_read(dfd, "/sandbox/dir", "b-sym");
    t_readlinkat(dfd, "/sandbox/dir", "up-a");
    t_readlinkat(dfd, "/sandbox/dir", "b.txt");
    t_closedir("/sandbox/dir", d);
}

static void dtype_guest_symlink(void) {
    t_symlink("b.txt", "/sandbox/dir/new-file-link");
    t_symlink("sub", "/sandbox/dir/new-dir-link");
    t_symlink("nowhere", "/sandbox/dir/new-dangling");
    list_dir("/sandbox/dir");
}

/* ---- walks ---- */

static struct listing walked;
static const char *walk_root;

static int walk_cb(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    if (walked.n == MAX_ENTRIES) {
        walked.overflow = 1;
        return 0;
    }
    size_t rl = strlen(walk_root);
    const char *rel = strncmp(path, walk_root, rl) == 0 ? path + rl : path;
    while (*rel == '/') rel++;
    snprintf(walked.e[walked.n].name, NAME_LEN, "%s", *rel ? rel : ".");
    walked.e[walked.n].type = (unsigned char)type;
    walked.n++;
    return 0;
}

static const char *ftw_name(int t) {
    switch (t) {
    case FTW_F: return "FTW_F";
    case FTW_D: return "FTW_D";
    case FTW_DNR: return "FTW_DNR";
    case FTW_NS: return "FTW_NS";
    case FTW_SL: return "FTW_SL";
    case FTW_DP: return "FTW_DP";
    case FTW_SLN: return "FTW_SLN";
    default: return "other";
    }
}

static void t_nftw(const char *root, int flags, const char *flag_names) {
    walked.n = walked.overflow = 0;
    walk_root = root;
    errno = 0;
    int r = nftw(root, walk_cb, 16, flags);
    int err = errno;
    check_unique(&walked, "nftw reports each path once");
    trace_names("nftw", root, flag_names, &walked, r != 0, err, ftw_name);
}

static void nftw_phys(void) { t_nftw("/sandbox", FTW_PHYS, "FTW_PHYS"); }

static void nftw_follow(void) { t_nftw("/sandbox/link-dir", 0, "0"); }

/* A recursive walk on readdir alone: descends where d_type is DT_DIR. */
static int walk_dir(const char *abs, const char *rel, int depth) {
    DIR *d = opendir(abs);
    if (!d) return -1;
    struct dirent *de;
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de) break;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        char child_abs[PATH_MAX], child_rel[PATH_MAX];
        snprintf(child_abs, sizeof child_abs, "%s/%s", abs, de->d_name);
        snprintf(child_rel, sizeof child_rel, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        if (walked.n < MAX_ENTRIES) {
            snprintf(walked.e[walked.n].name, NAME_LEN, "%s", child_rel);
            walked.e[walked.n].type = de->d_type;
            walked.n++;
        } else {
            walked.overflow = 1;
        }
        if (de->d_type == DT_DIR && depth < 8) {
            if (walk_dir(child_abs, child_rel, depth + 1) != 0) {
                int e = errno;
                closedir(d);
                errno = e;
                return -1;
            }
        }
    }
    int e = errno;
    closedir(d);
    errno = e;
    return e ? -1 : 0;
}

static void walk_dtype(void) {
    walked.n = walked.overflow = 0;
    errno = 0;
    int r = walk_dir("/sandbox", "", 0);
    int err = errno;
    check_unique(&walked, "the walk reports each path once");
    trace_names("walk", "/sandbox", NULL, &walked, r != 0, err, dtype_name);
}

int main(int argc, char **argv) {
    static const struct scenario scenarios[] = {
        {"mkdir-new", mkdir_new},
        {"mkdir-existing", mkdir_existing},
        {"mkdir-parent-missing", mkdir_parent_missing},
        {"mkdir-p", mkdir_p_twice},
        {"mkdir-trailing-slash", mkdir_trailing_slash},
        {"rmdir-empty", rmdir_empty},
        {"rmdir-nonempty", rmdir_nonempty},
        {"rmdir-file", rmdir_file},
        {"rmdir-missing", rmdir_missing},
        {"rmdir-symlink", rmdir_symlink},
        {"unlink-dir", unlink_dir},
        {"readdir-root", readdir_root},
        {"readdir-subdir", readdir_subdir},
        {"readdir-empty", readdir_empty},
        {"readdir-many", readdir_many},
        {"rewinddir", rewinddir_twice},
        {"rewinddir-sees-changes", rewinddir_sees_changes},
        {"telldir-seekdir", telldir_seekdir},
        {"seekdir-many", seekdir_many},
        {"scandir-alphasort", scandir_alphasort},
        {"fdopendir", fdopendir_dir},
        {"fdopendir-file", fdopendir_file},
        {"opendir-file", opendir_file},
        {"opendir-missing", opendir_missing},
        {"opendir-symlink-dir", opendir_symlink_dir},
        {"dirfd-openat", dirfd_openat},
        {"dirfd-dotdot", dirfd_dotdot},
        {"dirfd-mkdirat-unlinkat", dirfd_mkdirat_unlinkat},
        {"dirfd-renameat", dirfd_renameat},
        {"dirfd-linkat", dirfd_linkat},
        {"dirfd-symlinkat", dirfd_symlinkat},
        {"dtype-guest-symlink", dtype_guest_symlink},
        {"nftw-phys", nftw_phys},
        {"nftw-follow", nftw_follow},
        {"walk-dtype", walk_dtype},
        {0, 0},
    };
    return run_scenario(argc, argv, scenarios);
}
