/* C guest `c-proc`: process, environment, signals and randomness through
 * wasi-libc. argv[1] picks the scenario; some read more arguments.
 *
 * Exit:
 *   exit N             prints a partial line (fully buffered stdout), then
 *                      exit(N): the line must be flushed, status N
 *   return-main        main returns 3 (an atexit handler runs first)
 *   _Exit              _Exit(5): atexit handlers do not run
 *   atexit-order       three atexit handlers run in reverse order at exit(0),
 *                      their buffered output flushed
 *   abort              abort(): wasi-libc traps (no case yet: a manifest
 *                      cannot expect a trap outside the robustness tier)
 * Arguments and environment:
 *   argv ARGS...       argc and every argument after the scenario
 *   getenv             getenv of the case's variables
 *   getenv-missing     getenv of names that are not set, or cannot be
 *   environ-list       environ, sorted
 *   setenv             setenv with and without overwrite
 *   unsetenv           unsetenv of a host variable and of a missing one
 *   putenv             putenv: the string itself becomes the variable
 *   setenv-invalid     setenv/unsetenv of "" and of a name with "=": inval
 * Process odds and ends:
 *   sched-yield        sched_yield() returns 0
 *   sysconf            sysconf(_SC_PAGESIZE) and getpagesize(): 64 KiB
 *   getpid             emulated getpid: positive and stable
 *   raise-handled      emulated signal/raise: SIG_IGN and a handler
 *   raise-invalid      raise of an out-of-range signal number: inval
 * Randomness:
 *   getentropy N       getentropy of N bytes (0..256 succeed, 257: io);
 *                      256 bytes are checked not all zero
 *   random-distinct    two getentropy(32) differ
 *   arc4random         arc4random_buf, arc4random, arc4random_uniform
 *   dev-urandom        open("/dev/urandom") with no preopens: whatever the
 *                      host has there
 */
#define _WASI_EMULATED_GETPID
#define _WASI_EMULATED_SIGNAL
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calls.h"
#include "trace.h"

extern char **environ;

static int g_argc;
static char **g_argv;

/* The scenario's own argument `i` (argv[1 + i]), "" when absent. */
static const char *arg(int i) { return 1 + i < g_argc ? g_argv[1 + i] : ""; }

static void fully_buffered_stdout(void) {
    static char buf[256];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
}

static void handler1(void) { printf("atexit handler 1\n"); }
static void handler2(void) { printf("atexit handler 2\n"); }
static void handler3(void) { printf("atexit handler 3\n"); }

static void trace_atexit(void (*f)(void), int which) {
    int r = atexit(f);
    t_call_int("atexit", "handler", which, r != 0);
}

/* The line of `call` that ends the program with `status` (it has no
 * result). */
static void trace_status(const char *call, int status) {
    t_begin(call);
    t_arg_int("status", status);
    t_end();
}

static void do_exit(void) {
    int code = atoi(arg(1));
    fully_buffered_stdout();
    printf("buffered before exit, no newline");
    trace_status("exit", code);
    exit(code);
}

static void do_exit_now(void) {
    fully_buffered_stdout();
    trace_atexit(handler1, 1);
    printf("flushed before _Exit\n");
    fflush(stdout);
    trace_status("_Exit", 5);
    _Exit(5);
}

static void atexit_order(void) {
    fully_buffered_stdout();
    trace_atexit(handler1, 1);
    trace_atexit(handler2, 2);
    trace_atexit(handler3, 3);
    printf("main done\n");
    trace_status("exit", 0);
    exit(0);
}

static int return_main(void) {
    fully_buffered_stdout();
    trace_atexit(handler1, 1);
    printf("returning 3 from main\n");
    trace_status("return", 3);
    return 3;
}

static void do_abort(void) {
    printf("before abort\n");
    fflush(stdout);
    t_begin("abort");
    t_end();
    abort();
}

static void argv_list(void) {
    t_begin("argv");
    t_ok();
    t_ret_int("argc", g_argc);
    t_end();
    check("argv[0] is set", g_argc > 0 && g_argv[0] != NULL, NULL);
    check("argv[argc] is NULL", g_argv[g_argc] == NULL, NULL);
    for (int i = 2; i < g_argc; i++) {
        t_begin("argv");
        t_arg_int("i", i);
        t_ok();
        t_ret_bytes("arg", g_argv[i], strlen(g_argv[i]));
        t_end();
    }
}

