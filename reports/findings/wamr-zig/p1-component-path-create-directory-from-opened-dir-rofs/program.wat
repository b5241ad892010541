;; path_create_directory through a directory descriptor that path_open
;; returned: the program makes d in the preopen (fd 3), opens it with
;; path_open(3, 0, "d", oflags directory, rights_base path_create_directory|
;; path_open|fd_readdir, rights_inheriting the same), then
;; path_create_directory(fd, "made").
;; Expected: every errno 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "d")
  (data (i32.const 520) "made")
  (data (i32.const 4096) "path_create_directory d errno=")
  (data (i32.const 4128) "path_open d errno=")
  (data (i32.const 4160) "path_create_directory made (from d) errno=")
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
    (call $print (i32.const 4096) (i32.const 30) (i64.extend_i32_u
      (call $mkdir (i32.const 3) (i32.const 512) (i32.const 1))))
    ;; rights: path_create_directory (0x200) | path_open (0x2000) | fd_readdir (0x4000)
    (call $print (i32.const 4128) (i32.const 18) (i64.extend_i32_u
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1)
        (i32.const 2) (i64.const 0x6200) (i64.const 0x6200) (i32.const 0) (i32.const 200))))
    (call $print (i32.const 4160) (i32.const 42) (i64.extend_i32_u
      (call $mkdir (i32.load (i32.const 200)) (i32.const 520) (i32.const 4))))))
