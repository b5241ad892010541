//! Raw preview1 calls with arbitrary arguments into the reference host's
//! ABI layer; any panic is a bug.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasi_conform::fuzz::targets::reference_abi(data));
