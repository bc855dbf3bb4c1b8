// glibc dlopens NSS modules by their versioned name; give the library
// that name as its soname too (as libnss_files.so.2 has).
fn main() {
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libnss_monban.so.2");
}
