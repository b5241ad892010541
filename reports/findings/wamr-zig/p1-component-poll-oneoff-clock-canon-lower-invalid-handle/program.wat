;; poll_oneoff with one clock subscription: clock monotonic, relative
;; timeout 1 ms (1000000 ns), precision 0, flags 0.
;; Expected: "poll_oneoff errno=0", "nevents=1" after about 1 ms.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; subscription (48 bytes) at 1024: userdata u64 @0 = 7, tag u8 @8 = 0 (clock),
  ;; id u32 @16 = 1 (monotonic), timeout u64 @24 = 1000000, precision u64 @32 = 0,
  ;; flags u16 @40 = 0
  (data (i32.const 1024) "\07\00\00\00\00\00\00\00" "\00\00\00\00\00\00\00\00"
                         "\01\00\00\00\00\00\00\00" "\40\42\0f\00\00\00\00\00"
                         "\00\00\00\00\00\00\00\00" "\00\00")
  (data (i32.const 4096) "poll_oneoff errno=")
  (data (i32.const 4128) "nevents=")
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
    ;; events (32 bytes each) at 2048, nevents at 208
    (call $print (i32.const 4096) (i32.const 18) (i64.extend_i32_u
      (call $poll_oneoff (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 208))))
    (call $print (i32.const 4128) (i32.const 8) (i64.extend_i32_u (i32.load (i32.const 208))))))
