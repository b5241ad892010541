;; Sandbox escape: path_unlink_file(3, "/a.txt") with an absolute path.
;; The preopen is fd 3; a WASI path is relative to its directory
;; descriptor, so "/a.txt" must not reach the host's root.
;; Expected: errno 63 (perm) or 76 (notcapable), and the host's /a.txt
;; (if there is one) untouched.
(module
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $unlink (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 512) "/a.txt")
  (data (i32.const 600) "path_unlink_file errno=")
  ;; Prints "path_unlink_file errno=N\n" (N < 100).
  (func (export "_start")
    (local $errno i32)
    (local.set $errno (call $unlink (i32.const 3) (i32.const 512) (i32.const 6)))
    (i32.store8 (i32.const 623) (i32.add (i32.const 48) (i32.div_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 624) (i32.add (i32.const 48) (i32.rem_u (local.get $errno) (i32.const 10))))
    (i32.store8 (i32.const 625) (i32.const 10))
    (i32.store (i32.const 0) (i32.const 600))
    (i32.store (i32.const 4) (i32.const 26))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))))
