# monban の日本語カタログ。利用者が読むすべての文言を、ID ごとに一つ。
# en.ftl と同じ ID を持つ（i18n/tests/catalogs.rs が確かめる）。
# 用語は元になった各システムに従う: ログインパスワード、確認用パスワード、
# ワンタイムパスワード、仮パスワード、利用停止、パスワード有効期限切れ、
# パスワード強制変更、パスワード強度（弱・中・強）。

## Shared

date-time = { $year }年{ $month }月{ $day }日 { $hour }:{ $minute }
date = { $year }年{ $month }月{ $day }日
credential = { $kind ->
    [confirm] 確認用パスワード
    [otp] ワンタイムパスワード
   *[login] ログインパスワード
}
Credential = { credential }

## Daemon

## PAM module

## CLI
