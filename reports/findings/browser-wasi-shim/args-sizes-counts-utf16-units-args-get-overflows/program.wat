;; args_sizes_get then args_get, with non-ASCII arguments (run.mjs passes its
;; extra arguments, e.g. "héllo" "日本").
;; argv_buf (at 2048) is followed by guard bytes 0xAA;
;; the program counts how many bytes past argv_buf_size args_get changed.
;; Expected: argv_buf_size is the size in bytes (UTF-8, with the NULs) and
;; "bytes written past argv_buf_size=0".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (data (i32.const 4096) "args_sizes_get errno=")
  (data (i32.const 4128) "argc=")
  (data (i32.const 4144) "argv_buf_size=")
  (data (i32.const 4160) "args_get errno=")
  (data (i32.const 4192) "bytes written past argv_buf_size=")
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
    (local $i i32) (local $n i32)
    ;; guard: 0xAA in 2048..2048+512
    (local.set $i (i32.const 2048))
    (block $done (loop $fill
      (br_if $done (i32.ge_u (local.get $i) (i32.const 2560)))
      (i32.store8 (local.get $i) (i32.const 0xAA))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $fill)))
    (call $print (i32.const 4096) (i32.const 21)
      (call $args_sizes_get (i32.const 200) (i32.const 204)))
    (call $print (i32.const 4128) (i32.const 5) (i32.load (i32.const 200)))
    (call $print (i32.const 4144) (i32.const 14) (i32.load (i32.const 204)))
    ;; argv (pointers) at 1024, argv_buf at 2048
    (call $print (i32.const 4160) (i32.const 15)
      (call $args_get (i32.const 1024) (i32.const 2048)))
    (local.set $i (i32.add (i32.const 2048) (i32.load (i32.const 204))))
    (block $done (loop $scan
      (br_if $done (i32.ge_u (local.get $i) (i32.const 2560)))
      (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 0xAA))
        (then (local.set $n (i32.add (local.get $n) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $scan)))
    (call $print (i32.const 4192) (i32.const 33) (local.get $n))
    (call $proc_exit (i32.const 0)))
)
