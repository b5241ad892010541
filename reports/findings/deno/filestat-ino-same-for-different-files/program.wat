;; path_filestat_get of two different files, "a" and "b", both created by
;; path_open(creat) in the preopen (fd 3); compares their filestat::ino.
;; Expected: both calls return 0 and "a.ino == b.ino: 0" (two distinct
;; files, neither a hard link of the other, have different serial numbers).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (data (i32.const 512) "a")
  (data (i32.const 520) "b")
  (data (i32.const 4096) "path_open a errno=")
  (data (i32.const 4128) "path_open b errno=")
  (data (i32.const 4160) "path_filestat_get a errno=")
  (data (i32.const 4192) "path_filestat_get b errno=")
  (data (i32.const 4224) "a.ino == b.ino: ")
  (data (i32.const 4256) "a.ino (low 32 bits)=")
  (data (i32.const 4288) "b.ino (low 32 bits)=")
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
    ;; path_open(3, 0, name, creat, rights fd_read (0x2), 0, 0) -> fd at 200
    (call $print (i32.const 4096) (i32.const 18)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1)
        (i32.const 1) (i64.const 0x2) (i64.const 0) (i32.const 0) (i32.const 200)))
    (call $print (i32.const 4128) (i32.const 18)
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 520) (i32.const 1)
        (i32.const 1) (i64.const 0x2) (i64.const 0) (i32.const 0) (i32.const 200)))
    ;; filestats (64 bytes each) at 1024 and 1088; ino is the u64 at offset 8
    (call $print (i32.const 4160) (i32.const 26)
      (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1) (i32.const 1024)))
    (call $print (i32.const 4192) (i32.const 26)
      (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 520) (i32.const 1) (i32.const 1088)))
    (call $print (i32.const 4224) (i32.const 16)
      (i64.eq (i64.load (i32.const 1032)) (i64.load (i32.const 1096))))
    (call $print (i32.const 4256) (i32.const 20) (i32.load (i32.const 1032)))
    (call $print (i32.const 4288) (i32.const 20) (i32.load (i32.const 1096)))
    (call $proc_exit (i32.const 0)))
)
