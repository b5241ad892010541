/* Guest-side support for the C guests of wasi-conform (tests-src/c/).
 *
 * The same `@@wasi` trace as the Rust guests (tests-src/README.md, "The
 * call trace"), for libc calls: after each call a guest prints one line
 *
 *   @@wasi {"call":"fopen","args":{"path":"a.txt","mode":"w"},"errno":"ok","ret":{}}
 *   @@wasi {"call":"open","args":{"path":"nope"},"errno":"noent"}
 *
 * `call` is the libc function, `args` the arguments that matter (never
 * pointers or descriptor numbers), `errno` "ok" or the witx name of
 * `errno` (wasi-libc's errno values are the witx errno numbers), `ret` the
 * deterministic results. Lines are written with a raw `fd_write(1, ...)`,
 * never through stdio, so they do not disturb what the guest prints.
 *
 * Building a line:
 *
 *   t_begin("fopen"); t_arg_str("path", p); t_arg_str("mode", "w");
 *   if (f) t_ok(); else t_err(errno);
 *   t_end();
 *
 * `t_ret_*` add results after `t_ok()`. `check(name, ok)` reports a
 * property the guest verified itself; `finish()` exits 1 if any check
 * failed. `main` of every guest picks its scenario with `run_scenario`.
 */
#ifndef WASI_CONFORM_TRACE_H
#define WASI_CONFORM_TRACE_H

#include <stddef.h>

/* Starts the line of one call. */
void t_begin(const char *call);
/* Arguments, in the order given. */
void t_arg_str(const char *key, const char *value);
void t_arg_int(const char *key, long long value);
/* The call succeeded: `"errno":"ok","ret":{` follows. */
void t_ok(void);
/* The call failed with `e` (an errno value): `"errno":"<name>"` follows. */
void t_err(int e);
/* `t_ok()` when `failed` is 0, else `t_err(errno)`. */
void t_result(int failed);
/* Results, after t_ok(). */
void t_ret_str(const char *key, const char *value);
void t_ret_int(const char *key, long long value);
/* Bytes as a JSON string (valid UTF-8) or {"hex":"..."}. */
void t_ret_bytes(const char *key, const void *bytes, size_t len);
void t_ret_bool(const char *key, int value);
/* Writes the line. */
void t_end(void);

/* The witx name of an errno value (`noent`), `errno_<n>` when unknown. */
const char *errno_name(int e);

/* A check line; a failed one carries `detail` (may be NULL). */
void check(const char *name, int ok, const char *detail);
/* Exits 1 (untraced) when a check failed; returns otherwise. */
void finish(void);

/* One scenario of a guest: argv[1] picks it by name. */
struct scenario {
    const char *name;
    void (*run)(void);
};
/* Runs the scenario argv[1] names (a failed check "known scenario" when
 * none does), then finish(); returns main's exit status. */
int run_scenario(int argc, char **argv, const struct scenario *scenarios);

#endif
