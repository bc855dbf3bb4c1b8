## cli (merged into ../en.ftl when done)
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