static void trace_getenv(const char *name) {
    const char *v = getenv(name);
    t_begin("getenv");
    t_arg_str("name", name);
    t_ok();
    if (v) t_ret_bytes("value", v, strlen(v));
    else t_ret_bool("null", 1);
    t_end();
}

static void do_getenv(void) {
    trace_getenv("FOO");
    trace_getenv("EMPTY");
    trace_getenv("EQ");
    trace_getenv("UTF");
    trace_getenv("SPACE");
}

static void getenv_missing(void) {
    trace_getenv("WASI_CONFORM_NOT_SET");
    trace_getenv("");
    trace_getenv("FOO=bar");
    trace_getenv("FO");
    trace_getenv("FOOO");
    trace_getenv("foo");
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void trace_environ(void) {
    static char *sorted[256];
    size_t n = 0;
    for (char **e = environ; e && *e && n < 256; e++) sorted[n++] = *e;
    qsort(sorted, n, sizeof *sorted, cmp_str);
    t_begin("environ");
    t_ok();
    t_ret_int("count", (long long)n);
    t_end();
    for (size_t i = 0; i < n; i++) {
        t_begin("environ");
        t_arg_int("i", (long long)i);
        t_ok();
        t_ret_bytes("entry", sorted[i], strlen(sorted[i]));
        t_end();
    }
}

static void trace_setenv(const char *name, const char *value, int overwrite) {
    errno = 0;
    int r = setenv(name, value, overwrite);
    t_begin("setenv");
    t_arg_str("name", name);
    t_arg_str("value", value);
    t_arg_int("overwrite", overwrite);
    t_result(r != 0);
    t_end();
}

static void trace_unsetenv(const char *name) {
    errno = 0;
    int r = unsetenv(name);
    t_call_str("unsetenv", "name", name, r != 0);
}

static void do_setenv(void) {
    trace_setenv("NEW", "1", 0);
    trace_getenv("NEW");
    trace_setenv("NEW", "2", 0);
    trace_getenv("NEW");
    trace_setenv("NEW", "3", 1);
    trace_getenv("NEW");
    trace_setenv("FOO", "replaced", 1);
    trace_getenv("FOO");
    trace_setenv("EQ", "x=y", 1);
    trace_getenv("EQ");
    trace_environ();
}

static void do_unsetenv(void) {
    trace_unsetenv("FOO");
    trace_getenv("FOO");
    trace_unsetenv("WASI_CONFORM_NOT_SET");
    trace_getenv("KEEP");
    trace_environ();
}

static void do_putenv(void) {
    static char entry[] = "PUT=value";
    int r = putenv(entry);
    t_call_str("putenv", "string", "PUT=value", r != 0);
    trace_getenv("PUT");
    /* POSIX: "the string pointed to by string shall become part of the
     * environment, so altering the string shall change the environment". */
    memcpy(entry + 4, "other", 5);
    trace_getenv("PUT");
    static char replace[] = "FOO=from putenv";
    r = putenv(replace);
    t_call_str("putenv", "string", "FOO=from putenv", r != 0);
    trace_getenv("FOO");
}

static void setenv_invalid(void) {
    trace_setenv("", "x", 1);
    trace_setenv("A=B", "x", 1);
    trace_unsetenv("");
    trace_unsetenv("A=B");
    trace_getenv("A");
}

static void do_sched_yield(void) {
    int r = sched_yield();
    t_call("sched_yield", r != 0);
}

static void do_sysconf(void) {
    errno = 0;
    long r = sysconf(_SC_PAGESIZE);
    t_begin("sysconf");
    t_arg_str("name", "_SC_PAGESIZE");
    t_result(r < 0);
    if (r >= 0) t_ret_int("ret", r);
    t_end();
    int p = getpagesize();
    t_begin("getpagesize");
    t_ok();
    t_ret_int("ret", p);
    t_end();
}

static void do_getpid(void) {
    pid_t a = getpid();
    pid_t b = getpid();
    check("getpid returns a positive value", a > 0, NULL);
    check("getpid returns the same value twice", a == b, NULL);
}

static volatile int handled;
static void on_signal(int sig) { handled = sig; }

/* signal(sig, func), traced with their names. */
static void trace_signal(int sig, const char *sig_name, void (*func)(int), const char *func_name) {
    void (*old)(int) = signal(sig, func);
    t_call_str2("signal", "sig", sig_name, "func", func_name, old == SIG_ERR);
}

/* raise(sig), traced with its name. */
static void trace_raise(int sig, const char *sig_name) {
    int r = raise(sig);
    t_call_str("raise", "sig", sig_name, r != 0);
}

static void raise_handled(void) {
    trace_signal(SIGUSR1, "SIGUSR1", SIG_IGN, "SIG_IGN");
    trace_raise(SIGUSR1, "SIGUSR1");
    trace_signal(SIGUSR2, "SIGUSR2", on_signal, "handler");
    trace_raise(SIGUSR2, "SIGUSR2");
    check("the SIGUSR2 handler ran with SIGUSR2", handled == SIGUSR2, NULL);
    errno = 0;
    trace_signal(SIGKILL, "SIGKILL", on_signal, "handler");
}

static void raise_invalid(void) {
    errno = 0;
    int r = raise(-1);
    t_call_int("raise", "sig", -1, r != 0);
    errno = 0;
    trace_raise(_NSIG, "_NSIG");
}

static int all_zero(const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

static void do_getentropy(void) {
    static unsigned char buf[512];
    size_t n = (size_t)atoi(arg(1));
    if (n > sizeof buf) n = sizeof buf;
    errno = 0;
    int r = getentropy(buf, n);
    t_call_int("getentropy", "len", (long long)n, r != 0);
    if (r == 0 && n >= 64)
        check("the random bytes are not all zero", !all_zero(buf, n), NULL);
}

static void random_distinct(void) {
    unsigned char a[32], b[32];
    int ra = getentropy(a, sizeof a);
    int rb = getentropy(b, sizeof b);
    t_call_int("getentropy", "len", 32, ra != 0);
    t_call_int("getentropy", "len", 32, rb != 0);
    check("two getentropy(32) results differ", ra == 0 && rb == 0 && memcmp(a, b, sizeof a) != 0, NULL);
}

static void do_arc4random(void) {
    static unsigned char buf[1024];
    arc4random_buf(buf, sizeof buf);
    t_begin("arc4random_buf");
    t_arg_int("len", (long long)sizeof buf);
    t_ok();
    t_end();
    check("arc4random_buf bytes are not all zero", !all_zero(buf, sizeof buf), NULL);
    uint32_t first = arc4random();
    int differ = 0;
    for (int i = 0; i < 16; i++)
        if (arc4random() != first) differ = 1;
    check("arc4random does not return one value 17 times", differ, NULL);
    int in_range = 1;
    unsigned seen = 0;
    for (int i = 0; i < 1000; i++) {
        uint32_t v = arc4random_uniform(10);
        if (v >= 10) in_range = 0;
        else seen |= 1u << v;
    }
    check("arc4random_uniform(10) stays below 10", in_range, NULL);
    check("arc4random_uniform(10) gives every value in 1000 draws", seen == 0x3ff, NULL);
}

static void dev_urandom(void) {
    int fd = t_open("/dev/urandom", O_RDONLY, "O_RDONLY");
    if (fd < 0) return;
    unsigned char buf[16];
    errno = 0;
    ssize_t n = read(fd, buf, sizeof buf);
    t_begin("read");
    t_arg_int("len", (long long)sizeof buf);
    t_result(n < 0);
    if (n >= 0) t_ret_int("ret", (long long)n);
    t_end();
    close(fd);
}

int main(int argc, char **argv) {
    static const struct scenario scenarios[] = {
        {"exit", do_exit},
        {"_Exit", do_exit_now},
        {"atexit-order", atexit_order},
        {"abort", do_abort},
        {"argv", argv_list},
        {"getenv", do_getenv},
        {"getenv-missing", getenv_missing},
        {"environ-list", trace_environ},
        {"setenv", do_setenv},
        {"unsetenv", do_unsetenv},
        {"putenv", do_putenv},
        {"setenv-invalid", setenv_invalid},
        {"sched-yield", do_sched_yield},
        {"sysconf", do_sysconf},
        {"getpid", do_getpid},
        {"raise-handled", raise_handled},
        {"raise-invalid", raise_invalid},
        {"getentropy", do_getentropy},
        {"random-distinct", random_distinct},
        {"arc4random", do_arc4random},
        {"dev-urandom", dev_urandom},
        {0, 0},
    };
    g_argc = argc;
    g_argv = argv;
    if (argc > 1 && strcmp(argv[1], "return-main") == 0) return return_main();
    return run_scenario(argc, argv, scenarios);
}
