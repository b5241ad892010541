;; fd_seek(fd, 0, whence::cur) on a descriptor that has rights::fd_tell but
;; not rights::fd_seek.
;; path_open creates "f" in the preopen (fd 3) with rights_base
;; fd_read|fd_tell only; fd_tell and then fd_seek(0, cur) are called on it.
;; Expected: "path_open errno=0", "fd_tell errno=0", "fd_seek errno=0".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell"
    (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek"
    (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (data (i32.const 512) "f")
  (data (i32.const 4096) "path_open errno=")
  (data (i32.const 4128) "fd_tell errno=")
  (data (i32.const 4160) "fd_seek errno=")
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
    ;; path_open(3, dirflags 0, "f", oflags creat (1),
    ;;           rights_base fd_read (0x2) | fd_tell (0x20), inheriting 0, fdflags 0)
    (call $print (i32.const 4096) (i32.const 16)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1)
        (i32.const 1) (i64.const 0x22) (i64.const 0) (i32.const 0) (i32.const 200)))
    (call $print (i32.const 4128) (i32.const 14)
      (call $fd_tell (i32.load (i32.const 200)) (i32.const 208)))
    ;; fd_seek(fd, offset 0, whence cur (1))
    (call $print (i32.const 4160) (i32.const 14)
      (call $fd_seek (i32.load (i32.const 200)) (i64.const 0) (i32.const 1) (i32.const 216)))
    (call $proc_exit (i32.const 0)))
)
