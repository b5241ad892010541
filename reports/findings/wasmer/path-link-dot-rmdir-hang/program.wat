;; path_link(D, no lookup flags, ".", D, "x") then path_remove_directory(D, "x"),
;; D the preopened directory sandbox/ (there is no x in it).
;; Expected: path_link fails with 63 (perm: "." is a directory, and link(2)
;; of a directory gives EPERM), then path_remove_directory fails with 44
;; (noent: x does not exist); exit 0. Both calls return at once.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link"
    (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory"
    (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (data (i32.const 1024) ".")
  (data (i32.const 1032) "x")
  (data (i32.const 3840) "sandbox")
  (data (i32.const 4096) "path_link errno=")
  (data (i32.const 4128) "path_remove_directory errno=")
  (memory (export "memory") 1)
  ;; $print(msg, len, n): writes the len bytes at msg, then n in decimal,
  ;; then "\n" to stdout, as one iovec (built at 300).
  (func $print (param $msg i32) (param $len i32) (param $n i32)
    (local $p i32) (local $out i32) (local $i i32)
    (local.set $p (i32.const 160))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (local.get $n)))
    (local.set $out (i32.const 300))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (i32.store8 (local.get $out) (i32.load8_u (i32.add (local.get $msg) (local.get $i))))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
    (block $done
      (loop $copy
        (br_if $done (i32.ge_u (local.get $p) (i32.const 160)))
        (i32.store8 (local.get $out) (i32.load8_u (local.get $p)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $copy)))
    (i32.store8 (local.get $out) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 300))
    (i32.store (i32.const 4) (i32.sub (i32.add (local.get $out) (i32.const 1)) (i32.const 300)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
  ;; $preopen: the first descriptor from 3 on whose preopened directory is
  ;; named "sandbox" (program.json preopens the directory sandbox/ under
  ;; that name; the embedded wasmer puts a "/" preopen of its own at fd 3
  ;; first, other runtimes give "sandbox" fd 3), else 3.
  (func $preopen (result i32) (local $fd i32)
    (local.set $fd (i32.const 3))
    (block $none
      (loop $next
        ;; prestat at 240: tag u8 @0 (0 = dir), name length u32 @4
        (br_if $none (call $fd_prestat_get (local.get $fd) (i32.const 240)))
        (if (i32.eq (i32.load (i32.const 244)) (i32.const 7))
          (then
            (i64.store (i32.const 248) (i64.const 0))
            (drop (call $fd_prestat_dir_name (local.get $fd) (i32.const 248) (i32.const 7)))
            (if (i64.eq (i64.load (i32.const 248)) (i64.load (i32.const 3840)))
              (then (return (local.get $fd))))))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next)))
    (i32.const 3))
  (func (export "_start") (local $d i32)
    (local.set $d (call $preopen))
    ;; path_link(old_fd D, old_flags 0, ".", new_fd D, "x")
    (call $print (i32.const 4096) (i32.const 16)
      (call $path_link (local.get $d) (i32.const 0) (i32.const 1024) (i32.const 1)
        (local.get $d) (i32.const 1032) (i32.const 1)))
    (call $print (i32.const 4128) (i32.const 28)
      (call $path_remove_directory (local.get $d) (i32.const 1032) (i32.const 1)))
    (call $proc_exit (i32.const 0)))
)
