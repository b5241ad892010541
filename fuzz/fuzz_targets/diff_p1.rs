//! A call program on the reference host and on embedded wasmtime; panics
//! on any difference in trace, output, exit status or filesystem.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasi_conform::fuzz::targets::diff_p1(data));
