## daemon (merged into ../ja.ftl when done)
# monban-authd が伝える文言: プロンプト、お断り、警告、規則の判定。
# $kind は login | confirm | otp（共通の `credential` で呼び名になる）。

## デーモン全体（authd/src/handlers/mod.rs）

daemon-internal = monban-authd で内部エラーが起きました。ログを確認してください
daemon-user-unknown = { $user } は monban の利用者ではありません
daemon-rate-limited = 短時間に要求が多すぎます。{ $seconds }秒後にもう一度お試しください

## 要求の権限（authd/src/authz.rs）

authz-denied = 権限がありません: { $why }
authz-only-yourself = 認証できるのはご自身のアカウントだけです
authz-own-password-only = 変更できるのはご自身のパスワードだけです
authz-no-account-name = この UID にはアカウント名がありません
authz-import-root-only = /etc/shadow の取り込みは root だけが行えます
authz-admin-only = root または monban 管理者グループのメンバーだけが行えます

## 認証の対話（handlers/auth.rs）

auth-prompt-password = ログインパスワード：
auth-prompt-confirm = 確認用パスワード：
auth-prompt-otp = ワンタイムパスワード：
auth-disabled = このアカウントは無効になっています。管理者にお問い合わせください。
auth-temporary-lapsed = 仮パスワードの有効期限が切れました。管理者に新しい仮パスワードの発行を依頼してください。
auth-otp-grace-over = このアカウントにはワンタイムパスワードが必要で、登録の猶予期間が過ぎました。`monban otp enroll` で登録するまでログインできません（管理者に相談できます）。
auth-suspended = { credential }は、続けて誤って入力されたため利用停止になっています。管理者が解除できます（`monban user unlock { $user }`）。
auth-start-credential = 認証はログインパスワードか確認用パスワードから始めてください
auth-no-confirm = 確認用パスワードが設定されていません。`monban passwd --confirm` で設定してから、もう一度お試しください。
auth-not-in-progress = この接続では認証が行われていません
auth-non-compliant =
    現在のパスワードはパスワードの規則を満たしていません:
    { $failures }

## 管理者の再認証（handlers/verify.rs）

verify-step-up-required = 管理コマンドを使うには、ご自身の確認用パスワードをもう一度入力してください（ステップアップ認証）
verify-step-up-no-account = { $user } には monban のアカウントがありません。管理者には確認用パスワードのあるアカウントが必要です（root に追加を依頼してください）
verify-step-up-wrong = ステップアップ認証に失敗しました: 確認用パスワードが違います
verify-step-up-suspended = 確認用パスワードは、続けて誤って入力されたため利用停止になっています。ほかの管理者または root が解除できます
verify-step-up-no-confirm = 先に `monban passwd --confirm` で確認用パスワードを設定してください

## アカウントの確認とセッション（handlers/account.rs）

account-otp-enrol-before = { $until }までに `monban otp enroll` でワンタイムパスワードを登録してください。
account-last-login = 前回のログイン：{ $at }{ $place ->
    [host] （{ $host } から、{ $service }）
    [tty] （{ $tty }、{ $service }）
    [both] （{ $host } から、{ $tty }、{ $service }）
   *[none] （{ $service }）
}
account-failures-since = 前回のログイン成功以降に、ログインの失敗が{ $count }回ありました。

## パスワードの変更（handlers/password.rs）

password-rejected =
    新しいパスワードは受け付けられませんでした:
    { $failures }
password-otp-elsewhere = ワンタイムパスワードは `monban otp` で管理します
password-current-wrong = 現在の{ credential }が違います。
password-current-required = 現在のパスワードを入力してください
password-disabled = このアカウントは無効になっています

## ご自身のワンタイムパスワード（handlers/otp.rs）

otp-proof-wrong = { $kind ->
    [otp] ワンタイムパスワードが違います。
   *[login] ログインパスワードが違います。
}
otp-not-enrolled = ワンタイムパスワードが登録されていません
otp-already-enrolled = ワンタイムパスワードはすでに登録されています。先に `monban otp disable` で解除してください
otp-no-enrolment = 登録の手続きが始まっていません。`monban otp enroll` で始めてください
otp-enrolment-expired = 登録が時間内に確認されませんでした。`monban otp enroll` でやり直してください
otp-code-invalid = このコードは正しくありません。端末の時計が合っていることを確かめて、いま表示されているコードを入力してください。
otp-enrolled-meanwhile = その間にワンタイムパスワードが登録されたか、登録がやり直されました。`monban otp status` で確認してください

## 状態（handlers/status.rs）

status-temporary-lapsed = 仮パスワードの有効期限が切れています。管理者によるリセットが必要です

## 管理（handlers/admin.rs）

