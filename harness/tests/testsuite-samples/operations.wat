;; Does nothing: its spec is operation-based, so it is never run.
(module
  (memory (export "memory") 1)
  (func (export "_start")))
