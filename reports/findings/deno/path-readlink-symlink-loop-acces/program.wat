;; path_readlink of a symlink that is part of a loop: the preopen (fd 3)
;; holds loop1 -> loop2 and loop2 -> loop1 (made by the runner);
;; path_readlink(3, "loop1", buf, 64) reads loop1's contents and follows
;; nothing.
;; Expected: "path_readlink errno=0", "bufused=5", "target=loop2".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink"
    (func $readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "loop1")
  (data (i32.const 1017) "target=")
  (data (i32.const 4096) "path_readlink errno=")
  (data (i32.const 4128) "bufused=")
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
    (local $used i32)
    (call $print (i32.const 4096) (i32.const 20) (i64.extend_i32_u
      (call $readlink (i32.const 3) (i32.const 512) (i32.const 5) (i32.const 1024) (i32.const 64) (i32.const 208))))
    (local.set $used (i32.load (i32.const 208)))
    (call $print (i32.const 4128) (i32.const 8) (i64.extend_i32_u (local.get $used)))
    ;; "target=" + the bytes read + "\n" (1017..1024+used)
    (i32.store8 (i32.add (i32.const 1024) (local.get $used)) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 1017))
    (i32.store (i32.const 4) (i32.add (local.get $used) (i32.const 8)))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))
