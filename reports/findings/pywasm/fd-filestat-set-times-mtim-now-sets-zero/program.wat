;; fd_filestat_set_times with fst_flags mtim_now: the program creates f in
;; the preopen (fd 3) with rights fd_filestat_get|fd_filestat_set_times,
;; sets its times to atim 0, mtim 1000000000 (1 s after the epoch, flags
;; atim|mtim), then calls fd_filestat_set_times(fd, 0, 0, mtim_now) and
;; fd_filestat_get, and prints mtim in seconds.
;; Expected: every errno 0 and "mtim seconds" the current Unix time (well
;; above 1).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times"
    (func $set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get"
    (func $filestat (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "f")
  (data (i32.const 4096) "path_open f errno=")
  (data (i32.const 4128) "set_times atim|mtim errno=")
  (data (i32.const 4160) "set_times mtim_now errno=")
  (data (i32.const 4192) "fd_filestat_get errno=")
  (data (i32.const 4224) "mtim seconds=")
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
    (call $print (i32.const 4096) (i32.const 18) (i64.extend_i32_u
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 512) (i32.const 1)
        (i32.const 1) (i64.const 0xa00000) (i64.const 0) (i32.const 0) (i32.const 200))))
    (call $print (i32.const 4128) (i32.const 26) (i64.extend_i32_u
      (call $set_times (i32.load (i32.const 200)) (i64.const 0) (i64.const 1000000000) (i32.const 5))))
    ;; fst_flags mtim_now (8)
    (call $print (i32.const 4160) (i32.const 25) (i64.extend_i32_u
      (call $set_times (i32.load (i32.const 200)) (i64.const 0) (i64.const 0) (i32.const 8))))
    (call $print (i32.const 4192) (i32.const 22) (i64.extend_i32_u
      (call $filestat (i32.load (i32.const 200)) (i32.const 2048))))
    (call $print (i32.const 4224) (i32.const 13) (i64.div_u (i64.load (i32.const 2096)) (i64.const 1000000000)))))
