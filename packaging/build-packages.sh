#!/usr/bin/env bash
# Builds target/debian/monban_*.deb and target/generate-rpm/monban-*.rpm.
#
#   packaging/build-packages.sh            # build both
#   packaging/build-packages.sh --check    # and inspect them (dpkg-deb,
#                                          # lintian, rpm) when those exist
#
# Needs cargo-deb and cargo-generate-rpm:
#   cargo install cargo-deb cargo-generate-rpm
# and, to build, libpam0g-dev, libcrypt-dev, pkg-config and a C compiler.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"   # cargo-generate-rpm resolves asset paths from here

check=false
case "${1:-}" in
    --check) check=true ;;
    "") ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

for tool in cargo-deb cargo-generate-rpm; do
    if ! command -v "$tool" >/dev/null; then
        echo "$0: $tool is missing: cargo install cargo-deb cargo-generate-rpm" >&2
        exit 1
    fi
done

target=${CARGO_TARGET_DIR:-$root/target}

cargo build --release --workspace --locked

# Packages carry stripped binaries; debugging symbols stay in target/.
strip --strip-unneeded --remove-section=.comment \
    "$target/release/libpam_monban.so" "$target/release/libnss_monban.so"
strip --remove-section=.comment "$target/release/monban-authd" "$target/release/monban"

# rpm packages man pages as they are given; Debian's and Fedora's both
# expect them compressed (cargo-deb compresses on its own).
mkdir -p "$target/release/man"
for page in packaging/man/*.[0-9]; do
    gzip -9nc "$page" >"$target/release/man/$(basename "$page").gz"
done

cargo deb -p monban-authd --no-build --no-strip
cargo generate-rpm -p authd

deb=$(ls -t "$target"/debian/monban_*.deb | head -n 1)
rpm=$(ls -t "$target"/generate-rpm/monban-*.rpm | head -n 1)
echo "built $deb"
echo "built $rpm"

if $check; then
    if command -v dpkg-deb >/dev/null; then
        dpkg-deb --info "$deb"
        dpkg-deb --contents "$deb"
    fi
    if command -v lintian >/dev/null; then
        lintian --info --display-info --pedantic "$deb" || true
    fi
    if command -v rpm >/dev/null; then
        rpm -qip "$rpm"
        rpm -qlvp "$rpm"
        rpm -qp --scripts "$rpm"
        rpm -qp --requires "$rpm"
        rpm -qp --configfiles "$rpm"
    fi
fi
