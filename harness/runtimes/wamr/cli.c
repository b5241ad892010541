/*
 * wamr-cli: runs one WASI preview1 module on the upstream WAMR core (fast
 * interpreter + libc-wasi), the way iwasm's product-mini does, with the
 * options the harness needs. Built by `wasi-conform setup wamr` against the
 * WAMR sources of npm @grain/libiwasm (see wamr.toml).
 *
 * Usage: wamr-cli [--argv0 NAME] [--map-dir GUEST::HOST]... [--env K=V]...
 *        (WAMR 1.1.2 names a preopen by its host path: see preopen())
 *                 WASM [ARGS...]
 *        wamr-cli --version
 * Exit status: the guest's; 134 after a trap (WAMR's exception on stderr,
 * "failed to call unlinked import function" for a missing import); 2 when
 * the module cannot be read or loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bh_log.h"
#include "version.h"
#include "wasm_export.h"

#define MAX_ITEMS 1024

/*
 * WAMR 1.1.2's libc-wasi preopens only the `dir_list` of
 * wasm_runtime_set_wasi_args_ex (it ignores `map_dir_list`) and names each
 * preopen by the path it is given: the guest name of GUEST::HOST is lost.
 * The harness runs this CLI in the sandbox root, a directory named
 * `sandbox`, so a HOST at or under the working directory is given relative
 * to its parent ("sandbox", "sandbox/sub") and main() moves up there before
 * WAMR opens it: the sandbox root is the preopen named `sandbox`, as the
 * cases ask, on every run.
 */
static int moved_up = 0;

static const char *preopen(const char *spec) {
  const char *sep = strstr(spec, "::");
  const char *host = sep ? sep + 2 : spec;
  static char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return host;
  size_t n = strlen(cwd);
  const char *base = strrchr(cwd, '/');
  if (!base || base[1] == '\0') return host;
  base++;
  if (!strcmp(host, cwd) || (!strncmp(host, cwd, n) && host[n] == '/')) {
    char *rel = malloc(strlen(base) + strlen(host + n) + 1);
    if (!rel) return host;
    strcpy(rel, base);
    strcat(rel, host + n);
    moved_up = 1;
    return rel;
  }
  return host;
}

int main(int argc, char **argv) {
  const char *dirs[MAX_ITEMS], *envs[MAX_ITEMS];
  uint32_t ndirs = 0, nenvs = 0;
  char *argv0 = NULL;
  int i = 1;
  for (; i < argc; i++) {
    if (!strcmp(argv[i], "--version")) {
      printf("WAMR %d.%d.%d (fast interpreter, libc-wasi)\n", WAMR_VERSION_MAJOR,
             WAMR_VERSION_MINOR, WAMR_VERSION_PATCH);
      return 0;
    }
    if (i + 1 >= argc) break;
    if (!strcmp(argv[i], "--argv0")) argv0 = argv[++i];
    else if (!strcmp(argv[i], "--map-dir") && ndirs < MAX_ITEMS) dirs[ndirs++] = preopen(argv[++i]);
    else if (!strcmp(argv[i], "--env") && nenvs < MAX_ITEMS) envs[nenvs++] = argv[++i];
    else break;
  }
  if (i >= argc) {
    fprintf(stderr, "wamr-cli: no wasm file given\n");
    return 2;
  }
  const char *path = argv[i];
  /* The guest's argv: argv[0] (given or the path), then the rest. */
  char **guest_argv = argv + i;
  int guest_argc = argc - i;
  if (argv0) guest_argv[0] = argv0;

  FILE *file = fopen(path, "rb");
  if (!file) {
    perror(path);
    return 2;
  }
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  uint8_t *bytes = malloc(size > 0 ? (size_t)size : 1);
  if (!bytes || fread(bytes, 1, (size_t)size, file) != (size_t)size) {
    fprintf(stderr, "wamr-cli: cannot read %s\n", path);
    return 2;
  }
  fclose(file);
  if (moved_up && chdir("..") != 0) {
    perror("wamr-cli: chdir ..");
    return 2;
  }

  char error[256];
  if (!wasm_runtime_init()) {
    fprintf(stderr, "wamr-cli: wasm_runtime_init failed\n");
    return 2;
  }
  /* WAMR logs to stdout (e.g. "warning: wasm_runtime_malloc with size zero"
     for a zero-length write), mixing host messages into the guest's output:
     errors only, as iwasm -v=1. */
  bh_log_set_verbose_level(BH_LOG_LEVEL_ERROR);
  wasm_module_t module = wasm_runtime_load(bytes, (uint32_t)size, error, sizeof error);
  if (!module) {
    fprintf(stderr, "wamr-cli: load failed: %s\n", error);
    return 2;
  }
  /* Preopens as dir_list (see preopen()); stdio are the process's fds. */
  wasm_runtime_set_wasi_args_ex(module, dirs, ndirs, NULL, 0, envs, nenvs, guest_argv,
                                guest_argc, 0, 1, 2);
  /* 1 MiB operand stack (iwasm's default of 16 KiB is too small for Rust guests). */
  wasm_module_inst_t instance =
      wasm_runtime_instantiate(module, 1 << 20, 0, error, sizeof error);
  if (!instance) {
    fprintf(stderr, "wamr-cli: instantiate failed: %s\n", error);
    return 134;
  }
  if (!wasm_application_execute_main(instance, 0, NULL)) {
    const char *exception = wasm_runtime_get_exception(instance);
    fprintf(stderr, "wamr-cli: trap: %s\n", exception ? exception : "(no exception)");
    return 134;
  }
  return (int)wasm_runtime_get_wasi_exit_code(instance);
}
