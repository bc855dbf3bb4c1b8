#!/usr/bin/env bash
# demo.sh — a real login through libpam, pam_monban.so and monban-authd.
#
# Builds the workspace, starts the real daemon in a scratch directory under
# /tmp, registers a user with the real CLI, and runs PAM conversations
# through libpam (pam_start_confdir with a private service file that names
# target/debug/libpam_monban.so): a good login, a wrong password, and the
# next login reporting the failure. Then it shows `monban status`, stops the
# daemon and removes the scratch directory. Nothing in /etc is touched.
#
# Registering a user is an administrator's act, and root is the one
# administrator who needs no confirmation password, so the part after the
# build runs as root (through sudo when you are not root).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

if [ -t 1 ]; then
    bold=$'\e[1m' dim=$'\e[2m' reset=$'\e[0m'
else
    bold='' dim='' reset=''
fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$reset"; }
show() { printf '%s$ %s%s\n' "$dim" "$*" "$reset"; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- build
prepare() {
    command -v cargo >/dev/null 2>&1 ||
        [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ] ||
        die "cargo not found: install Rust (rustup, 1.85 or later) first"
    command -v cargo >/dev/null 2>&1 || export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

    # The module and the driver link libpam; the daemon links libcrypt.
    local missing=() p
    for p in libpam0g-dev libcrypt-dev gcc; do
        if command -v dpkg-query >/dev/null 2>&1; then
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
                missing+=("$p")
        fi
    done
    if ((${#missing[@]})); then
        step "installing ${missing[*]}"
        if [ "$(id -u)" -eq 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" ||
                { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; }
        elif command -v sudo >/dev/null 2>&1; then
            sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" ||
                { sudo apt-get update -q && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; }
        else
            die "missing Debian packages: ${missing[*]}; as root run: apt-get install ${missing[*]}"
        fi
    fi

    step "building the workspace (cargo build --workspace)"
    cargo build --workspace
}

# ---------------------------------------------------------------- run
run() {
    local bin=$1
    local b
    for b in monban-authd monban monban-pam-driver libpam_monban.so; do
        [ -e "$bin/$b" ] || die "$bin/$b is missing; run cargo build --workspace"
    done

    scratch=$(mktemp -d /tmp/monban-demo.XXXXXX)
    daemon_pid=
    trap cleanup EXIT INT TERM
    chmod 0755 "$scratch"

    local cfg=$scratch/monban.toml sock=$scratch/authd.sock
    step "configuration in $scratch"
    cat >"$cfg" <<EOF
# Everything lives in the scratch directory; Argon2 is made cheap so the
# demo is quick (the shipped defaults are 19 MiB and 2 passes).
[daemon]
socket = "$sock"
database = "$scratch/monban.db"
secret_key = "$scratch/secret.key"

[argon2]
memory_kib = 1024
iterations = 1
EOF
    cat "$cfg"

    step "starting monban-authd"
    show "monban-authd --config $cfg"
    "$bin/monban-authd" --config "$cfg" 2>"$scratch/authd.log" &
    daemon_pid=$!
    local waited=0
    until [ -S "$sock" ]; do
        kill -0 "$daemon_pid" 2>/dev/null || { cat "$scratch/authd.log" >&2; die "the daemon stopped"; }
        ((waited++ < 100)) || die "the daemon did not open $sock within 10 s"
        sleep 0.1
    done
    echo "listening on $sock (pid $daemon_pid)"

    local user=alice password='Tsubaki-2026' wrong='tsubaki-2025'
    step "registering $user (password read from stdin)"
    show "printf '%s\\n' '$password' | monban --config $cfg user add $user --password-stdin"
    printf '%s\n' "$password" | "$bin/monban" --config "$cfg" user add "$user" --password-stdin

    # A PAM service of our own, naming the module by absolute path.
    mkdir -p "$scratch/pam.d"
    local type
    for type in auth account password session; do
        printf '%-8s required %s socket=%s\n' "$type" "$bin/libpam_monban.so" "$sock"
    done >"$scratch/pam.d/monban-demo"
    step "PAM service file $scratch/pam.d/monban-demo"
    cat "$scratch/pam.d/monban-demo"

    local driver=("$bin/monban-pam-driver" --confdir "$scratch/pam.d" --service monban-demo
        --user "$user" --tty pts/7 --rhost 192.0.2.10)

    step "login with the right password: pam_authenticate, pam_acct_mgmt, pam_open_session"
    show "echo '$password' | monban-pam-driver --service monban-demo --user $user auth acct open"
    printf '%s\n' "$password" | "${driver[@]}" auth acct open

    step "login with a wrong password"
    show "echo '$wrong' | monban-pam-driver --service monban-demo --user $user auth"
    local status=0
    printf '%s\n' "$wrong" | "${driver[@]}" auth || status=$?
    echo "(driver exit status $status: the login was refused)"

    step "the next good login reports the failure"
    printf '%s\n' "$password" | "${driver[@]}" auth acct open

    step "what the daemon knows about $user"
    show "monban --config $cfg status $user"
    "$bin/monban" --config "$cfg" status "$user"

    step "stopping the daemon"
    kill -TERM "$daemon_pid"
    status=0
    wait "$daemon_pid" || status=$?
    daemon_pid=
    echo "monban-authd exited with status $status"
}

cleanup() {
    if [ -n "${daemon_pid:-}" ]; then
        kill -TERM "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    [ -n "${scratch:-}" ] && rm -rf "$scratch"
}

case "${1:-}" in
    --run-built)
        # Internal: the second half, re-entered as root through sudo.
        [ "$(id -u)" -eq 0 ] || die "--run-built needs root"
        run "${2:?--run-built BIN_DIR}"
        ;;
    "")
        prepare
        bin=${CARGO_TARGET_DIR:-$here/target}/debug
        case $bin in /*) ;; *) bin=$here/$bin ;; esac
        if [ "$(id -u)" -eq 0 ]; then
            run "$bin"
        elif command -v sudo >/dev/null 2>&1; then
            step "continuing as root (sudo): registering a user needs an administrator"
            exec sudo -- "$here/demo.sh" --run-built "$bin"
        else
            die "the rest needs root (to register a user with the daemon); run: su -c '$here/demo.sh'"
        fi
        ;;
    *)
        echo "usage: $0" >&2
        exit 2
        ;;
esac