admin-not-yourself = { $action ->
    [remove] ご自身のアカウントは削除できません
    [disable] ご自身のアカウントは無効にできません
    [enable] ご自身のアカウントは有効にできません
    [reset-otp] ご自身のワンタイムパスワードはリセットできません
   *[unlock] ご自身の利用停止は解除できません
}
admin-privileged = { $user } は特権アカウント（root、管理者、または privileged_groups のグループのメンバー）です。管理できるのは root だけです
admin-not-in-good-standing = 管理コマンドを使うには、ご自身のアカウントが正常な状態である必要があります: { $why }
admin-sentences = { $first }{ $rest }
admin-reset-own-password = 管理者はご自身のパスワードを `passwd` または `monban passwd` で変更してください
admin-no-campaign = 一斉変更要求 { $id } はありません
admin-campaigns-cleared = パスワードの一斉変更要求を{ $count }件取り消しました。
admin-user-removed = { $user } を削除しました
admin-user-disabled = { $user } を無効にしました
admin-user-enabled = { $user } を有効にしました
admin-otp-reset = { $user } のワンタイムパスワードをリセットしました
admin-cannot-generate = パスワードの規則を満たすパスワードを生成できません。--password-stdin でパスワードを指定してください
admin-invalid-user-name = { $name } はユーザー名として使えません（英数字と「.」「_」「-」、32文字まで）
admin-user-exists = { $user } はすでに monban の利用者です
admin-added-temporary = { $user } を仮パスワードで追加しました。仮パスワードは{ $until }まで有効で、最初のログインで変更が必要です。
admin-added = { $user } を追加しました。
admin-valid-for-zero = --valid-for には0より長い期間を指定してください
admin-reset-temporary = { $user } のパスワードをリセットしました。{ $until }まで有効で、次回のログインで変更が必要です。
admin-reset = { $user } のパスワードをリセットしました。
admin-unlock-which = 解除する利用者を指定するか、--all を指定してください（両方は指定できません）

## 一斉変更要求と取り込み（handlers/migrate.rs）

migrate-deadline-past = 期限には未来の日時を指定してください
migrate-change-required = { $count }人の利用者に、{ $before }までに新しいパスワードの設定を求めました（一斉変更要求 { $id }）。
migrate-skip-invalid-name = { $user }: ユーザー名として使えません
migrate-skip-no-hash = { $user }: 使えるパスワードハッシュがありません（ロック中、空、または未対応の形式）
migrate-skip-exists = { $user }: すでに monban の利用者です

## パスワードの期限（rules/expiry.rs）

expiry-forced-temporary = 仮パスワードのため、パスワード強制変更の対象です。今すぐ新しいパスワードを設定してください。
expiry-forced-admin = 管理者が設定したパスワードのため、パスワード強制変更の対象です。今すぐ新しいパスワードを設定してください。
expiry-forced-non-compliant = 現在のパスワードはパスワードの規則を満たしていないため、パスワード強制変更の対象です。今すぐ新しいパスワードを設定してください。
expiry-deadline-passed = { $deadline }までに新しいパスワードを設定する必要がありました。今すぐ変更してください。
expiry-expired = パスワード有効期限切れです（有効期限は{ $at }でした）。今すぐ変更してください。
expiry-warning = パスワードの有効期限は{ $at }です（あと{ $days }日）。
expiry-temporary-until = 仮パスワードは{ $until }に使えなくなります。それまでに新しいパスワードを設定してください。
expiry-deadline-warning = { $deadline }までに新しいパスワードを設定してください。

## パスワードの規則（rules/policy.rs）: 満たしているかどうかにかかわらず要件として

policy-min-length = { $min }~{ $max }文字で入力してください
policy-max-length = { $min }~{ $max }文字で入力してください
policy-allowed = { $chars }で入力してください
policy-allowed-found = { $chars }で入力してください（{ $found }が含まれています）
policy-allowed-chars = { $allowed ->
    [alphanumeric] 半角英数字
    [alphanumeric-plus] 半角英数字と記号 { $symbols }
   *[printable] 半角英数字・記号
}
policy-found-kind = { $kind ->
    [spaces] スペース
    [control] 制御文字
    [non-ascii] 半角以外の文字
   *[symbols] 使えない記号
}
policy-list-two = { $first }・{ $last }
policy-list-more = { $first }・{ $rest }
policy-min-classes = 英大文字・英小文字・数字・記号のうち{ $min }種類以上を含めて入力してください
policy-username = ユーザーIDを含めないでください
policy-strength-enough = 十分な強さです（パスワード強度 { $score ->
    [0] 弱
    [1] 弱
    [2] 中
   *[other] 強
}（{ $score }/4）、必要なのは{ $min }/4以上）
policy-strength-weak = もっと推測されにくいパスワードにしてください（パスワード強度 { $score ->
    [0] 弱
    [1] 弱
    [2] 中
   *[other] 強
}（{ $score }/4）、必要なのは{ $min }/4以上）
policy-history = 直近{ $count }回に使ったパスワードとは異なるものにしてください
policy-min-age-wait = { $after }以降に変更できます
policy-min-age-now = いつでも変更できます
policy-not-login-password = ログインパスワードとは異なるものにしてください
policy-not-login-password-suspended = ログインパスワードの利用停止が解除されてから設定できます
policy-list-item = {"  "}- { $item }
