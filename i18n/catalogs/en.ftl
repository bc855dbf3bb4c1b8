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
Credential = { $kind ->
    [confirm] Confirmation password
    [otp] One-time password
   *[login] Login password
}

## Daemon

## PAM module

## CLI
