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
