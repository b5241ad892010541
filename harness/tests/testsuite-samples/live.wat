;; Does nothing: its spec needs a live guest, so it is never run.
(module
  (memory (export "memory") 1)
  (func (export "_start")))
