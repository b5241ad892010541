/* C guest `c-stdio`: stdio through wasi-libc. argv[1] picks the scenario.
 *
 * Writing (stdout and stderr):
 *   printf-stdout        printf to stdout
 *   fputs-stderr         fputs to stderr
 *   puts-stdout          puts adds the newline
 *   fwrite-stdout        fwrite, fputc, putchar, fprintf to stdout
 *   fwrite-mib           1 MiB through one fwrite to stdout
 *   fwrite-stderr-mib    1 MiB through one fwrite to stderr
 *   perror-stderr        perror writes "<s>: <strerror>\n" to stderr
 * Buffering (a raw write(2) between stdio calls shows where stdio flushed):
 *   setvbuf-unbuffered   _IONBF: every call reaches fd 1 at once
 *   setvbuf-line         _IOLBF: flushed at each newline, not before
 *   setvbuf-full         _IOFBF: nothing reaches fd 1 until fflush
 *   fflush-order         fflush(stdout) puts buffered output before a raw write
 *   stdout-default-buffering  stdout's default mode (libc asks isatty(1))
 *   stderr-unbuffered    stderr is unbuffered by default
 *   interleave           stdout (flushed) and stderr written in turns
 * Reading stdin (the case's `stdin`):
 *   stdin-fgets          fgets line by line until EOF
 *   stdin-fgets-short-buffer  fgets splits a line longer than its buffer
 *   stdin-fread          fread in 5-byte pieces until EOF
 *   stdin-getchar        getchar until EOF, counting bytes and lines
 *   stdin-empty          empty stdin: EOF at once
 *   stdin-ungetc         ungetc pushes back one byte
 *   stdin-after-eof      after EOF and clearerr, reading again is EOF again
 * Streams and descriptors:
 *   isatty-stdio         isatty(0), isatty(1), isatty(2)
 *   fileno-stdio         fileno of stdin, stdout, stderr
 *   fputs-stdin          stdin is not writable through stdio
 *   write-stdin          write(0, ...) goes to the host
 * The trace writer itself:
 *   trace-strings        escapes of t_arg_str / t_ret_str, t_ret_bytes
 *                        with valid UTF-8 and with invalid bytes
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calls.h"
#include "trace.h"

/* An untraced raw write to `fd`, bypassing stdio: where it lands in the
 * output shows what stdio had flushed before it. */
