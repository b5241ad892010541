//! A call program on the reference host and on embedded wasmtime, judged
//! by the suite's rules; a new kind of divergence is minimised and written
//! to target/fuzz/diff_p1/, and the target keeps running.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasi_conform::fuzz::targets::diff_p1(data));
