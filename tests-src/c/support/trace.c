/* The trace writer of the C guests: see trace.h. */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* One trace line is built here; a longer one is cut (never happens in
 * the shipped guests, whose arguments are short). */
static char line[16384];
static size_t used;
/* No member written yet in the object being built. */
static int first;
static int any_check_failed;

static const char *const ERRNO_NAMES[] = {
    "ok", "2big", "acces", "addrinuse", "addrnotavail", "afnosupport",
    "again", "already", "badf", "badmsg", "busy", "canceled", "child",
    "connaborted", "connrefused", "connreset", "deadlk", "destaddrreq",
    "dom", "dquot", "exist", "fault", "fbig", "hostunreach", "idrm",
    "ilseq", "inprogress", "intr", "inval", "io", "isconn", "isdir",
    "loop", "mfile", "mlink", "msgsize", "multihop", "nametoolong",
    "netdown", "netreset", "netunreach", "nfile", "nobufs", "nodev",
    "noent", "noexec", "nolck", "nolink", "nomem", "nomsg", "noprotoopt",
    "nospc", "nosys", "notconn", "notdir", "notempty", "notrecoverable",
    "notsock", "notsup", "notty", "nxio", "overflow", "ownerdead", "perm",
    "pipe", "proto", "protonosupport", "prototype", "range", "rofs",
    "spipe", "srch", "stale", "timedout", "txtbsy", "xdev", "notcapable",
};

const char *errno_name(int e) {
    static char unknown[32];
    if (e >= 0 && (size_t)e < sizeof ERRNO_NAMES / sizeof *ERRNO_NAMES)
        return ERRNO_NAMES[e];
    snprintf(unknown, sizeof unknown, "errno_%d", e);
    return unknown;
}

static void put(const char *s, size_t n) {
    if (used + n > sizeof line - 2)
        n = sizeof line - 2 - used;
    memcpy(line + used, s, n);
    used += n;
}

static void puts_raw(const char *s) { put(s, strlen(s)); }

/* A JSON string: `"` and `\` escaped, \n \r \t short, other controls as
 * \u00XX, everything else raw (tests-src/README.md, "Strings"). */
static void put_json_string(const char *s, size_t n) {
    char esc[8];
    put("\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"') puts_raw("\\\"");
        else if (c == '\\') puts_raw("\\\\");
        else if (c == '\n') puts_raw("\\n");
        else if (c == '\r') puts_raw("\\r");
        else if (c == '\t') puts_raw("\\t");
        else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            puts_raw(esc);
        } else put((const char *)&c, 1);
    }
    put("\"", 1);
}

static void put_key(const char *key) {
    if (!first) put(",", 1);
    first = 0;
    put_json_string(key, strlen(key));
    put(":", 1);
}

static void put_int(long long v) {
    char num[32];
    snprintf(num, sizeof num, "%lld", v);
    puts_raw(num);
}

static int valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t more;
        unsigned min;
        unsigned cp;
        if (c < 0x80) { i++; continue; }
        if ((c & 0xe0) == 0xc0) { more = 1; cp = c & 0x1f; min = 0x80; }
        else if ((c & 0xf0) == 0xe0) { more = 2; cp = c & 0x0f; min = 0x800; }
        else if ((c & 0xf8) == 0xf0) { more = 3; cp = c & 0x07; min = 0x10000; }
        else return 0;
        for (size_t k = 1; k <= more; k++) {
            if (i + k >= n || (s[i + k] & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        i += more + 1;
    }
    return 1;
}

void t_begin(const char *call) {
    used = 0;
    puts_raw("{\"call\":");
    put_json_string(call, strlen(call));
    puts_raw(",\"args\":{");
    first = 1;
}

/* One `"key":"value"` member of the object being built. */
static void put_str_member(const char *key, const char *value) {
    put_key(key);
    put_json_string(value, strlen(value));
}

/* One `"key":123` member of the object being built. */
static void put_int_member(const char *key, long long value) {
    put_key(key);
    put_int(value);
}

void t_arg_str(const char *key, const char *value) { put_str_member(key, value); }

void t_arg_int(const char *key, long long value) { put_int_member(key, value); }

void t_ok(void) {
    puts_raw("},\"errno\":\"ok\",\"ret\":{");
    first = 1;
}

void t_err(int e) {
    puts_raw("},\"errno\":");
    const char *name = errno_name(e);
    put_json_string(name, strlen(name));
    /* No `ret` object: t_end() closes the line only. */
    first = -1;
}

void t_result(int failed) {
    if (failed) t_err(errno);
    else t_ok();
}

void t_ret_str(const char *key, const char *value) { put_str_member(key, value); }

void t_ret_int(const char *key, long long value) { put_int_member(key, value); }

void t_ret_bool(const char *key, int value) {
    put_key(key);
    puts_raw(value ? "true" : "false");
}

void t_ret_bytes(const char *key, const void *bytes, size_t len) {
    static const char HEX[] = "0123456789abcdef";
    const unsigned char *b = bytes;
    put_key(key);
    if (valid_utf8(b, len)) {
        put_json_string((const char *)b, len);
        return;
    }
    puts_raw("{\"hex\":\"");
    for (size_t i = 0; i < len; i++) {
        put(&HEX[b[i] >> 4], 1);
        put(&HEX[b[i] & 15], 1);
    }
    puts_raw("\"}");
}

/* The line with its marker, by raw fd_write to stdout (repeated on a
 * short write), untraced. */
static void write_line(void) {
    static char out[sizeof line + 8];
    size_t n = 0;
    memcpy(out, "@@wasi ", 7);
    n = 7;
    memcpy(out + n, line, used);
    n += used;
    out[n++] = '\n';
    size_t done = 0;
    while (done < n) {
        __wasi_ciovec_t iov = {(const uint8_t *)out + done, n - done};
        __wasi_size_t written = 0;
        if (__wasi_fd_write(1, &iov, 1, &written) != 0 || written == 0)
            return;
        done += written;
    }
}

void t_end(void) {
    if (first != -1) puts_raw("}");
    puts_raw("}");
    write_line();
    used = 0;
}

void check(const char *name, int ok, const char *detail) {
    used = 0;
    puts_raw("{\"check\":");
    put_json_string(name, strlen(name));
    puts_raw(ok ? ",\"ok\":true" : ",\"ok\":false");
    if (!ok && detail) {
        puts_raw(",\"detail\":");
        put_json_string(detail, strlen(detail));
    }
    puts_raw("}");
    write_line();
    used = 0;
    if (!ok) any_check_failed = 1;
}

void finish(void) {
    if (any_check_failed) {
        fflush(NULL);
        __wasi_proc_exit(1);
    }
}

int run_scenario(int argc, char **argv, const struct scenario *scenarios) {
    const char *wanted = argc > 1 ? argv[1] : "";
    for (const struct scenario *s = scenarios; s->name; s++) {
        if (strcmp(s->name, wanted) == 0) {
            s->run();
            finish();
            return 0;
        }
    }
    check("known scenario", 0, wanted);
    finish();
    return 0;
}
