# monban's English catalog: every text a person reads, one message per id.
# ja.ftl holds the same ids (checked by i18n/tests/catalogs.rs).
# Arguments: $user, $kind (login | confirm | otp) … as each message says.

## Shared

date-time = { $year }-{ $month2 }-{ $day2 } { $hour }:{ $minute }
date = { $year }-{ $month2 }-{ $day2 }
credential = { $kind ->
    [confirm] confirmation password
    [otp] one-time password
   *[login] login password
}



bad-frame = The request was refused: { $detail }
daemon-busy = monban-authd is busy; try again
answer-too-large = the answer is too large to send; narrow the request (e.g. --limit)
language-set = { $lang ->
    [ja] The language of { $user } is now Japanese.
    [en] The language of { $user } is now English.
   *[none] { $user } has no language preference now.
}
user-set-nothing = nothing to change: give --language

## The daemon (authd)
# What monban-authd says: prompts, refusals, warnings, rule reports.
# $kind is login | confirm | otp, for the shared `credential` message.

## Daemon-wide (authd/src/handlers/mod.rs)

daemon-internal = monban-authd hit an internal error; see its log
daemon-user-unknown = { $user } is not a monban user
daemon-rate-limited = too many requests from your account in a short time; try again in { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
}

## Who may ask what (authd/src/authz.rs); $why is one of the authz-* below

authz-denied = permission denied: { $why }
authz-only-yourself = you may only authenticate as yourself
authz-own-password-only = you may only change your own password
authz-no-account-name = your uid has no account name
authz-import-root-only = only root may import /etc/shadow
authz-admin-only = this needs root or a member of the monban administrator group

## The authentication conversation (handlers/auth.rs)

auth-prompt-password = Password:{ " " }
auth-prompt-confirm = Confirmation password:{ " " }
auth-prompt-otp = One-time password:{ " " }
auth-disabled = This account is disabled. Contact an administrator.
auth-temporary-lapsed = Your temporary password has expired. Ask an administrator for a new one.
auth-otp-grace-over = A one-time password is required for this account and its grace period is over: logins are refused until one is enrolled with `monban otp enroll` (an administrator can help).
auth-suspended = Your { credential } is suspended after repeated failed attempts. An administrator can release it (monban user unlock { $user }).
auth-start-credential = authentication starts with the login or the confirmation password
auth-no-confirm = You have no confirmation password. Set one with `monban passwd --confirm`, then try again.
auth-not-in-progress = no authentication is in progress on this connection
# $failures: policy-list-item lines
auth-non-compliant =
    Your password no longer meets the password rules:
    { $failures }

## Step-up of administrators (handlers/verify.rs)

verify-step-up-required = re-enter your own confirmation password (step-up) for administrative commands
verify-step-up-no-account = { $user } has no monban account; an administrator needs one with a confirmation password (ask root to add it)
verify-step-up-wrong = step-up failed: the confirmation password is wrong
verify-step-up-suspended = your confirmation password is suspended after repeated failures; another administrator or root can release it
verify-step-up-no-confirm = set a confirmation password first with `monban passwd --confirm`

## The account phase and sessions (handlers/account.rs)

account-otp-enrol-before = Enrol a one-time password with `monban otp enroll` before { $until }.
# $place: none | host | tty | both (which of $host, $tty are known)
account-last-login = Last login: { $at }{ $place ->
    [host] { " " }from { $host }
    [tty] { " " }on { $tty }
    [both] { " " }from { $host } on { $tty }
   *[none] { "" }
} ({ $service })
account-failures-since = { $count ->
    [one] There was { $count } failed login attempt since the last successful login.
   *[other] There were { $count } failed login attempts since the last successful login.
}

## Password changes (handlers/password.rs)

# $failures: policy-list-item lines
password-rejected =
    The new password was not accepted:
    { $failures }
password-otp-elsewhere = one-time passwords are managed with `monban otp`
password-current-wrong = The current { credential } is wrong.
password-current-required = the current password is required
password-disabled = this account is disabled

## The user's own one-time password (handlers/otp.rs)

otp-proof-wrong = { $kind ->
    [otp] The one-time password is wrong.
   *[login] The password is wrong.
}
otp-not-enrolled = no one-time password is enrolled
otp-already-enrolled = a one-time password is already enrolled; turn it off with `monban otp disable` first
otp-no-enrolment = no enrolment is in progress; start one with `monban otp enroll`
otp-enrolment-expired = the enrolment was not confirmed in time; start again with `monban otp enroll`
otp-code-invalid = That code is not valid. Check that your device's clock is right and type the code it shows now.
otp-enrolled-meanwhile = a one-time password was enrolled (or an enrolment begun again) meanwhile; check with `monban otp status`

