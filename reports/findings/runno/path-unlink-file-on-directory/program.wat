;; path_unlink_file on a directory that holds a file.
;; path_create_directory(3, "d"), path_open(3, "d/f", creat), then
;; path_unlink_file(3, "d"), then path_filestat_get(3, "d/f").
;; Expected: path_unlink_file returns 31 (isdir: "Return errno::isdir if the
;; path refers to a directory") and d/f still exists
;; ("path_filestat_get d/f errno=0").
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (data (i32.const 512) "d/f")
  (data (i32.const 4096) "path_create_directory d errno=")
  (data (i32.const 4128) "path_open d/f errno=")
  (data (i32.const 4160) "path_unlink_file d errno=")
  (data (i32.const 4192) "path_filestat_get d/f errno=")
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
  (func (export "_start")
    (call $print (i32.const 4096) (i32.const 30)
      (call $path_create_directory (i32.const 3) (i32.const 512) (i32.const 1)))
    ;; path_open(3, 0, "d/f", creat, rights fd_read|fd_write (0x42), 0, 0) -> fd at 200
    (call $print (i32.const 4128) (i32.const 20)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 3)
        (i32.const 1) (i64.const 0x42) (i64.const 0) (i32.const 0) (i32.const 200)))
    (call $print (i32.const 4160) (i32.const 25)
      (call $path_unlink_file (i32.const 3) (i32.const 512) (i32.const 1)))
    ;; filestat (64 bytes) at 1024
    (call $print (i32.const 4192) (i32.const 28)
      (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 3) (i32.const 1024)))
    (call $proc_exit (i32.const 0)))
)
