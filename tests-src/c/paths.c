/* C guest `c-paths`: path resolution through wasi-libc — how libc maps an
 * absolute path to a preopen (longest prefix, whole components only), what
 * it leaves to the host (`.`, `..`, symlinks, trailing slashes), its
 * emulated working directory (getcwd, chdir, relative paths) and realpath.
 * argv[1] picks the scenario; the cases are tests-src/cases/libc-path.toml.
 *
 * Scenarios (fixture: tests-src/fixtures/tree under the preopen /sandbox
 * unless the case says otherwise):
 *   abs-open               open + read /sandbox/a.txt, /sandbox/dir/sub/c.txt
 *   preopen-root           stat/open of the preopen itself (/sandbox, /sandbox/)
 *   no-preopen             a path under no preopen (/nowhere/a.txt, /a.txt, /) -> noent
 *   partial-component      /sandboxx/a.txt, /sand/a.txt: prefixes match whole components only
 *   relative-initial-cwd   a.txt, ./a.txt with the initial cwd "/" -> noent; sandbox/a.txt ok
 *   dotdot-escape          /sandbox/../canary.txt is refused
 *   dotdot-deep-escape     /sandbox/dir/../../canary.txt is refused
 *   dotdot-inside          /sandbox/dir/../a.txt, /sandbox/dir/sub/../b.txt open
 *   double-slash           //sandbox//a.txt, /sandbox//dir///b.txt open
 *   dot-components         /sandbox/./a.txt, /sandbox/dir/./sub/./c.txt open
 *   trailing-slash-file    /sandbox/a.txt/ -> notdir (open and stat)
 *   trailing-slash-dir     /sandbox/dir/ opens and stats as a directory
 *   symlink-file           link-a is followed by open and stat, not by lstat
 *   symlink-dir            link-dir/b.txt opens, link-dir stats as a directory
 *   symlink-dotdot-inside  dir/up-a (-> ../a.txt) is followed, also via link-dir
 *   symlink-absolute-guest a symlink to "/sandbox/a.txt" is not followed
 *   symlink-absolute-host  a symlink to "/etc/passwd" is not followed
 *   symlink-escape         symlinks to ../canary.txt and ../../canary.txt are not followed
 *   symlink-loop           loop1 -> loop2 -> loop1: open and stat fail with loop
 *   symlink-dangling       dangling: open/stat noent, lstat ok
 *   getcwd-initial         getcwd() is "/" before any chdir; a short buffer is range
 *   chdir-preopen          chdir("/sandbox"), then relative names resolve under it
 *   chdir-subdir           chdir("/sandbox/dir/sub"), then c.txt opens
 *   chdir-relative         chdir("/sandbox"), chdir("dir"), chdir("sub") step down
 *   chdir-file             chdir to a file -> notdir, cwd unchanged
 *   chdir-missing          chdir to a missing dir / to no preopen -> noent, cwd unchanged
 *   chdir-dotdot-open      after chdir("/sandbox/dir"), ../a.txt opens
 *   chdir-dotdot           chdir("../..") from dir/sub, then a.txt opens
 *   chdir-symlink          chdir("/sandbox/link-dir"), then b.txt opens
 *   chdir-escape           chdir("/sandbox/..") is refused
 *   relative-create        after chdir("/sandbox/dir"), mkdir/creat of relative names
 *   realpath-absolute      realpath of absolute names with . .. // and a trailing /
 *   realpath-relative      realpath of relative names after chdir
 *   realpath-symlink       realpath resolves symlinks inside the sandbox
 *   realpath-missing       realpath of a missing file and of a dangling link -> noent
 *   realpath-loop          realpath of loop1 -> loop
 *   two-preopens-nested    /sandbox and /sandbox/dir: the longer prefix is chosen
 *   two-preopens-disjoint  /sandbox and /data (= dir): each name reaches its own
 *   two-preopens-chdir     chdir between two preopens
 *   preopen-dot            a preopen named "." serves relative and absolute names
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "calls.h"
#include "trace.h"

/* ---- helpers: one traced libc call each ---- */

