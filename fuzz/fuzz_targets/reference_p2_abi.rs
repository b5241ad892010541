//! WASI 0.2 host calls chosen by the input (random handles, lengths and
//! drops) into the reference host's 0.2 layer; any panic is a bug.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wasi_conform::fuzz::targets::reference_p2_abi(data));
