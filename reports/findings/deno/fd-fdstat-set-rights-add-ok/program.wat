;; fd_fdstat_set_rights that would add a right: path_open creates "f" in the
;; preopen (fd 3) with rights_base fd_read (0x2) only, then
;; fd_fdstat_set_rights(fd, fd_read|fd_write (0x42), 0) asks for fd_write too.
;; Expected: "path_open errno=0" and "fd_fdstat_set_rights errno=76"
;; (notcapable; the suite also accepts 58, notsup).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights"
    (func $set_rights (param i32 i64 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "f")
  (data (i32.const 4096) "path_open errno=")
  (data (i32.const 4128) "fd_fdstat_set_rights errno=")
  ;; $print(msg, len, n): writes the len bytes at msg, then n (unsigned
  ;; 64-bit) in decimal, then "\n" to stdout, as one iovec (built at 300).
  (func $print (param $msg i32) (param $len i32) (param $n i64)
    (local $p i32) (local $out i32) (local $i i32)
    (local.set $p (i32.const 190))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p)
        (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10))))
      (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $n) (i64.const 0))))
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
        (br_if $done (i32.ge_u (local.get $p) (i32.const 190)))
        (i32.store8 (local.get $out) (i32.load8_u (local.get $p)))
        (local.set $out (i32.add (local.get $out) (i32.const 1)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $copy)))
    (i32.store8 (local.get $out) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 300))
    (i32.store (i32.const 4) (i32.sub (i32.add (local.get $out) (i32.const 1)) (i32.const 300)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))))
  (func (export "_start")
    ;; path_open(3, dirflags 0, "f", oflags creat (1), rights_base fd_read, inheriting 0, fdflags 0)
    (call $print (i32.const 4096) (i32.const 16) (i64.extend_i32_u
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1)
        (i32.const 1) (i64.const 0x2) (i64.const 0) (i32.const 0) (i32.const 200))))
    (call $print (i32.const 4128) (i32.const 27) (i64.extend_i32_u
      (call $set_rights (i32.load (i32.const 200)) (i64.const 0x42) (i64.const 0))))))
