//! `monban-test-crypt PASSWORD SETTING`: prints crypt(3) of PASSWORD with
//! SETTING (`$y$j9T$<salt>$`, `$6$<salt>$`) made by the system's libcrypt,
//! so the tests can write fake shadow files without python or mkpasswd.
// The whole binary is one libcrypt call.
#![allow(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use std::ffi::{CStr, CString, c_char};
use std::process::ExitCode;

#[link(name = "crypt")]
unsafe extern "C" {
    fn crypt(phrase: *const c_char, setting: *const c_char) -> *mut c_char;
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [password, setting] = args.as_slice() else {
        eprintln!("usage: monban-test-crypt PASSWORD SETTING");
        return ExitCode::from(2);
    };
    let (Ok(password), Ok(setting)) = (
        CString::new(password.as_str()),
        CString::new(setting.as_str()),
    ) else {
        eprintln!("monban-test-crypt: arguments contain NUL");
        return ExitCode::from(2);
    };
    // SAFETY: both arguments are valid NUL-terminated strings; crypt returns
    // null or a pointer to a static buffer, read before any other call.
    let hash = unsafe {
        let out = crypt(password.as_ptr(), setting.as_ptr());
        if out.is_null() {
            None
        } else {
            Some(CStr::from_ptr(out).to_string_lossy().into_owned())
        }
    };
    match hash {
        // libcrypt signals failure with a string starting with '*'.
        Some(h) if !h.starts_with('*') => {
            println!("{h}");
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("monban-test-crypt: libcrypt refused the setting");
            ExitCode::from(1)
        }
    }
}
