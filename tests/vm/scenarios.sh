# Scenarios of the real-system lab, sourced by tests/vm/run once the guest
# answers ssh. Each scenario is a function scenario_X with its own checks;
# each check prints PASS or FAIL, each scenario a summary line, and the run
# exits 1 if any check failed.
#
# Uses from tests/vm/run: gssh, gscp, say, now, elapsed, start_vm, stop_vm,
# wait_ssh, $deb, $port, $key, $run_dir, $serial_log, $serial_pty,
# $qemu_pid, $root, $ssh_opts.

set +e
failed_checks=0
scenario_failed=0
results=()

check() { # check DESCRIPTION COMMAND... : the command's status decides
    local desc=$1; shift
    if "$@"; then
        printf '[vm]   PASS %s\n' "$desc"
    else
        printf '[vm]   FAIL %s\n' "$desc"
        failed_checks=$((failed_checks + 1))
        scenario_failed=1
    fi
}
contains() { grep -qF -- "$2" <<<"$1"; }
lacks() { ! grep -qF -- "$2" <<<"$1"; }
under() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

# The managed user and the password monban holds for them.
LAB_USER=alice
LAB_PW='Quiet-Harbour-Lantern-47'
WRONG_PW='not-her-password-1'
UNMANAGED_USER=bob
UNMANAGED_PW='Bob-Shadow-Pass-93'

