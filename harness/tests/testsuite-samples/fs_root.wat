;; Prints data.txt of the first preopen (fd 3), then creates new.txt there.
;; Exits 10 + n when step n fails.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "data.txt")
  (data (i32.const 120) "new.txt")
  (func (export "_start")
    ;; open data.txt with right fd_read (1 << 1); the fd lands at 0
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 8)
          (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0))
      (then (call $proc_exit (i32.const 11))))
    ;; read up to 256 bytes into 1024: iovec at 16, count at 24
    (i32.store (i32.const 16) (i32.const 1024))
    (i32.store (i32.const 20) (i32.const 256))
    (if (call $fd_read (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 24))
      (then (call $proc_exit (i32.const 12))))
    ;; write those bytes to stdout
    (i32.store (i32.const 20) (i32.load (i32.const 24)))
    (if (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 28))
      (then (call $proc_exit (i32.const 13))))
    ;; create new.txt: oflags creat, right fd_write (1 << 6)
    (if (call $path_open (i32.const 3) (i32.const 0) (i32.const 120) (i32.const 7)
          (i32.const 1) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0))
      (then (call $proc_exit (i32.const 14))))))
