## daemon (merged into ../en.ftl when done)
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
