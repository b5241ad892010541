;; Reads stdin with fd_read(0, ...) into a 64 KiB buffer until a call
;; returns 0 bytes (the end) or an error, but at most 5 calls that return
;; data, then prints how many bytes it got, how many fd_read calls returned
;; data, and the errno of the last call.
;; Expected, for N <= 65536 bytes of stdin: "stdin bytes=N", "reads=1" (or
;; more if the host returns short reads, never more than N bytes in all)
;; and "last errno=0".
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  ;; 0: iovec for reads {65536, 65536}; 8: nread; 16: iovec for writes;
  ;; 64: text; 65536..131071: read buffer.
  (data (i32.const 64) "stdin bytes=")
  (data (i32.const 96) "reads=")
  (data (i32.const 128) "last errno=")
  ;; Writes [ptr,len), then the decimal digits of $n (made at 200..220) and "\n".
  (func $print (param $ptr i32) (param $len i32) (param $n i32)
    (local $i i32) (local $k i32)
    (local.set $i (i32.const 220))
    (loop $d
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $d (i32.ne (local.get $n) (i32.const 0))))
    (i32.store8 (i32.const 220) (i32.const 10))
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 12)))
    (i32.store (i32.const 16) (local.get $i))
    (i32.store (i32.const 20) (i32.sub (i32.const 221) (local.get $i)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 12))))
  (func (export "_start")
    (local $total i32) (local $reads i32) (local $errno i32)
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (i32.const 65536))
    (block $done
      (loop $more
        (local.set $errno (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (i32.ne (local.get $errno) (i32.const 0)))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (local.set $reads (i32.add (local.get $reads) (i32.const 1)))
        (local.set $total (i32.add (local.get $total) (i32.load (i32.const 8))))
        (br_if $more (i32.lt_u (local.get $reads) (i32.const 5)))))
    (call $print (i32.const 64) (i32.const 12) (local.get $total))
    (call $print (i32.const 96) (i32.const 6) (local.get $reads))
    (call $print (i32.const 128) (i32.const 11) (local.get $errno))))
