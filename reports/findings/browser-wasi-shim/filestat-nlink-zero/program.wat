;; path_link then path_filestat_get of both names: the program creates a.txt
;; in the preopen (fd 3), path_link(3, 0, "a.txt", 3, "h.txt"), then
;; path_filestat_get(3, 0, ...) of a.txt and of h.txt.
;; Expected: every errno 0, both nlink=2, "same inode=1".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link"
    (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 480) "hello\n")
  (data (i32.const 512) "a.txt")
  (data (i32.const 520) "h.txt")
  (data (i32.const 4096) "create a.txt errno=")
  (data (i32.const 4128) "path_link errno=")
  (data (i32.const 4160) "a.txt nlink=")
  (data (i32.const 4192) "h.txt nlink=")
  (data (i32.const 4224) "same inode=")
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

  ;; $mkfile(path, len): path_open(3, 0, path, creat|trunc, fd_write, 0, 0),
  ;; writes "hello\n", closes; returns path_open's errno.
  (func $mkfile (param $path i32) (param $len i32) (result i32)
    (local $e i32)
    (local.set $e (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $len)
      (i32.const 9) (i64.const 0x40) (i64.const 0) (i32.const 0) (i32.const 200)))
    (if (i32.eqz (local.get $e)) (then
      (i32.store (i32.const 16) (i32.const 480))
      (i32.store (i32.const 20) (i32.const 6))
      (drop (call $fd_write (i32.load (i32.const 200)) (i32.const 16) (i32.const 1) (i32.const 24)))
      (drop (call $fd_close (i32.load (i32.const 200))))))
    (local.get $e))
  (func (export "_start")
    (call $print (i32.const 4096) (i32.const 19) (i64.extend_i32_u (call $mkfile (i32.const 512) (i32.const 5))))
    (call $print (i32.const 4128) (i32.const 16) (i64.extend_i32_u
      (call $path_link (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 5) (i32.const 3) (i32.const 520) (i32.const 5))))
    ;; filestat: dev @0, ino @8, filetype @16, nlink @24, size @32, atim @40, mtim @48, ctim @56
    (drop (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 5) (i32.const 2048)))
    (drop (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 520) (i32.const 5) (i32.const 2112)))
    (call $print (i32.const 4160) (i32.const 12) (i64.load (i32.const 2072)))
    (call $print (i32.const 4192) (i32.const 12) (i64.load (i32.const 2136)))
    (call $print (i32.const 4224) (i32.const 11) (i64.extend_i32_u
      (i64.eq (i64.load (i32.const 2056)) (i64.load (i32.const 2120)))))))