static void raw(int fd, const char *s) {
    size_t n = strlen(s);
    while (n > 0) {
        ssize_t w = write(fd, s, n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

static void trace_int_call(const char *call, const char *stream, int r, int failed) {
    t_begin(call);
    t_arg_str("stream", stream);
    t_result(failed);
    if (!failed) t_ret_int("ret", r);
    t_end();
}

static void printf_stdout(void) {
    int n = printf("hello %s %d\n", "wasi", 42);
    t_begin("printf");
    t_arg_str("format", "hello %s %d\\n");
    t_result(n < 0);
    if (n >= 0) t_ret_int("ret", n);
    t_end();
}

static void fputs_stderr(void) {
    int r = fputs("to stderr\n", stderr);
    t_call_str("fputs", "stream", "stderr", r == EOF);
}

/* puts(s) to stdout. */
static void trace_puts(const char *s) {
    int r = puts(s);
    t_call_str("puts", "s", s, r == EOF);
}

static void puts_stdout(void) {
    trace_puts("a line from puts");
    trace_puts("");
    int f = fflush(stdout);
    trace_int_call("fflush", "stdout", f, f != 0);
}

/* fwrite of `nmemb` members of `size` bytes to `f`, traced (with
 * `stream` unless NULL); what fwrite returned. */
static size_t trace_fwrite(FILE *f, const char *stream, const void *data, size_t size,
                           size_t nmemb) {
    size_t n = fwrite(data, size, nmemb, f);
    t_begin("fwrite");
    if (stream) t_arg_str("stream", stream);
    t_arg_int("size", (long long)size);
    t_arg_int("nmemb", (long long)nmemb);
    t_result(n != nmemb);
    t_ret_int("ret", (long long)n);
    t_end();
    return n;
}

static void fwrite_stdout(void) {
    static const char data[] = "fwrite: héllo 日本 🦀\n";
    trace_fwrite(stdout, NULL, data, 1, sizeof data - 1);
    trace_fwrite(stdout, NULL, "abcdef", 3, 2);
    trace_fwrite(stdout, NULL, "unused", 1, 0);

    int c = fputc('\n', stdout);
    trace_int_call("fputc", "stdout", c, c == EOF);
    c = putchar('!');
    trace_int_call("putchar", "stdout", c, c == EOF);
    int r = fprintf(stdout, "|%5d|%-4s|%x|%.3f|\n", -12, "ab", 255u, 2.5);
    trace_int_call("fprintf", "stdout", r, r < 0);
}

/* 1 MiB of a fixed pattern: 64-byte lines of letters. */
static char mib[1 << 20];

static void fill_mib(void) {
    for (size_t i = 0; i < sizeof mib; i++)
        mib[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i / 64) % 26);
}

static void fwrite_mib_to(FILE *f, const char *stream) {
    fill_mib();
    size_t n = trace_fwrite(f, stream, mib, 1, sizeof mib);
    int r = fflush(f);
    trace_int_call("fflush", stream, r, r != 0);
    check("fwrite of 1 MiB reports every byte written", n == sizeof mib, NULL);
}

static void fwrite_mib(void) { fwrite_mib_to(stdout, "stdout"); }

static void fwrite_stderr_mib(void) { fwrite_mib_to(stderr, "stderr"); }

static void perror_stderr(void) {
    errno = ENOENT;
    perror("perror prefix");
    errno = EBADF;
    perror(NULL);
    t_begin("perror");
    t_ok();
    t_end();
}

static void setvbuf_trace(int mode, const char *name, size_t size) {
    static char buf[64];
    int r = setvbuf(stdout, mode == _IONBF ? NULL : buf, mode, size);
    t_begin("setvbuf");
    t_arg_str("stream", "stdout");
    t_arg_str("mode", name);
    t_arg_int("size", (long long)size);
    t_result(r != 0);
    t_end();
}

static void setvbuf_unbuffered(void) {
    setvbuf_trace(_IONBF, "_IONBF", 0);
    fputs("A", stdout);
    raw(1, "1");
    putchar('B');
    raw(1, "2");
    printf("C\n");
    raw(1, "3\n");
}

static void setvbuf_line(void) {
    setvbuf_trace(_IOLBF, "_IOLBF", 64);
    fputs("partial", stdout);
    raw(1, "[raw 1]");
    fputs(" line\nnext", stdout);
    raw(1, "[raw 2]");
    fputs(" done\n", stdout);
    raw(1, "[raw 3]\n");
}

static void setvbuf_full(void) {
    setvbuf_trace(_IOFBF, "_IOFBF", 64);
    fputs("line one\n", stdout);
    raw(1, "[raw 1]\n");
    fputs("line two\n", stdout);
    raw(1, "[raw 2]\n");
    int r = fflush(stdout);
    trace_int_call("fflush", "stdout", r, r != 0);
    raw(1, "[raw 3]\n");
}

static void fflush_order(void) {
    setvbuf_trace(_IOFBF, "_IOFBF", 64);
    fputs("buffered first\n", stdout);
    int r = fflush(stdout);
    trace_int_call("fflush", "stdout", r, r != 0);
    raw(1, "raw second\n");
    fputs("buffered third\n", stdout);
    r = fflush(NULL);
    t_call_str("fflush", "stream", "NULL", r != 0);
    raw(1, "raw fourth\n");
}

/* wasi-libc's stdout is line buffered until its first write, which asks
 * isatty(1): a terminal keeps line buffering, anything else becomes fully
 * buffered. The first line is always flushed at its newline. */
static void stdout_default_buffering(void) {
    printf("line 1\n");
    raw(1, "[raw 1]\n");
    printf("line 2\n");
    raw(1, "[raw 2]\n");
    fflush(stdout);
    raw(1, "[raw 3]\n");
}

static void stderr_unbuffered(void) {
    fputs("A", stderr);
    raw(2, "1");
    fputc('B', stderr);
    raw(2, "2");
    fprintf(stderr, "C%d", 3);
    raw(2, "3\n");
}

static void interleave(void) {
    for (int i = 0; i < 5; i++) {
        printf("out %d\n", i);
        fflush(stdout);
        fprintf(stderr, "err %d\n", i);
    }
    t_begin("interleave");
    t_arg_int("rounds", 5);
    t_ok();
    t_end();
}

static void stdin_fgets_n(int size) {
    char buf[128];
    for (int i = 0; i < 32; i++) {
        errno = 0;
        char *p = fgets(buf, size, stdin);
        t_begin("fgets");
        t_arg_int("size", size);
        if (p) {
            t_ok();
            t_ret_bytes("line", buf, strlen(buf));
        } else {
            t_ok();
            t_ret_bool("null", 1);
            t_ret_bool("feof", feof(stdin) != 0);
            t_ret_bool("ferror", ferror(stdin) != 0);
        }
        t_end();
        if (!p) break;
    }
}

static void stdin_fgets(void) { stdin_fgets_n(128); }

static void stdin_fgets_short_buffer(void) { stdin_fgets_n(8); }

static void stdin_fread(void) {
    char buf[5];
    size_t total = 0;
    for (int i = 0; i < 64; i++) {
        size_t n = fread(buf, 1, sizeof buf, stdin);
        total += n;
        t_begin("fread");
        t_arg_int("size", 1);
        t_arg_int("nmemb", (long long)sizeof buf);
        t_ok();
        t_ret_int("ret", (long long)n);
        t_ret_bytes("data", buf, n);
        if (n < sizeof buf) {
            t_ret_bool("feof", feof(stdin) != 0);
            t_ret_bool("ferror", ferror(stdin) != 0);
        }
        t_end();
        if (n < sizeof buf) break;
    }
    t_begin("fread_total");
    t_ok();
    t_ret_int("bytes", (long long)total);
    t_end();
}

static void stdin_getchar(void) {
    long bytes = 0, lines = 0;
    int c;
    while ((c = getchar()) != EOF) {
        bytes++;
        if (c == '\n') lines++;
        putchar(c);
    }
    fflush(stdout);
    t_begin("getchar");
    t_ok();
    t_ret_int("bytes", bytes);
    t_ret_int("lines", lines);
    t_ret_bool("feof", feof(stdin) != 0);
    t_ret_bool("ferror", ferror(stdin) != 0);
    t_end();
}

static void stdin_empty(void) {
    int c = getchar();
    t_begin("getchar");
    t_ok();
    t_ret_bool("eof", c == EOF);
    t_ret_bool("feof", feof(stdin) != 0);
    t_ret_bool("ferror", ferror(stdin) != 0);
    t_end();
    char buf[16];
    char *p = fgets(buf, sizeof buf, stdin);
    t_begin("fgets");
    t_arg_int("size", (long long)sizeof buf);
    t_ok();
    t_ret_bool("null", p == NULL);
    t_end();
    size_t n = fread(buf, 1, sizeof buf, stdin);
    t_begin("fread");
    t_arg_int("size", 1);
    t_arg_int("nmemb", (long long)sizeof buf);
    t_ok();
    t_ret_int("ret", (long long)n);
    t_end();
}

static void trace_getchar(void) {
    int c = getchar();
    t_begin("getchar");
    t_ok();
    if (c == EOF) {
        t_ret_bool("eof", 1);
    } else {
        char s[2] = {(char)c, 0};
        t_ret_str("c", s);
    }
    t_end();
}

static void trace_ungetc(int c, const char *shown) {
    int r = ungetc(c, stdin);
    t_begin("ungetc");
    t_arg_str("c", shown);
    t_ok();
    t_ret_bool("eof", r == EOF);
    t_end();
}

static void stdin_ungetc(void) {
    trace_getchar();          /* x */
    trace_ungetc('x', "x");
    trace_getchar();          /* x again */
    trace_ungetc('Q', "Q");
    trace_getchar();          /* Q */
    trace_getchar();          /* y */
    trace_getchar();          /* EOF */
    trace_ungetc(EOF, "EOF"); /* fails: EOF cannot be pushed back */
    clearerr(stdin);
    trace_ungetc('Z', "Z");   /* pushing back after EOF works */
    trace_getchar();          /* Z */
    trace_getchar();          /* EOF */
}

static void stdin_after_eof(void) {
    char buf[64];
    size_t n = fread(buf, 1, sizeof buf, stdin);
    t_begin("fread");
    t_arg_int("nmemb", (long long)sizeof buf);
    t_ok();
    t_ret_bytes("data", buf, n);
    t_ret_bool("feof", feof(stdin) != 0);
    t_end();
    trace_getchar();
    clearerr(stdin);
    t_begin("clearerr");
    t_ok();
    t_ret_bool("feof", feof(stdin) != 0);
    t_end();
    trace_getchar();
    trace_getchar();
}

static void isatty_stdio(void) {
    for (int fd = 0; fd <= 2; fd++) {
        errno = 0;
        int r = isatty(fd);
        t_begin("isatty");
        t_arg_int("fd", fd);
        if (r) {
            t_ok();
            t_ret_int("ret", r);
        } else {
            t_err(errno);
        }
        t_end();
    }
}

static void fileno_stdio(void) {
    static const char *const names[] = {"stdin", "stdout", "stderr"};
    FILE *streams[] = {stdin, stdout, stderr};
    for (size_t i = 0; i < 3; i++) {
        int r = fileno(streams[i]);
        t_begin("fileno");
        t_arg_str("stream", names[i]);
        t_result(r < 0);
        if (r >= 0) t_ret_int("ret", r);
        t_end();
    }
}

static void fputs_stdin(void) {
    errno = 0;
    int r = fputs("x", stdin);
    t_begin("fputs");
    t_arg_str("stream", "stdin");
    t_ok();
    t_ret_bool("eof", r == EOF);
    t_ret_bool("ferror", ferror(stdin) != 0);
    t_end();
    check("fputs to stdin returns EOF", r == EOF, NULL);
    check("fputs to stdin sets the stream's error indicator", ferror(stdin) != 0, NULL);
}

static void write_stdin(void) {
    errno = 0;
    ssize_t r = write(0, "x", 1);
    t_begin("write");
    t_arg_int("fd", 0);
    t_arg_int("len", 1);
    t_result(r < 0);
    if (r >= 0) t_ret_int("ret", (long long)r);
    t_end();
}

static void trace_strings(void) {
    t_begin("trace_strings");
    t_arg_str("quote", "a\"b");
    t_arg_str("backslash", "a\\b");
    t_arg_str("newline", "a\nb");
    t_arg_str("cr", "a\rb");
    t_arg_str("tab", "a\tb");
    t_arg_str("ctrl", "a\x01" "b\x1f" "c");
    t_arg_str("del", "a\x7f" "b");
    t_arg_str("utf8", "h\xc3\xa9llo \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\xa6\x80");
    t_arg_str("empty", "");
    t_arg_str("all \"\\\n\t", "key escaped too");
    t_arg_int("min", LLONG_MIN);
    t_arg_int("max", LLONG_MAX);
    t_arg_int("neg", -1);
    t_ok();
    t_ret_str("quote", "\"\"");
    t_ret_str("backslash", "\\\\");
    t_ret_str("newline", "\n");
    t_ret_str("tab", "\t");
    t_ret_str("ctrl", "\x01");
    t_ret_str("del", "\x7f");
    t_ret_str("utf8", "\xc3\xa9\xe6\x97\xa5\xf0\x9f\xa6\x80");
    t_ret_bytes("bytes_utf8", "h\xc3\xa9llo \xf0\x9f\xa6\x80", 11);
    t_ret_bytes("bytes_nul", "a\0b", 3);
    t_ret_bytes("bytes_escapes", "\"\\\n\x01\x7f", 5);
    t_ret_bytes("bytes_empty", "", 0);
    t_ret_bytes("bytes_ff", "\xff\xfe", 2);
    t_ret_bytes("bytes_lone_continuation", "a\x80" "b", 3);
    t_ret_bytes("bytes_overlong", "\xc0\x80", 2);
    t_ret_bytes("bytes_surrogate", "\xed\xa0\x80", 3);
    t_ret_bytes("bytes_truncated", "\xe6\x97", 2);
    t_ret_bytes("bytes_above_max", "\xf4\x90\x80\x80", 4);
    t_ret_bytes("bytes_max", "\xf4\x8f\xbf\xbf", 4);
    t_ret_bool("true", 1);
    t_ret_bool("false", 0);
    t_end();

    t_begin("trace_errno");
    t_err(ENOENT);
    t_end();
    t_begin("trace_errno");
    t_err(ENOTCAPABLE);
    t_end();
    t_begin("trace_errno");
    t_err(9999);
    t_end();
    check("a check name with \"quotes\", \\ and \xc3\xa9", 1, NULL);
}

int main(int argc, char **argv) {
    static const struct scenario scenarios[] = {
        {"printf-stdout", printf_stdout},
        {"fputs-stderr", fputs_stderr},
        {"puts-stdout", puts_stdout},
        {"fwrite-stdout", fwrite_stdout},
        {"fwrite-mib", fwrite_mib},
        {"fwrite-stderr-mib", fwrite_stderr_mib},
        {"perror-stderr", perror_stderr},
        {"setvbuf-unbuffered", setvbuf_unbuffered},
        {"setvbuf-line", setvbuf_line},
        {"setvbuf-full", setvbuf_full},
        {"fflush-order", fflush_order},
        {"stdout-default-buffering", stdout_default_buffering},
        {"stderr-unbuffered", stderr_unbuffered},
        {"interleave", interleave},
        {"stdin-fgets", stdin_fgets},
        {"stdin-fgets-short-buffer", stdin_fgets_short_buffer},
        {"stdin-fread", stdin_fread},
        {"stdin-getchar", stdin_getchar},
        {"stdin-empty", stdin_empty},
        {"stdin-ungetc", stdin_ungetc},
        {"stdin-after-eof", stdin_after_eof},
        {"isatty-stdio", isatty_stdio},
        {"fileno-stdio", fileno_stdio},
        {"fputs-stdin", fputs_stdin},
        {"write-stdin", write_stdin},
        {"trace-strings", trace_strings},
        {0, 0},
    };
    return run_scenario(argc, argv, scenarios);
}
