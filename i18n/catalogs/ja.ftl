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



bad-frame = 要求を受け付けませんでした: { $detail }
daemon-busy = monban-authd が混み合っています。しばらくしてからもう一度お試しください
answer-too-large = 応答が大きすぎて送れません。条件を絞ってください（例: --limit）
language-set = { $lang ->
    [ja] { $user } の表示言語を日本語にしました。
    [en] { $user } の表示言語を英語にしました。
   *[none] { $user } の表示言語の設定を解除しました。
}
user-set-nothing = 変更する項目がありません。--language を指定してください