/* open(path, O_RDONLY), then read its contents (traced) and close. */
static void open_read(const char *path) {
    int fd = t_open(path, O_RDONLY, "O_RDONLY");
    if (fd >= 0) t_read_close(fd, path, 256);
}

/* open(path, O_RDONLY|O_DIRECTORY), then close. */
static void open_dir(const char *path) {
    int fd = t_open(path, O_RDONLY | O_DIRECTORY, "O_RDONLY|O_DIRECTORY");
    if (fd >= 0) close(fd);
}

static int t_chdir(const char *path) {
    errno = 0;
    int r = chdir(path);
    t_call_str("chdir", "path", path, r != 0);
    return r;
}

/* getcwd into `buf` of `size` bytes. */
static void t_getcwd_in(char *buf, size_t size) {
    errno = 0;
    char *r = getcwd(buf, size);
    t_begin("getcwd");
    t_arg_int("size", (long long)size);
    t_result(r == NULL);
    if (r) t_ret_str("cwd", r);
    t_end();
}

static void t_getcwd(void) {
    char buf[PATH_MAX];
    t_getcwd_in(buf, sizeof buf);
}

static void t_realpath(const char *path) {
    char buf[PATH_MAX];
    errno = 0;
    char *r = realpath(path, buf);
    t_begin("realpath");
    t_arg_str("path", path);
    t_result(r == NULL);
    if (r) t_ret_str("resolved", r);
    t_end();
}

/* ---- preopen lookup ---- */

static void abs_open(void) {
    open_read("/sandbox/a.txt");
    open_read("/sandbox/dir/sub/c.txt");
    t_stat("/sandbox/dir/b.txt");
}

static void preopen_root(void) {
    t_stat("/sandbox");
    t_stat("/sandbox/");
    open_dir("/sandbox");
}

static void no_preopen(void) {
    open_read("/nowhere/a.txt");
    open_read("/a.txt");
    t_stat("/");
}

static void partial_component(void) {
    open_read("/sandboxx/a.txt");
    open_read("/sand/a.txt");
    t_stat("/sandbox.txt");
}

static void relative_initial_cwd(void) {
    open_read("a.txt");
    open_read("./a.txt");
    open_read("sandbox/a.txt");
}

/* ---- . and .. ---- */

static void dotdot_escape(void) { open_read("/sandbox/../canary.txt"); }

static void dotdot_deep_escape(void) { open_read("/sandbox/dir/../../canary.txt"); }

static void dotdot_inside(void) {
    open_read("/sandbox/dir/../a.txt");
    open_read("/sandbox/dir/sub/../b.txt");
    t_stat("/sandbox/dir/..");
}

static void double_slash(void) {
    open_read("//sandbox//a.txt");
    open_read("/sandbox//dir///b.txt");
    t_stat("///sandbox///dir");
}

static void dot_components(void) {
    open_read("/sandbox/./a.txt");
    open_read("/sandbox/dir/./sub/./c.txt");
    t_stat("/sandbox/.");
}

static void trailing_slash_file(void) {
    open_read("/sandbox/a.txt/");
    t_stat("/sandbox/a.txt/");
}

static void trailing_slash_dir(void) {
    open_dir("/sandbox/dir/");
    t_stat("/sandbox/dir/");
    open_read("/sandbox/dir/sub//c.txt");
}

/* ---- symlinks ---- */

static void symlink_file(void) {
    open_read("/sandbox/link-a");
    t_stat("/sandbox/link-a");
    t_lstat("/sandbox/link-a");
}

static void symlink_dir(void) {
    open_read("/sandbox/link-dir/b.txt");
    t_stat("/sandbox/link-dir");
    t_lstat("/sandbox/link-dir");
    open_dir("/sandbox/link-dir");
}