## Status (handlers/status.rs)

status-temporary-lapsed = the temporary password has expired; an administrator must reset it

## Administration (handlers/admin.rs)

# $action: remove | disable | enable | reset-otp | unlock
admin-not-yourself = you cannot { $action ->
    [remove] remove
    [disable] disable
    [enable] enable
    [reset-otp] reset the one-time password of
   *[unlock] release the suspension of
} yourself
admin-privileged = { $user } is a privileged account (root, an administrator, or a member of a group in privileged_groups); only root may manage it
# $why: the account phase's messages, joined by admin-sentences
admin-not-in-good-standing = administrator commands need your own account in good standing: { $why }
admin-sentences = { $first } { $rest }
admin-reset-own-password = administrators change their own password with `passwd` or `monban passwd`
admin-no-campaign = there is no campaign { $id }
admin-campaigns-cleared = { $count ->
    [one] Cleared { $count } mandatory-change campaign.
   *[other] Cleared { $count } mandatory-change campaigns.
}
admin-user-removed = { $user }: user removed
admin-user-disabled = { $user }: user disabled
admin-user-enabled = { $user }: user enabled
admin-otp-reset = { $user }: otp reset
admin-cannot-generate = cannot generate a password that meets the policy; give one with --password-stdin
# $name is quoted and escaped
admin-invalid-user-name = { $name } is not a valid user name (letters, digits, '.', '_', '-'; at most 32)
admin-user-exists = { $user } is already a monban user
admin-added-temporary = Added { $user } with a temporary password, valid until { $until }; it must be changed at the first login.
admin-added = Added { $user }.
admin-valid-for-zero = --valid-for must be longer than zero
admin-reset-temporary = Reset the password of { $user }; valid until { $until }, to be changed at the next login.
admin-reset = Reset the password of { $user }.
admin-unlock-which = name the users to release, or give --all (not both)

## Campaigns and import (handlers/migrate.rs)

migrate-deadline-past = the deadline must be in the future
migrate-change-required = { $count ->
    [one] { $count } user must set a new password before { $before } (campaign { $id }).
   *[other] { $count } users must set a new password before { $before } (campaign { $id }).
}
migrate-skip-invalid-name = { $user }: not a valid user name
migrate-skip-no-hash = { $user }: no usable password hash (locked, empty or unknown format)
migrate-skip-exists = { $user }: already a monban user

## Password age (rules/expiry.rs)

expiry-forced-temporary = Your password was set by an administrator and must be changed now.
expiry-forced-admin = Your password was set by an administrator and must be changed now.
expiry-forced-non-compliant = Your password no longer meets the password rules and must be changed now.
expiry-deadline-passed = A new password was required before { $deadline }; change it now.
expiry-expired = Your password expired on { $at } and must be changed now.
expiry-warning = Your password expires on { $at } (in { $days ->
    [one] { $days } day
   *[other] { $days } days
}).
expiry-temporary-until = Your temporary password stops working at { $until }; set a new one before then.
expiry-deadline-warning = You must set a new password before { $deadline }.

## Composition rules (rules/policy.rs): requirements, said whether met or not

policy-min-length = must be at least { $min } characters
policy-max-length = must be at most { $max } characters
# $chars: policy-allowed-chars; $found: policy-found-kind items in a list
policy-allowed = must contain only { $chars }
policy-allowed-found = must contain only { $chars } (found { $found })
policy-allowed-chars = { $allowed ->
    [alphanumeric] letters and digits
    [alphanumeric-plus] letters, digits and the symbols { $symbols }
   *[printable] printable ASCII characters
}
policy-found-kind = { $kind ->
    [spaces] spaces
    [control] control characters
    [non-ascii] non-ASCII characters
   *[symbols] symbols
}
policy-list-two = { $first } and { $last }
policy-list-more = { $first }, { $rest }
policy-min-classes = must mix at least { $min } of: lower case, upper case, digits, symbols
policy-username = must not contain your login name
policy-strength-enough = is strong enough (strength { $score }/4, at least { $min } needed)
policy-strength-weak = must be stronger (strength { $score }/4, at least { $min } needed)
policy-history = { $count ->
    [one] must differ from your last password
   *[other] must differ from your last { $count } passwords
}
policy-min-age-wait = can be changed again after { $after }
policy-min-age-now = can be changed now
policy-not-login-password = must differ from your login password
policy-not-login-password-suspended = can be set once your login password is no longer suspended
# One failed rule in a list under a heading ($item: its message)
policy-list-item = {"  "}- { $item }

