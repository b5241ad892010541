;; poll_oneoff with one clock subscription: clock realtime, timeout 1 ns,
;; flags = subscription_clock_abstime. That deadline (1 ns after the epoch)
;; has already passed.
;; Expected: poll_oneoff returns at once, errno 0 and 1 clock event
;; (prints "poll_oneoff errno=0", "nevents=1"), then exit 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  ;; subscription (48 bytes) at 1024: userdata u64 @0 = 3, tag u8 @8 = 0 (clock),
  ;; id u32 @16 = 0 (realtime), timeout u64 @24 = 1, precision u64 @32 = 0,
  ;; flags u16 @40 = 1 (subscription_clock_abstime)
  (data (i32.const 1024) "\03\00\00\00\00\00\00\00" "\00\00\00\00\00\00\00\00"
                         "\00\00\00\00\00\00\00\00" "\01\00\00\00\00\00\00\00"
                         "\00\00\00\00\00\00\00\00" "\01\00")
  (data (i32.const 4096) "poll_oneoff errno=")
  (data (i32.const 4128) "nevents=")
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
    (call $print (i32.const 4096) (i32.const 18)
      (call $poll_oneoff (i32.const 1024) (i32.const 2048) (i32.const 1) (i32.const 200)))
    (call $print (i32.const 4128) (i32.const 8) (i32.load (i32.const 200)))
    (call $proc_exit (i32.const 0)))
)