static void symlink_dotdot_inside(void) {
    open_read("/sandbox/dir/up-a");
    t_stat("/sandbox/link-dir/up-a");
}

static void symlink_absolute_guest(void) {
    t_lstat("/sandbox/abs-link");
    open_read("/sandbox/abs-link");
    t_stat("/sandbox/abs-link");
}

static void symlink_absolute_host(void) {
    t_lstat("/sandbox/host-link");
    open_read("/sandbox/host-link");
    t_stat("/sandbox/host-link");
}

static void symlink_escape(void) {
    open_read("/sandbox/out");
    open_read("/sandbox/dir/deep-out");
    t_stat("/sandbox/out");
}

static void symlink_loop(void) {
    open_read("/sandbox/loop1");
    t_stat("/sandbox/loop1");
    t_lstat("/sandbox/loop1");
}

static void symlink_dangling(void) {
    open_read("/sandbox/dangling");
    t_stat("/sandbox/dangling");
    t_lstat("/sandbox/dangling");
}

/* ---- the emulated working directory ---- */

static void getcwd_initial(void) {
    t_getcwd();
    char small[1];
    t_getcwd_in(small, sizeof small);
}

static void chdir_preopen(void) {
    if (t_chdir("/sandbox") != 0) return;
    t_getcwd();
    open_read("a.txt");
    open_read("dir/b.txt");
    open_read("./a.txt");
    t_stat(".");
}

static void chdir_subdir(void) {
    if (t_chdir("/sandbox/dir/sub") != 0) return;
    t_getcwd();
    open_read("c.txt");
}

static void chdir_relative(void) {
    if (t_chdir("/sandbox") != 0) return;
    if (t_chdir("dir") != 0) return;
    t_getcwd();
    if (t_chdir("sub") != 0) return;
    t_getcwd();
    open_read("c.txt");
}

static void chdir_file(void) {
    t_chdir("/sandbox/a.txt");
    t_getcwd();
}

static void chdir_missing(void) {
    t_chdir("/sandbox/nope");
    t_chdir("/nowhere");
    t_getcwd();
}

static void chdir_dotdot_open(void) {
    if (t_chdir("/sandbox/dir") != 0) return;
    open_read("../a.txt");
    t_stat("../dir");
    open_read("sub/../b.txt");
}

static void chdir_dotdot(void) {
    if (t_chdir("/sandbox/dir/sub") != 0) return;
    if (t_chdir("../..") != 0) return;
    open_read("a.txt");
    t_stat("dir");
}

static void chdir_symlink(void) {
    if (t_chdir("/sandbox/link-dir") != 0) return;
    t_getcwd();
    open_read("b.txt");
}

static void chdir_escape(void) {
    t_chdir("/sandbox/..");
    t_getcwd();
}

static void relative_create(void) {
    if (t_chdir("/sandbox/dir") != 0) return;
    t_mkdir("made");
    int fd = t_open("made/new.txt", O_WRONLY | O_CREAT | O_EXCL, "O_WRONLY|O_CREAT|O_EXCL");
    if (fd >= 0) {
        errno = 0;
        ssize_t n = write(fd, "new\n", 4);
        t_begin("write");
        t_arg_str("path", "made/new.txt");
        t_result(n < 0);
        if (n >= 0) t_ret_int("written", n);
        t_end();
        close(fd);
    }
    open_read("/sandbox/dir/made/new.txt");
}

/* ---- realpath ---- */

static void realpath_absolute(void) {
    t_realpath("/sandbox/a.txt");
    t_realpath("/sandbox/dir/../dir/./sub//c.txt");
    t_realpath("/sandbox");
    t_realpath("/sandbox/dir/");
}

static void realpath_relative(void) {
    if (t_chdir("/sandbox/dir") != 0) return;
    t_realpath("b.txt");
    t_realpath("../a.txt");
    t_realpath(".");
    t_realpath("sub/c.txt");
}