# Keyboard-interactive ssh from the host through the forwarded port, into
# an interactive shell on a terminal: sshd shows the PAM session's messages
# ("Last login") only to a login without a command. At the shell prompt
# the script types `echo LOGGED-IN-AS-$(id -un); exit`.
# kbd_ssh USER 'ANSWER1\nANSWER2...': the transcript on stdout, ssh's exit
# status (255: refused; 254: more prompts than answers; 253: timeout).
cat >"$run_dir/kbd.exp" <<'EOF'
set timeout 90
set answers [split $env(KBD_ANSWERS) "\n"]
set i 0
spawn -noecho ssh {*}$argv
expect {
    -re {(?i)(password|code|retype)[^\r\n]*: ?$} {
        if {$i >= [llength $answers]} { puts "\n<no more answers>"; exit 254 }
        send -- "[lindex $answers $i]\r"
        incr i
        exp_continue
    }
    -re {[$#] ?$} {
        send -- {echo LOGGED-IN-AS-$(id -un); exit}
        send -- "\r"
        exp_continue
    }
    timeout { puts "\n<timeout>"; exit 253 }
    eof
}
lassign [wait] pid spawnid os_error value
exit $value
EOF
# LogLevel=INFO: ssh prints a keyboard-interactive request's instruction
# text (where sshd puts PAM's messages after a refusal, the suspension
# notice among them) with logit(), which LogLevel=ERROR silences.
kbd_ssh() {
    local user=$1 answers=$2
    KBD_ANSWERS=$(printf '%b' "$answers") expect "$run_dir/kbd.exp" \
        -tt -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=INFO -o PubkeyAuthentication=no -o PasswordAuthentication=no \
        -o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
        "$user@127.0.0.1"
}

# --- (a) dpkg -i: the daemon, its hardening, its socket, its journal -----
scenario_a() {
    gscp "$deb" root@127.0.0.1:/root/monban.deb
    local out
    out=$(gssh 'dpkg -i /root/monban.deb 2>&1'); local rc=$?
    printf '%s\n' "$out" | sed 's/^/[guest]   /'
    check "dpkg -i exits 0" test "$rc" = 0
    out=$(gssh 'systemctl is-active monban-authd')
    check "systemctl is-active monban-authd: active (got '$out')" test "$out" = active
    gssh 'systemctl status --no-pager monban-authd' | sed 's/^/[guest]   /'
    out=$(gssh 'systemd-analyze security --no-pager monban-authd.service 2>&1')
    printf '%s\n' "$out" | grep -E '^✗' | sed 's/^/[guest]   /'
    local exposure
    exposure=$(printf '%s\n' "$out" | sed -n 's/.*Overall exposure level for monban-authd.service: \([0-9.]*\).*/\1/p')
    say "FIGURE systemd-analyze security exposure: ${exposure:-?} (goal <= 2.0)"
    check "systemd-analyze security exposure ${exposure:-?} <= 2.0" under "${exposure:-99}" 2.0
    out=$(gssh 'stat -c "%a %U %F" /run/monban /run/monban/authd.sock')
    printf '%s\n' "$out" | sed 's/^/[guest]   /'
    check "/run/monban is a 0755 directory" contains "$out" "755 monban directory"
    check "/run/monban/authd.sock is a 0666 socket" contains "$out" "666 monban socket"
    out=$(gssh 'journalctl -u monban-authd --no-pager -o cat -b')
    printf '%s\n' "$out" | sed 's/^/[journal] /'
    local errs
    errs=$(gssh 'journalctl -u monban-authd --no-pager -o cat -b -p err'; \
        printf '%s\n' "$out" | grep -iE 'error|panic|fail' )
    check "journalctl -u monban-authd has no error lines" test -z "$errs"
    out=$(gssh 'monban-authd --check-config 2>&1'); rc=$?
    check "monban-authd --check-config ($out)" test "$rc" = 0
}

# --- (b) pam-auth-update --enable monban ---------------------------------
scenario_b() {
    local rc out f
    gssh 'pam-auth-update --enable monban' 2>&1 | sed 's/^/[guest]   /'; rc=${PIPESTATUS[0]}
    check "pam-auth-update --enable monban exits 0" test "$rc" = 0
    for f in auth account password session; do
        out=$(gssh "grep -v '^#' /etc/pam.d/common-$f | grep -v '^\$'")
        printf '%s\n' "$out" | sed "s/^/[common-$f] /"
        check "common-$f names pam_monban.so" contains "$out" pam_monban.so
    done
    out=$(gssh "grep -v '^#' /etc/pam.d/common-auth | grep -v '^\$' | head -n 2")
    check "common-auth: pam_monban ahead of pam_unix" \
        test "$(sed -n 1p <<<"$out" | grep -c pam_monban)$(sed -n 2p <<<"$out" | grep -c pam_unix)" = 11
}

# The README's sshd_config lines (section "Hand-written stacks"), which a
# Debian administrator needs too: Debian's sshd_config turns
# keyboard-interactive off.
enable_kbd_interactive() {
    gssh 'printf "UsePAM yes\nKbdInteractiveAuthentication yes\nPasswordAuthentication no\nPrintLastLog no\n" >/etc/ssh/sshd_config.d/monban.conf && systemctl reload ssh' || return 1
    # sshd re-executes itself on SIGHUP: connections right after are reset.
    local i
    sleep 1
    for i in $(seq 1 40); do gssh true 2>/dev/null && return 0; sleep 0.5; done
    return 1
}

suspend_user() { # five wrong passwords over ssh
    local i out
    for i in 1 2 3 4 5; do
        out=$(kbd_ssh "$LAB_USER" "$WRONG_PW" 2>&1)
    done
    printf '%s\n' "$out" | tr -d '\r' | sed 's/^/[ssh]   /'
}

# --- (c) a managed user through the real sshd -----------------------------
scenario_c() {
    local out rc t0
    enable_kbd_interactive
    check "sshd reloaded with keyboard-interactive" test $? = 0
    gssh "useradd -m -s /bin/bash $LAB_USER && printf '%s\n' '$LAB_PW' | monban user add $LAB_USER --password-stdin && usermod -L $LAB_USER"
    check "useradd + monban user add + usermod -L" test $? = 0
    t0=$(now)
    out=$(kbd_ssh "$LAB_USER" "$LAB_PW" 2>&1); rc=$?
    say "FIGURE managed user's keyboard-interactive login (Argon2id included): $(elapsed "$t0" "$(now)") s"
    printf '%s\n' "$out" | tr -d '\r' | sed 's/^/[ssh]   /'
    check "first login of $LAB_USER succeeds" contains "$out" "LOGGED-IN-AS-$LAB_USER"
    out=$(kbd_ssh "$LAB_USER" "$LAB_PW" 2>&1)
    printf '%s\n' "$out" | tr -d '\r' | sed 's/^/[ssh]   /'
    check "second login shows monban's last-login notice" contains "$out" "Last login:"
    check "the notice names the service" contains "$out" "(sshd)"
    out=$(kbd_ssh "$LAB_USER" "$WRONG_PW" 2>&1)
    check "a wrong password is refused" lacks "$out" "LOGGED-IN-AS-$LAB_USER"
    suspend_user
    out=$(kbd_ssh "$LAB_USER" "$LAB_PW" 2>&1)
    printf '%s\n' "$out" | tr -d '\r' | sed 's/^/[ssh]   /'
    check "the right password after 5 failures is refused" lacks "$out" "LOGGED-IN-AS-$LAB_USER"
    check "and the user is told the password is suspended" contains "$out" "suspended"
    out=$(gssh "monban user list --locked")
    printf '%s\n' "$out" | sed 's/^/[guest]   /'
    check "monban user list --locked names $LAB_USER" contains "$out" "$LAB_USER"
    gssh "monban user unlock $LAB_USER"
    check "monban user unlock $LAB_USER as root" test $? = 0
    out=$(kbd_ssh "$LAB_USER" "$LAB_PW" 2>&1)
    printf '%s\n' "$out" | tr -d '\r' | sed 's/^/[ssh]   /'
    check "after the unlock $LAB_USER logs in" contains "$out" "LOGGED-IN-AS-$LAB_USER"
    check "and is told of the failed attempts" contains "$out" "failed login attempts since the last successful login"
}

# --- (d) the daemon stopped -----------------------------------------------
scenario_d() {
    local out t0 t
    gssh 'systemctl stop monban-authd'
    check "monban-authd stopped" test "$(gssh 'systemctl is-active monban-authd')" = inactive
    t0=$(now); out=$(gssh 'echo ROOT-IN'); t=$(elapsed "$t0" "$(now)")
    check "root logs in with its key while the daemon is down ($t s)" contains "$out" ROOT-IN
    check "  and within 5 s" under "$t" 5
    t0=$(now)
    out=$(kbd_ssh "$LAB_USER" "$LAB_PW" 2>&1)
    t=$(elapsed "$t0" "$(now)")
    printf '%s\n' "$out" | tr -d '\r' | sed 's/^/[ssh]   /'
    check "$LAB_USER (shadow password locked) is refused while the daemon is down ($t s)" lacks "$out" "LOGGED-IN-AS-$LAB_USER"
    check "  and the refusal comes within 20 s" under "$t" 20
    gssh 'systemctl start monban-authd'
    check "monban-authd started again" test "$(gssh 'systemctl is-active monban-authd')" = active
}

# --- (e) a reboot ---------------------------------------------------------
scenario_e() {
    local out t0 t
    suspend_user
    out=$(gssh "monban user list --locked")
    check "$LAB_USER suspended before the reboot" contains "$out" "$LAB_USER"
    local failures otp
    failures=$(gssh "monban status $LAB_USER" | grep -E '^Failures since')
    otp=$(gssh "monban status $OTP_USER" | grep -E '^One-time password')
    say "before the reboot: $LAB_USER '$failures', $OTP_USER '$otp'"
    t0=$(now)
    gssh 'systemctl reboot' 2>/dev/null
    # Wait for the old sshd to go away before waiting for the new one.
    local i
    for i in $(seq 1 60); do gssh true 2>/dev/null || break; sleep 0.5; done
    t=$(wait_ssh "$t0")
    say "FIGURE reboot (systemctl reboot -> ssh answers): $t s"
    out=$(gssh 'systemctl is-active monban-authd')
    check "monban-authd active after the reboot" test "$out" = active
    out=$(gssh "monban user list --locked")
    printf '%s\n' "$out" | sed 's/^/[guest]   /'
    check "the suspension of $LAB_USER survived the reboot" contains "$out" "$LAB_USER"
    out=$(kbd_ssh "$LAB_USER" "$LAB_PW" 2>&1)
    check "  and still refuses the right password" lacks "$out" "LOGGED-IN-AS-$LAB_USER"
    out=$(gssh "monban status $LAB_USER" | grep -E '^Failures since')
    check "the failure count survived ('$out')" test -n "$failures" -a "$out" = "$failures"
    out=$(gssh "monban status $OTP_USER" | grep -E '^One-time password')
    check "$OTP_USER's OTP enrolment survived ('$out')" test -n "$otp" -a "$out" = "$otp"
    local m s u
    m=$(gssh 'systemctl show -P ActiveEnterTimestampMonotonic monban-authd.service')
    u=$(gssh 'systemctl show -P ActiveEnterTimestampMonotonic systemd-user-sessions.service')
    s=$(gssh 'systemctl show -P ActiveEnterTimestampMonotonic ssh.service')
    say "active at (µs since boot): monban-authd $m, systemd-user-sessions $u, ssh $s"
    check "monban-authd was active before systemd-user-sessions lifted /run/nologin" test "$m" -gt 0 -a "$m" -le "$u"
    out=$(gssh "grep -E '^account.*pam_nologin' /etc/pam.d/sshd")
    check "sshd's stack holds non-root logins until then (pam_nologin: $out)" test -n "$out"
    gssh "monban user unlock $LAB_USER"
    check "unlocked again" test $? = 0
}

# --- (f) apt-get remove, then purge ---------------------------------------
scenario_f() {
    local out
    ensure_unmanaged_user
    if gssh 'grep -qs pam_monban /etc/pam.d/sudo'; then
        # (j) installed the shipped sudo file: removal must refuse.
        out=$(gssh 'DEBIAN_FRONTEND=noninteractive apt-get remove -y monban 2>&1'); local rc=$?
        printf '%s\n' "$out" | tail -n 6 | show guest
        check "apt-get remove refuses while /etc/pam.d/sudo names pam_monban (exit $rc)" test "$rc" != 0
        check "  and names the file" contains "$out" "/etc/pam.d/sudo"
        check "  and leaves the package installed and running" \
            test "$(gssh "dpkg-query -W -f='\${Status}' monban; systemctl is-active monban-authd")" = "install ok installedactive"
        gssh 'cp -p /root/pam.d-sudo.debian /etc/pam.d/sudo'
        check "Debian's /etc/pam.d/sudo restored" test $? = 0
    fi
    out=$(gssh 'DEBIAN_FRONTEND=noninteractive apt-get remove -y monban 2>&1'); local rc=$?
    printf '%s\n' "$out" | tail -n 8 | sed 's/^/[guest]   /'
    check "apt-get remove monban exits 0" test "$rc" = 0
    if gssh "grep -qE '^passwd:.* monban' /etc/nsswitch.conf"; then
        # (n) enabled NSS: the file stays the administrator's, and works.
        check "  and says nsswitch.conf still names monban" contains "$out" "still names monban"
        check "  getent passwd root answers with libnss_monban.so.2 gone" \
            test "$(gssh 'getent passwd root | cut -d: -f1')" = root
        check "  the monban-only $NSS_USER is unknown now" gssh "! getent passwd $NSS_USER"
    fi
    out=$(gssh "grep -l pam_monban /etc/pam.d/* 2>/dev/null")
    check "no file in /etc/pam.d names pam_monban after remove ($out)" test -z "$out"
    check "root logs in after remove" test "$(gssh 'echo ROOT-IN')" = ROOT-IN
    out=$(kbd_ssh "$UNMANAGED_USER" "$UNMANAGED_PW" 2>&1)
    printf '%s\n' "$out" | tr -d '\r' | sed 's/^/[ssh]   /'
    check "an unmanaged user ($UNMANAGED_USER, pam_unix) logs in after remove" contains "$out" "LOGGED-IN-AS-$UNMANAGED_USER"
    out=$(gssh 'test -d /var/lib/monban && echo state-kept')
    check "remove keeps /var/lib/monban" test "$out" = state-kept
    out=$(gssh 'DEBIAN_FRONTEND=noninteractive apt-get purge -y monban 2>&1'); rc=$?
    printf '%s\n' "$out" | tail -n 4 | sed 's/^/[guest]   /'
    check "apt-get purge monban exits 0" test "$rc" = 0
    out=$(gssh 'ls -d /var/lib/monban /etc/monban/secret.key 2>/dev/null')
    check "purge deleted /var/lib/monban and /etc/monban/secret.key ($out)" test -z "$out"
}

# --- (g) a suspended user's public-key login ------------------------------
# Needs (c): alice registered. sshd skips the auth stack for a key, so only
# monban's account check can refuse it.
scenario_g() {
    local out
    gssh "install -d -m 0700 -o $LAB_USER -g $LAB_USER /home/$LAB_USER/.ssh && install -m 0600 -o $LAB_USER -g $LAB_USER /root/.ssh/authorized_keys /home/$LAB_USER/.ssh/authorized_keys"
    out=$(ssh "${ssh_opts[@]}" -i "$key" -o BatchMode=yes "$LAB_USER@127.0.0.1" 'echo KEY-IN-AS-$(id -un)' 2>&1)
    check "$LAB_USER logs in with a key while not suspended" contains "$out" "KEY-IN-AS-$LAB_USER"
    suspend_user
    out=$(ssh "${ssh_opts[@]}" -i "$key" -o BatchMode=yes -o LogLevel=INFO "$LAB_USER@127.0.0.1" 'echo KEY-IN-AS-$(id -un)' 2>&1)
    local rc=$?
    printf '%s\n' "$out" | sed 's/^/[ssh key]   /'
    check "a suspended $LAB_USER's public-key login is refused (ssh exit $rc)" test "$rc" = 255
    check "  and runs nothing" lacks "$out" "KEY-IN-AS-$LAB_USER"
    out=$(gssh "journalctl -u ssh --no-pager -o cat -n 5")
    printf '%s\n' "$out" | sed 's/^/[sshd]   /'
    gssh "monban user unlock $LAB_USER"
    check "unlocked again" test $? = 0
}

# --- scripted dialogues (tests/vm/dialog.exp) -----------------------------
# Steps are added with st REGEX ANSWER and run with one of the drivers
# below; each returns the program's status.
steps=()
st() { steps+=("$1"$'\t'"$2"); }
# The transcript goes to $run_dir/dialog.out (read it with last_dialog),
# not to a $(...) subshell, so that the steps are reset here for the next.
run_dialog() {
    local rc
    DIALOG=$(printf '%s\n' "${steps[@]}") DIALOG_TIMEOUT=${DIALOG_TIMEOUT:-90} \
        DIALOG_SECRET=$run_dir/totp.secret expect "$root/tests/vm/dialog.exp" "$@" \
        >"$run_dir/dialog.out" 2>&1
    rc=$?
    steps=()
    return "$rc"
}
last_dialog() { cat "$run_dir/dialog.out"; }
# A keyboard-interactive ssh login of USER, then the dialogue.
user_dialog() {
    run_dialog ssh -tt -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o LogLevel=INFO -o PubkeyAuthentication=no -o PasswordAuthentication=no \
        -o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
        "$1@127.0.0.1"
}
# Root's key login with a terminal, then the dialogue.
root_dialog() { run_dialog ssh -tt "${ssh_opts[@]}" -i "$key" root@127.0.0.1; }
# The guest's serial console (ttyS0, where a getty runs), then the dialogue.
serial_dialog() { run_dialog socat -,raw,echo=0 "$serial_pty,raw,echo=0"; }
show() { tr -d '\r' | sed "s/^/[$1]   /"; }
# The shell prompt of USER (bash's Debian default PS1).
prompt_of() { printf '%s@monban-lab:[^$#]*[$#] $' "$1"; }
SAY_DONE='echo LOGGED-IN-AS-$(id -un); exit'
# audit_of USER SERVICE-REGEX: USER's audit entries from that PAM service,
# one JSON object per line.
audit_of() {
    gssh "monban --json log --user $1" | tr '{' '\n' | grep -E "\"service\":\"$2\""
}

TEMP_PW='Temporary-Kettle-Brook-31'
NEW_PW='Renewed-Orchard-Signal-64'
CLI_PW='Chosen-Lighthouse-Ferry-19'
PASSWD_PW='Typed-Passwd-Garden-83'
CONFIRM_PW='Second-Lock-Meadow-58'
OTP_USER=carol
OTP_PW='Winter-Compass-River-25'

# --- (h) a temporary password changed inside the ssh login ----------------
# Changes alice's password twice; LAB_PW follows for the later scenarios.
scenario_h() {
    local out rc
    out=$(gssh "printf '%s\n' '$TEMP_PW' | monban user reset $LAB_USER --password-stdin" 2>&1)
    printf '%s\n' "$out" | show guest
    check "monban user reset $LAB_USER --password-stdin" test $? = 0
    st 'Password: $' "$TEMP_PW"
    st 'Current password: $' "$TEMP_PW"
    st 'New password: $' "$NEW_PW"
    st 'Retype new password: $' "$NEW_PW"
    st "$(prompt_of "$LAB_USER")" "$SAY_DONE"
    user_dialog "$LAB_USER"; rc=$?; out=$(last_dialog)
    printf '%s\n' "$out" | show ssh
    check "the temporary password, changed at the forced prompts, opens the shell (exit $rc)" contains "$out" "LOGGED-IN-AS-$LAB_USER"
    out=$(kbd_ssh "$LAB_USER" "$TEMP_PW" 2>&1)
    check "the temporary password is refused afterwards" lacks "$out" "LOGGED-IN-AS-$LAB_USER"
    # [password] history = 5: each later password is a new one.
    st 'Password: $' "$NEW_PW"
    st "$(prompt_of "$LAB_USER")" 'monban passwd'
    st 'Current password: $' "$NEW_PW"
    st 'New password: $' "$CLI_PW"
    st 'Retype new password: $' "$CLI_PW"
    st "$(prompt_of "$LAB_USER")" "$SAY_DONE"
    user_dialog "$LAB_USER"; out=$(last_dialog)
    printf '%s
' "$out" | show ssh
    check "the new password logs in; monban passwd changes it again" contains "$out" "LOGGED-IN-AS-$LAB_USER"
    out=$(kbd_ssh "$LAB_USER" "$CLI_PW" 2>&1)
    check "  to one that then logs in" contains "$out" "LOGGED-IN-AS-$LAB_USER"
    LAB_PW=$CLI_PW
}

# --- (i) OTP enrolment over ssh, then password + code ----------------------
scenario_i() {
    local out rc
    gssh "useradd -m -s /bin/bash $OTP_USER && printf '%s\n' '$OTP_PW' | monban user add $OTP_USER --password-stdin && usermod -L $OTP_USER"
    check "$OTP_USER registered" test $? = 0
    rm -f "$run_dir/totp.secret" "$run_dir/totp.secret.step"
    st 'Password: $' "$OTP_PW"
    st "$(prompt_of "$OTP_USER")" 'monban otp enroll'
    st 'Password: $' "$OTP_PW"
    st 'Secret: +([A-Z2-7]+)' @secret
    st 'One-time password: $' @totp
    st "$(prompt_of "$OTP_USER")" "$SAY_DONE"
    user_dialog "$OTP_USER"; rc=$?; out=$(last_dialog)
    printf '%s\n' "$out" | show ssh
    check "monban otp enroll over ssh (exit $rc)" test "$rc" = 0
    check "  shows recovery codes" contains "$out" "Recovery codes"
    out=$(gssh "monban status $OTP_USER")
    printf '%s\n' "$out" | show guest
    check "monban status: one-time password enrolled" grep -qE 'One-time password: +enrolled' <<<"$out"
    st 'Password: $' "$OTP_PW"
    st 'One-time password: $' 000000
    user_dialog "$OTP_USER"; out=$(last_dialog)
    printf '%s\n' "$out" | show ssh
    check "the right password with a wrong code is refused" lacks "$out" "LOGGED-IN-AS-$OTP_USER"
    st 'Password: $' "$OTP_PW"
    st 'One-time password: $' @totp
    st "$(prompt_of "$OTP_USER")" "$SAY_DONE"
    user_dialog "$OTP_USER"; out=$(last_dialog)
    printf '%s\n' "$out" | show ssh
    check "password + one-time password over ssh logs in" contains "$out" "LOGGED-IN-AS-$OTP_USER"
    out=$(kbd_ssh "$OTP_USER" "$OTP_PW" 2>&1)
    check "  and the password alone does not" lacks "$out" "LOGGED-IN-AS-$OTP_USER"
}

# --- (j) sudo with the confirmation password -------------------------------
scenario_j() {
    local out
    gssh "usermod -aG sudo $LAB_USER && cp -p /etc/pam.d/sudo /root/pam.d-sudo.debian && install -m 0644 /usr/share/doc/monban/examples/pam.d/sudo /etc/pam.d/sudo"
    check "the shipped pam.d/sudo installed, $LAB_USER in group sudo" test $? = 0
    st 'Password: $' "$LAB_PW"
    # No prompt: the daemon refuses at once and says why (sudo tries 3 times).
    st "$(prompt_of "$LAB_USER")" 'sudo -k; sudo id -un'
    st 'no confirmation password' @none
    st "$(prompt_of "$LAB_USER")" 'monban passwd --confirm'
    st 'Login password: $' "$LAB_PW"
    st 'New confirmation password: $' "$CONFIRM_PW"
    st 'Retype new confirmation password: $' "$CONFIRM_PW"
    st "$(prompt_of "$LAB_USER")" 'sudo -k; echo "AS=$(sudo id -un)"'
    st 'Confirmation password: $' "$LAB_PW"
    st 'Sorry, try again' @none
    st 'Confirmation password: $' "$CONFIRM_PW"
    st 'AS=root' @none
    st "$(prompt_of "$LAB_USER")" 'echo "CACHED=$(sudo -n id -un 2>&1)"'
    st 'CACHED=root' @none
    st "$(prompt_of "$LAB_USER")" 'sudo -k; echo "AFTER-K=$(sudo -n id -un 2>&1)"'
    st 'AFTER-K=sudo: a password is required' @none
    st "$(prompt_of "$LAB_USER")" "$SAY_DONE"
    DIALOG_TIMEOUT=60 user_dialog "$LAB_USER"; out=$(last_dialog)
    printf '%s\n' "$out" | show ssh
    check "without a confirmation password sudo says how to set one" contains "$out" "monban passwd --confirm"
    check "the login password at sudo's Confirmation prompt is refused" contains "$out" "Sorry, try again"
    check "the confirmation password runs the command as root" contains "$out" "AS=root"
    check "within timestamp_timeout sudo asks nothing (its own cache; monban is not asked)" contains "$out" "CACHED=root"
    check "after sudo -k a password is required again" contains "$out" "AFTER-K=sudo: a password is required"
    check "the dialogue ran to the end" contains "$out" "LOGGED-IN-AS-$LAB_USER"
    out=$(audit_of "$LAB_USER" sudo)
    printf '%s\n' "$out" | show audit
    check "the audit trail has sudo's confirmation check" contains "$out" '"credential":"confirm"'

}

# An unmanaged user with a pam_unix password, for (k) and (f).
ensure_unmanaged_user() {
    gssh "id $UNMANAGED_USER >/dev/null 2>&1 || { useradd -m -s /bin/bash $UNMANAGED_USER && echo '$UNMANAGED_USER:$UNMANAGED_PW' | chpasswd; }"
}

# --- (k) su - USER from an unprivileged user -------------------------------
scenario_k() {
    local out
    ensure_unmanaged_user
    check "unmanaged $UNMANAGED_USER exists" test $? = 0
    st 'Password: $' "$UNMANAGED_PW"
    st "$(prompt_of "$UNMANAGED_USER")" "su - $LAB_USER"
    st 'Password: $' "$WRONG_PW"
    st 'Authentication failure' @none
    st "$(prompt_of "$UNMANAGED_USER")" "su - $LAB_USER"
    st 'Password: $' "$LAB_PW"
    st "$(prompt_of "$LAB_USER")" 'echo SU-AS-$(id -un); exit'
    st "$(prompt_of "$UNMANAGED_USER")" "$SAY_DONE"
    user_dialog "$UNMANAGED_USER"; out=$(last_dialog)
    printf '%s\n' "$out" | show ssh
    check "the unmanaged $UNMANAGED_USER logs in over ssh (pam_unix)" contains "$out" "LOGGED-IN-AS-$UNMANAGED_USER"
    check "su - $LAB_USER with a wrong password: Authentication failure" contains "$out" "su: Authentication failure"
    check "su - $LAB_USER with monban's password opens $LAB_USER's shell" contains "$out" "SU-AS-$LAB_USER"
    out=$(audit_of "$LAB_USER" 'su(-l)?')
    printf '%s\n' "$out" | show audit
    check "the audit trail has su's login" contains "$out" '"event":"auth_success"'

}

# --- (l) passwd: a managed user (monban), root (pam_unix) ------------------
scenario_l() {
    local out before after
    st 'Password: $' "$LAB_PW"
    st "$(prompt_of "$LAB_USER")" 'passwd'
    st 'Current password: $' "$LAB_PW"
    st 'New password: $' "$PASSWD_PW"
    st 'Retype new password: $' "$PASSWD_PW"
    st 'passwd: password updated successfully' @none
    st "$(prompt_of "$LAB_USER")" "$SAY_DONE"
    user_dialog "$LAB_USER"; out=$(last_dialog)
    printf '%s\n' "$out" | show ssh
    check "passwd for managed $LAB_USER: updated" contains "$out" "password updated successfully"
    out=$(kbd_ssh "$LAB_USER" "$PASSWD_PW" 2>&1)
    check "  the new password logs in" contains "$out" "LOGGED-IN-AS-$LAB_USER"
    LAB_PW=$PASSWD_PW
    out=$(gssh "getent shadow $LAB_USER | cut -d: -f2 | cut -c1")
    check "  and the shadow password stays locked (got '$out')" test "$out" = '!'
    before=$(gssh "getent shadow root | cut -d: -f2")
    st '# $' 'passwd'
    st 'New password: $' "$ROOT_NEW_PW"
    st 'Retype new password: $' "$ROOT_NEW_PW"
    st 'password updated successfully' @none
    st '# $' 'exit'
    root_dialog; out=$(last_dialog)
    printf '%s\n' "$out" | show ssh
    after=$(gssh "getent shadow root | cut -d: -f2")
    check "passwd for root (unmanaged): pam_unix updated it" contains "$out" "password updated successfully"
    check "  /etc/shadow has root's new hash" test -n "$after" -a "$before" != "$after"
    out=$(gssh "monban --json log --user root" | tr '{' '\n' | grep -E '"event":"password_changed".*"user":"root"')
    check "  and monban recorded no password change for root ($out)" test -z "$out"
}
ROOT_NEW_PW='Root-Serial-Console-72'

# --- (m) login on the serial console ---------------------------------------
# Needs (l): root's password is ROOT_NEW_PW.
scenario_m() {
    local out
    st '' ''
    st 'login: $' "$LAB_USER"
    st 'Password: $' "$WRONG_PW"
    st 'Login incorrect' @none
    st 'login: $' "$LAB_USER"
    st 'Password: $' "$LAB_PW"
    st "$(prompt_of "$LAB_USER")" 'echo SERIAL-AS-$(id -un); exit'
    st 'login: $' root
    st 'Password: $' "$ROOT_NEW_PW"
    st "$(prompt_of root)" 'echo SERIAL-AS-$(id -un); exit'
    st 'login: $' @none
    DIALOG_TIMEOUT=60 serial_dialog; out=$(last_dialog)
    printf '%s\n' "$out" | show serial
    check "login on ttyS0 refuses a wrong password" contains "$out" "Login incorrect"
    check "  and admits $LAB_USER with monban's password" contains "$out" "SERIAL-AS-$LAB_USER"
    check "  and root with its shadow password (pam_unix)" contains "$out" "SERIAL-AS-root"
    out=$(audit_of "$LAB_USER" login)
    printf '%s\n' "$out" | show audit
    check "the audit trail has login's success on ttyS0" grep -q '"event":"auth_success".*"tty":"[^"]*ttyS0"' <<<"$out"

}

# --- (n) an account only monban knows: NSS, sshd, a home at first login ---
# Needs (c): keyboard-interactive. Follows the README's "Accounts that exist
# only in monban" as written.
NSS_USER=hanako
NSS_PW='Reading-Room-Lamp-2026'
scenario_n() {
    local out t0
    gssh "sed -i -E '/^(passwd|group):/{/[[:space:]]monban([[:space:]]|\$)/!s/\$/ monban/}' /etc/nsswitch.conf"
    out=$(gssh "grep -E '^(passwd|group):' /etc/nsswitch.conf")
    printf '%s\n' "$out" | show guest
    check "nsswitch.conf names monban for passwd and group" test "$(grep -c ' monban$' <<<"$out")" = 2
    gssh 'DEBIAN_FRONTEND=noninteractive pam-auth-update --enable mkhomedir'
    check "pam-auth-update --enable mkhomedir" gssh 'grep -q pam_mkhomedir /etc/pam.d/common-session'
    out=$(gssh "printf '%s\n' '$NSS_PW' | monban user add $NSS_USER --account --password-stdin 2>&1")
    printf '%s\n' "$out" | show guest
    check "monban user add $NSS_USER --account (no useradd)" contains "$out" "uid 200000"
    t0=$(now)
    out=$(gssh "getent passwd $NSS_USER")
    say "FIGURE getent passwd of a monban account over ssh (ssh included): $(elapsed "$t0" "$(now)") s"
    check "getent passwd $NSS_USER: $out" test "$out" = "$NSS_USER:*:200000:200000::/home/$NSS_USER:/bin/bash"
    check "  and /etc/passwd has no line for $NSS_USER" gssh "! grep -q '^$NSS_USER:' /etc/passwd"
    out=$(gssh "id $NSS_USER")
    check "id $NSS_USER: $out" test "$out" = "uid=200000($NSS_USER) gid=200000(monban-users) groups=200000(monban-users)"
    out=$(kbd_ssh "$NSS_USER" "$NSS_PW" 2>&1)
    printf '%s\n' "$out" | show ssh
    check "$NSS_USER logs in over sshd (keyboard-interactive)" contains "$out" "LOGGED-IN-AS-$NSS_USER"
    out=$(gssh "stat -c '%U %G' /home/$NSS_USER")
    check "pam_mkhomedir made /home/$NSS_USER at the first login ($out)" test "$out" = "$NSS_USER monban-users"
    # The daemon names a monban-only peer through NSS, i.e. through its
    # own module: it must answer itself, not wait on itself.
    t0=$(now)
    out=$(gssh "su -s /bin/sh $NSS_USER -c 'monban status' 2>&1")
    printf '%s\n' "$out" | show guest
    check "$NSS_USER's own monban status ($(elapsed "$t0" "$(now)") s)" grep -qE '^User: +'"$NSS_USER" <<<"$out"
    check "  shows the uid" grep -qE '^UID: +200000' <<<"$out"
    out=$(gssh "journalctl -u monban-authd -p err --no-pager -q")
    check "journalctl -u monban-authd has no error lines" test -z "$out"
}

# --- (o) logout after inactivity: a real ssh session, logind, polkit -------
# Needs (c): alice and keyboard-interactive. [session] idle_logout = 30s,
# idle_warning = 15s, as an administrator would set them.
idle_ssh() { # idle_ssh idle|typing: the transcript (expect, idle.exp)
    IDLE_PW=$LAB_PW expect "$root/tests/vm/idle.exp" "$1" \
        -tt -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
        -o PubkeyAuthentication=no -o PasswordAuthentication=no \
        -o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
        "$LAB_USER@127.0.0.1" 2>&1
}
after() { sed -n "s/.*<$1 after \([0-9]*\)>.*/\1/p" <<<"$2" | head -n 1; }
scenario_o() {
    local out n t0
    gssh "sed -i -e 's/^idle_logout = .*/idle_logout = \"30s\"/' -e 's/^idle_warning = .*/idle_warning = \"15s\"/' /etc/monban/monban.toml && monban-authd --check-config && systemctl restart monban-authd"
    check "[session] idle_logout = 30s, daemon restarted" test $? = 0
    check "the shipped polkit rule is installed" gssh 'test -f /usr/share/polkit-1/rules.d/50-monban.rules'
    out=$(idle_ssh idle)
    printf '%s\n' "$out" | show ssh
    n=$(after warned "$out")
    check "an idle ssh session is warned on its terminal (after ${n:-?} s, limit 30, warning 15)" \
        test -n "$n" -a "${n:-0}" -ge 13 -a "${n:-99}" -le 26
    n=$(after closed "$out")
    check "  and ended (after ${n:-?} s)" test -n "$n" -a "${n:-0}" -ge 28 -a "${n:-99}" -le 50
    check "  with the reason on the terminal" contains "$out" "being logged out after"
    out=$(gssh "monban --json log --user $LAB_USER" | tr '{' '\n' | grep '"event":"session_idle_ended"')
    printf '%s\n' "$out" | show audit
    check "the audit trail has session_idle_ended with the logind session" contains "$out" "logind session"
    out=$(idle_ssh typing)
    printf '%s\n' "$out" | tail -n 3 | show ssh
    check "a session where a command is typed every 3 s stays open for 60 s" contains "$out" "<still open after"
    check "  and is never warned" lacks "$out" "<warned after"
    t0=$(now)
    out=$(KBD_ANSWERS=$LAB_PW expect "$run_dir/kbd.exp" -T -p "$port" -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o PubkeyAuthentication=no -o PasswordAuthentication=no \
        -o PreferredAuthentications=keyboard-interactive -o NumberOfPasswordPrompts=1 \
        "$LAB_USER@127.0.0.1" 'sleep 45; echo NO-TERMINAL-SURVIVED' 2>&1)
    printf '%s\n' "$out" | show ssh
    check "ssh host 'sleep 45' (no terminal) runs to its end ($(elapsed "$t0" "$(now)") s)" \
        contains "$out" "NO-TERMINAL-SURVIVED"
    out=$(gssh "journalctl -u monban-authd -p err --no-pager -q")
    check "journalctl -u monban-authd has no error lines" test -z "$out"
    gssh "sed -i -e 's/^idle_logout = .*/idle_logout = \"0\"/' -e 's/^idle_warning = .*/idle_warning = \"5m\"/' /etc/monban/monban.toml && systemctl restart monban-authd"
}

all=(a b c h i j k l m n o g d e f)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=("${all[@]}")
declare -A title=(
    [a]="dpkg -i: unit active, hardening, socket, journal"
    [b]="pam-auth-update --enable monban"
    [c]="managed user over sshd: login, last login, suspension, unlock"
    [d]="daemon stopped: root in, managed user out, nothing hangs"
    [e]="reboot: suspension survives, unit before logins"
    [f]="apt-get remove and purge"
    [g]="a suspended user's public-key login refused"
    [h]="a temporary password changed inside the ssh login"
    [i]="OTP enrolment over ssh, then password + code"
    [j]="sudo with credential=confirm and sudo's timestamp cache"
    [k]="su - USER from an unprivileged user"
    [l]="passwd for a managed user and for root"
    [m]="login on the serial console"
    [n]="an account only monban knows: NSS, sshd, a home at first login"
    [o]="logout after inactivity: a real ssh session warned and ended"
)
for n in "${names[@]}"; do
    [ -n "${title[$n]:-}" ] || { say "unknown scenario $n"; exit 2; }
    say "scenario ($n) ${title[$n]}"
    scenario_failed=0
    t0=$(now)
    "scenario_$n"
    t=$(elapsed "$t0" "$(now)")
    if [ "$scenario_failed" = 0 ]; then
        results+=("PASS ($n) ${title[$n]} [$t s]")
    else
        results+=("FAIL ($n) ${title[$n]} [$t s]")
    fi
    say "${results[-1]}"
done
say "summary:"
for r in "${results[@]}"; do say "  $r"; done
if [ "$failed_checks" -gt 0 ]; then
    say "$failed_checks check(s) FAILED"
    exit 1
fi
say "every scenario passed"
exit 0
