;; environ_sizes_get then environ_get; writes the environ buffer (all the
;; bytes the sizes call reported) to stdout as it is, then "\n".
;; Run with FOO=bar, BAZ="qux quux", EMPTY= (empty value).
;; Expected (stdout through od -c): each "KEY=value" followed by \0, the
;; last byte of the buffer \0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 4096) "environ_sizes_get errno=")
  (data (i32.const 4128) "environ_get errno=")
  (data (i32.const 4160) "buffer:")
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
    ;; poison the string buffer (2048..3071) with 0xa5 so a missing NUL shows
    (memory.fill (i32.const 2048) (i32.const 0xa5) (i32.const 1024))
    (call $print (i32.const 4096) (i32.const 24) (i64.extend_i32_u
      (call $sizes (i32.const 200) (i32.const 204))))
    (call $print (i32.const 4128) (i32.const 18) (i64.extend_i32_u
      (call $environ_get (i32.const 1024) (i32.const 2048))))
    (call $print (i32.const 4160) (i32.const 7) (i64.load32_u (i32.const 204)))
    (i32.store (i32.const 16) (i32.const 2048))
    (i32.store (i32.const 20) (i32.load (i32.const 204)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))