## The PAM module's own texts (the daemon silent, local checks)
pam-no-verdict = Your account cannot be checked because the login service (monban-authd) is not answering, so logins other than root's are refused. Try again in a minute; if it persists, ask an administrator to run `systemctl status monban-authd`.
pam-passwords-differ = Passwords do not match.
pam-password-too-long = Password is too long.
pam-prompt-current = Current password:{" "}
pam-prompt-new = New password:{" "}
pam-prompt-retype = Retype new password:{" "}
pam-prompt-current-confirm = Current confirmation password:{" "}
pam-prompt-new-confirm = New confirmation password:{" "}
pam-prompt-retype-confirm = Retype new confirmation password:{" "}

## The CLI
# The words of the `monban` tool itself (cli/src). Texts from the daemon
# arrive rendered and are not here. Prompts get ": " from the code.

# Prompts
cli-prompt-step-up = Confirmation password (step-up)
cli-prompt-password = Password
cli-prompt-otp = One-time password
cli-prompt-login-password = Login password
cli-prompt-check = Password to check
# $kind: login | confirm
cli-prompt-current = { $kind ->
    [confirm] Current confirmation password
   *[login] Current password
}
cli-prompt-new = { $kind ->
    [confirm] New confirmation password
   *[login] New password
}
cli-prompt-retype = { $kind ->
    [confirm] Retype new confirmation password
   *[login] Retype new password
}
cli-prompt-new-for = New password for { $user }
cli-prompt-retype-for = Retype new password for { $user }

# Failures the CLI finds itself
cli-no-step-up = no confirmation password given
cli-step-up-required = your confirmation password is required (step-up)
cli-unexpected-reply = unexpected answer from monban-authd: { $verb }
cli-unreachable = cannot reach monban-authd at { $path }: { $reason } (is it running? systemctl status monban-authd)
cli-timeout = monban-authd did not answer in time
cli-bad-exchange = bad exchange with monban-authd: { $detail }
cli-untrusted = refusing to talk to { $path }: { $reason }; another program may have taken the socket path
cli-config-unreadable = { $path }: cannot read: { $error }
cli-json-failed = cannot encode JSON: { $error }
cli-stdout-failed = cannot write to stdout: { $error }
cli-terminal-failed = cannot read from the terminal: { $error }
cli-stdin-failed = cannot read stdin: { $error }
cli-stdin-not-utf8 = a secret on stdin is not valid UTF-8
cli-secret-too-long = a secret may be at most { $max } bytes long
cli-no-answer = no answer for "{ $prompt }": input ended
cli-mismatch = Passwords do not match.
cli-cannot-read = cannot read { $path }: { $error }

