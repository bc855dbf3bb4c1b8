## pam (merged into ../en.ftl when done)
pam-no-verdict = Your account cannot be checked because the login service (monban-authd) is not answering, so logins other than root's are refused. Try again in a minute; if it persists, ask an administrator to run `systemctl status monban-authd`.
pam-passwords-differ = Passwords do not match.
pam-password-too-long = Password is too long.
pam-prompt-current = Current password:{" "}
pam-prompt-new = New password:{" "}
pam-prompt-retype = Retype new password:{" "}
pam-prompt-current-confirm = Current confirmation password:{" "}
pam-prompt-new-confirm = New confirmation password:{" "}
pam-prompt-retype-confirm = Retype new confirmation password:{" "}
