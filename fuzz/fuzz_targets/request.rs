#![no_main]

use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOC: monban_fuzz_entry::alloc::Tracking = monban_fuzz_entry::alloc::Tracking;

fuzz_target!(|data: &[u8]| monban_fuzz_entry::request(data));