static void realpath_symlink(void) {
    t_realpath("/sandbox/link-a");
    t_realpath("/sandbox/link-dir/sub/c.txt");
    t_realpath("/sandbox/dir/up-a");
}

static void realpath_missing(void) {
    t_realpath("/sandbox/missing.txt");
    t_realpath("/sandbox/dangling");
    t_realpath("/sandbox/nodir/x.txt");
}

static void realpath_loop(void) { t_realpath("/sandbox/loop1"); }

/* ---- several preopens ---- */

static void two_preopens_nested(void) {
    open_read("/sandbox/a.txt");
    open_read("/sandbox/dir/b.txt");
    open_read("/sandbox/dir/sub/c.txt");
    /* libc picks the longer prefix /sandbox/dir and hands the host
     * "../a.txt" relative to that preopen: a climb out of it. */
    open_read("/sandbox/dir/../a.txt");
}

static void two_preopens_disjoint(void) {
    open_read("/data/b.txt");
    open_read("/data/sub/c.txt");
    open_read("/sandbox/dir/b.txt");
    t_stat("/data");
    t_stat("/data/a.txt");
    open_read("/data/../a.txt");
}

static void two_preopens_chdir(void) {
    if (t_chdir("/data") != 0) return;
    open_read("b.txt");
    if (t_chdir("/sandbox") != 0) return;
    t_getcwd();
    open_read("a.txt");
    if (t_chdir("/data/sub") != 0) return;
    t_getcwd();
    open_read("c.txt");
}

static void preopen_dot(void) {
    t_getcwd();
    open_read("a.txt");
    open_read("/a.txt");
    open_read("dir/b.txt");
}

int main(int argc, char **argv) {
    static const struct scenario scenarios[] = {
        {"abs-open", abs_open},
        {"preopen-root", preopen_root},
        {"no-preopen", no_preopen},
        {"partial-component", partial_component},
        {"relative-initial-cwd", relative_initial_cwd},
        {"dotdot-escape", dotdot_escape},
        {"dotdot-deep-escape", dotdot_deep_escape},
        {"dotdot-inside", dotdot_inside},
        {"double-slash", double_slash},
        {"dot-components", dot_components},
        {"trailing-slash-file", trailing_slash_file},
        {"trailing-slash-dir", trailing_slash_dir},
        {"symlink-file", symlink_file},
        {"symlink-dir", symlink_dir},
        {"symlink-dotdot-inside", symlink_dotdot_inside},
        {"symlink-absolute-guest", symlink_absolute_guest},
        {"symlink-absolute-host", symlink_absolute_host},
        {"symlink-escape", symlink_escape},
        {"symlink-loop", symlink_loop},
        {"symlink-dangling", symlink_dangling},
        {"getcwd-initial", getcwd_initial},
        {"chdir-preopen", chdir_preopen},
        {"chdir-subdir", chdir_subdir},
        {"chdir-relative", chdir_relative},
        {"chdir-file", chdir_file},
        {"chdir-missing", chdir_missing},
        {"chdir-dotdot-open", chdir_dotdot_open},
        {"chdir-dotdot", chdir_dotdot},
        {"chdir-symlink", chdir_symlink},
        {"chdir-escape", chdir_escape},
        {"relative-create", relative_create},
        {"realpath-absolute", realpath_absolute},
        {"realpath-relative", realpath_relative},
        {"realpath-symlink", realpath_symlink},
        {"realpath-missing", realpath_missing},
        {"realpath-loop", realpath_loop},
        {"two-preopens-nested", two_preopens_nested},
        {"two-preopens-disjoint", two_preopens_disjoint},
        {"two-preopens-chdir", two_preopens_chdir},
        {"preopen-dot", preopen_dot},
        {0, 0},
    };
    return run_scenario(argc, argv, scenarios);
}