# monban status
cli-status-user = User
cli-status-uid = UID
cli-uid-account = { $uid } (an account of monban's own, known through NSS)
cli-status-account = Account
cli-status-login = Login password
cli-status-confirm = Confirmation password
cli-status-expires = Password expires
cli-status-must-change = Must change
cli-status-temporary-until = Temporary until
cli-status-change-deadline = Change deadline
cli-status-otp = One-time password
cli-status-last-login = Last login
cli-status-failures-since = Failures since
cli-status-language = Language
cli-account-active = active
cli-account-disabled = DISABLED
cli-expired = { $time } (expired)
cli-expires-never = never
cli-last-login = { $time } via { $service }
cli-last-login-from = { $time } via { $service } from { $rhost }
cli-last-login-on = { $time } via { $service } on { $tty }
cli-last-login-from-on = { $time } via { $service } from { $rhost } on { $tty }
cli-last-login-at-host = { $login } on host { $host }
cli-last-login-never = never
# $lang: en | ja
cli-language-name = { $lang ->
    [ja] Japanese
   *[en] English
}
cli-language-not-set = not set
cli-not-set = not set
# $days: whole days since
cli-credential-set = set { $time } ({ $days ->
        [0] today
        [one] { $days } day ago
       *[other] { $days } days ago
    })
cli-locked-since = { $state } since { $time }
cli-released = released { $time }
cli-separator = {", "}
cli-lock-locked = LOCKED ({ $count ->
        [one] { $count } failure
       *[other] { $count } failures
    })
cli-lock-ok = ok
cli-lock-ok-failures = ok, { $count ->
        [one] { $count } failure
       *[other] { $count } failures
    }
cli-otp-enrolled-at = enrolled { $time }
cli-otp-enrolled = enrolled
cli-otp-recovery-left = { $count ->
    [one] { $count } recovery code left
   *[other] { $count } recovery codes left
}
cli-otp-pending = enrolment begun, not confirmed
cli-otp-not-enrolled = not enrolled
cli-otp-required-before = required (enrol before { $time })
cli-otp-required = required

# monban user
cli-user-added = Added { $user }.
cli-user-set = Settings of { $user } changed.
cli-user-reset = Password of { $user } reset.
cli-user-disabled = Disabled { $user }.
cli-user-enabled = Enabled { $user }.
cli-user-removed = Removed { $user }.
cli-generated-temporary = Temporary password for { $user }: { $password } (valid until { $time })
cli-generated-new = New password for { $user }: { $password }
cli-unlocked = Unlocked.
cli-nothing-locked = Nothing was locked.
cli-unlocked-users = Unlocked: { $users }
cli-unlock-skipped = { $count ->
    [one] Skipped { $count } privileged account with failures or a suspension; only root may release it.
   *[other] Skipped { $count } privileged accounts with failures or a suspension; only root may release them.
}
cli-users-user = USER
cli-users-disabled = DISABLED
cli-users-login = LOGIN
cli-users-confirm = CONFIRM
cli-users-otp-lock = OTP-LOCK
cli-users-otp = OTP
cli-users-must-change = MUST-CHANGE
cli-cell-yes = yes
cli-cell-no = no
cli-cell-locked = LOCKED ({ $count })
cli-cell-ok = ok
cli-cell-ok-failures = ok ({ $count })
cli-cell-otp-enrolled = enrolled
cli-cell-otp-pending = pending
cli-cell-otp-required = { $state } (required)

# monban otp
cli-otp-status = One-time password: { $state }
cli-otp-turned-off = One-time password turned off.
cli-otp-reset = One-time password of { $user } reset.
cli-otp-scan = Scan this QR code with your authenticator app:
cli-otp-uri-too-long = (The URI is too long for a QR code; enter it by hand.)
cli-otp-uri = URI
cli-otp-secret = Secret
cli-otp-parameters = ({ $issuer }, account { $account }, { $digits } digits, every { $period } s)
cli-otp-type-code = Type the code the app shows to turn one-time passwords on.
cli-otp-on = One-time passwords are on.
cli-otp-recovery-heading = Recovery codes (each works once, in place of a one-time password):
cli-otp-recovery-keep = Store them safely: they are shown only now.

# monban passwd
cli-password-changed = { $kind ->
    [confirm] Confirmation password changed.
   *[login] Password changed.
}

# monban policy
cli-rule-pass = PASS
cli-rule-fail = FAIL
cli-strength = strength: { $score }/4
cli-campaign-group = Members of { $group } must set a new password before { $time }.
cli-campaign-everyone = Every user must set a new password before { $time }.
cli-campaign-cleared = Cleared campaign { $id }.
cli-campaign-cleared-all = Cleared every campaign.
cli-campaigns-id = ID
cli-campaigns-deadline = DEADLINE
cli-campaigns-group = GROUP
cli-campaigns-pending = PENDING
cli-campaigns-created = CREATED
cli-campaigns-by = BY

# monban log
cli-log-time = TIME
cli-log-event = EVENT
cli-log-actor = ACTOR
cli-log-user = USER
cli-log-credential = CREDENTIAL
cli-log-service = SERVICE
cli-log-host = HOST
cli-log-rhost = RHOST
cli-log-detail = DETAIL

# monban import, and user add run by root
cli-import-nothing-to-do = nothing to import
cli-import-none = Nothing imported.
cli-imported = Imported: { $users }
cli-import-skipped = skipped: { $reason }
cli-import-skipping = skipping { $user }: { $why }
cli-import-not-in = { $user } is not in { $file }
# $count: how many accounts; $users: their names
cli-shadow-usable = { $count ->
    [one] warning: { $users } still has a usable password in { $file }; lock it (usermod -L { $users }) so that pam_unix cannot be used to bypass monban
   *[other] warning: { $users } still have a usable password in { $file }; lock them (usermod -L USER for each) so that pam_unix cannot be used to bypass monban
}
cli-shadow-usable-after-import = { $count ->
    [one] warning: { $users } still has a usable password in { $file }; once their logins through monban work, lock it (usermod -L { $users }) so that pam_unix cannot be used to bypass monban
   *[other] warning: { $users } still have a usable password in { $file }; once their logins through monban work, lock them (usermod -L USER for each) so that pam_unix cannot be used to bypass monban
}

## E-mail and self-service (SPEC §8)

expiry-forced-code = You logged in with a code sent by e-mail. Choose a new password now.
auth-reset-offer = Forgot your password? Send a reset code to your registered e-mail address? [y/N]:{ " " }
auth-reset-sent = If an e-mail address is registered for this account, a reset code is on its way. It works once, at the next prompt.
auth-prompt-reset-code = Reset code (or password):{ " " }
email-no-relay = monban sends no e-mail on this system ([mail] relay is not set); ask your administrator.
email-invalid = { $address } is not an e-mail address monban can send to.
email-verification-sent = A verification code was sent to { $address }. Enter it with: monban email verify. Until then your current address stays in use.
email-verify-wrong = That is not the verification code (or it has expired). Ask for a new one with: monban email set ADDRESS
email-verified = Your e-mail address is now { $address }.
email-removed = Your e-mail address was removed.
email-admin-set = The e-mail address of { $user } is now { $address }.
email-invite-needs-address = --invite needs --email ADDRESS: the activation code is sent there.
email-invite-no-password = --invite sets no password: leave out --password, --password-stdin and --temporary.
email-invited = Added { $user }; an activation code was sent to { $address }, valid until { $until }. The first login with it asks for a new password.
reset-not-enabled = Password reset by e-mail is not enabled on this system ([reset] enabled); ask your administrator.
reset-requested = If that account has a registered e-mail address, a reset code has been sent to it. Type the code at the password prompt; it works once.
cli-email-none = none
cli-email-pending = { $address } (waiting for: monban email verify)

mail-greeting = Hello { $user },
mail-signature = — monban on { $host }
mail-code-valid-until = The code is valid until { $until } and works once.
mail-code-not-you = If you did not ask for this, ignore this message: nothing changes until the code is used.
mail-notice-not-you = If this was not you, tell your administrator at once.
mail-invite-subject = Your new account on { $host }
mail-invite-body = An account { $user } was created for you on { $host }. Log in with this activation code as the password; you will then choose your own password:
mail-reset-subject = Password reset for { $user } on { $host }
mail-reset-body = A password reset was requested for { $user } on { $host }. Type this code at the password prompt; you will then choose a new password. Your current password keeps working until the code is used:
mail-verify-subject = Confirm your e-mail address for { $user }
mail-verify-body = To make this the e-mail address of { $user } on { $host }, run monban email verify and enter this code:
mail-notice-subject = Account notice for { $user } on { $host }
mail-notice-password-changed = The login password of { $user } on { $host } was changed at { $at }.
mail-notice-admin-reset = An administrator set a new password for { $user } on { $host } at { $at }. Ask them for it; it must be changed at the next login.
mail-notice-suspended = The { credential } of { $user } on { $host } was suspended at { $at } after repeated failed attempts. An administrator can release it.
mail-notice-otp-on = One-time passwords were turned on for { $user } on { $host } at { $at }.
mail-notice-otp-off = One-time passwords were turned off for { $user } on { $host } at { $at }.
mail-notice-otp-reset = An administrator removed the one-time password token of { $user } on { $host } at { $at }.
mail-notice-address-changed = The e-mail address of { $user } on { $host } was changed to { $address } at { $at }. Mail now goes there, not to this address.
cli-status-email = E-mail
cli-status-email-new = New e-mail
cli-prompt-email-code = Verification code:{ " " }
cli-users-email = E-MAIL
cli-users-uid = UID

## Accounts that exist only in monban (SPEC §11)
accounts-added = { $then } It is an account of its own, uid { $uid }: hosts whose /etc/nsswitch.conf reads "passwd: files monban" know it.
accounts-name-taken = { $user } already exists on this system (files, LDAP or another NSS source): --account is only for names nobody else has. Manage the existing user with `monban user add { $user }` instead.
accounts-range-full = No uid is left in [accounts] uid_min–uid_max ({ $min }–{ $max }); uids are never reused. Widen the range in monban.toml.
accounts-group-privileged = [accounts] gid { $gid } is the admin group or one of [daemon] privileged_groups: every account would be a member, so only root may add accounts while it is.

## Logout after inactivity (SPEC §12)
session-idle-warning = monban: nothing has been typed in this session for { $minutes ->
        [0] { $seconds } seconds
       *[other] { $minutes } minutes
    }. It will be logged out at { $at } unless you type something.
session-idle-ended = monban: this session is being logged out after { $minutes ->
        [0] { $seconds } seconds
       *[other] { $minutes } minutes
    } without input.
cli-sessions-user = USER
cli-sessions-tty = TTY
cli-sessions-service = SERVICE
cli-sessions-from = FROM
cli-sessions-since = SINCE
cli-sessions-idle = IDLE
cli-sessions-none = No interactive session is watched on this host.
cli-status-sessions = Sessions
cli-status-session-line = { $tty } via { $service } since { $since }, idle { $idle }
