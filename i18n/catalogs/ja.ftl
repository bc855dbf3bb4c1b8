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

## デーモン（authd）
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

## PAM モジュール自身の文言（デーモンが応答しないとき・手元の確認）
pam-no-verdict = ログインサービス（monban-authd）が応答しないため、アカウントを確認できません。root 以外のログインはお断りしています。1分ほどしてからもう一度お試しください。続く場合は、管理者に `systemctl status monban-authd` の確認を依頼してください。
pam-passwords-differ = パスワードが一致しません。
pam-password-too-long = パスワードが長すぎます。
pam-prompt-current = 現在のログインパスワード:{" "}
pam-prompt-new = 新しいログインパスワード:{" "}
pam-prompt-retype = 新しいログインパスワード（確認のため再入力）:{" "}
pam-prompt-current-confirm = 現在の確認用パスワード:{" "}
pam-prompt-new-confirm = 新しい確認用パスワード:{" "}
pam-prompt-retype-confirm = 新しい確認用パスワード（確認のため再入力）:{" "}

## CLI
# monban コマンド自身の文言（cli/src）。デーモンからの文言は翻訳済みで届くため
# ここにはない。プロンプトの「: 」はコードが付ける。

# プロンプト
cli-prompt-step-up = 確認用パスワード（管理操作の確認）
cli-prompt-password = ログインパスワード
cli-prompt-otp = ワンタイムパスワード
cli-prompt-login-password = ログインパスワード
cli-prompt-check = 確認するパスワード
cli-prompt-current = { $kind ->
    [confirm] 現在の確認用パスワード
   *[login] 現在のログインパスワード
}
cli-prompt-new = { $kind ->
    [confirm] 新しい確認用パスワード
   *[login] 新しいログインパスワード
}
cli-prompt-retype = { $kind ->
    [confirm] 新しい確認用パスワード（再入力）
   *[login] 新しいログインパスワード（再入力）
}
cli-prompt-new-for = { $user } の新しいパスワード
cli-prompt-retype-for = { $user } の新しいパスワード（再入力）

# CLI 自身が見つけた失敗
cli-no-step-up = 確認用パスワードが入力されませんでした
cli-step-up-required = 確認用パスワードの入力が必要です（管理操作の確認）
cli-unexpected-reply = monban-authd から予期しない応答がありました: { $verb }
cli-unreachable = { $path } の monban-authd に接続できません: { $reason }（起動していますか？ systemctl status monban-authd で確認してください）
cli-timeout = monban-authd が時間内に応答しませんでした
cli-bad-exchange = monban-authd との通信に失敗しました: { $detail }
cli-untrusted = { $path } とは通信しません: { $reason }。別のプログラムがソケットのパスを使っている可能性があります
cli-config-unreadable = { $path }: 読み込めません: { $error }
cli-json-failed = JSON に変換できません: { $error }
cli-stdout-failed = 標準出力に書き込めません: { $error }
cli-terminal-failed = 端末から読み込めません: { $error }
cli-stdin-failed = 標準入力から読み込めません: { $error }
cli-stdin-not-utf8 = 標準入力のパスワードが UTF-8 ではありません
cli-secret-too-long = パスワードは { $max } バイト以内で入力してください
cli-no-answer = 「{ $prompt }」が入力されないまま入力が終わりました
cli-mismatch = パスワードが一致しません。
cli-cannot-read = { $path } を読み込めません: { $error }

# monban status
cli-status-user = ユーザー
cli-status-uid = UID
cli-uid-account = { $uid }（monban だけのアカウント。NSS で参照）
cli-status-account = アカウント
cli-status-login = ログインパスワード
cli-status-confirm = 確認用パスワード
cli-status-expires = パスワード有効期限
cli-status-must-change = 変更が必要な理由
cli-status-temporary-until = 仮パスワードの期限
cli-status-change-deadline = 変更期限
cli-status-otp = ワンタイムパスワード
cli-status-last-login = 最終ログイン
cli-status-failures-since = 最終ログイン後の失敗
cli-status-language = 表示言語
cli-account-active = 有効
cli-account-disabled = 無効
cli-expired = { $time }（パスワード有効期限切れ）
cli-expires-never = なし
cli-last-login = { $time }（{ $service }）
cli-last-login-from = { $time }（{ $service }、{ $rhost } から）
cli-last-login-on = { $time }（{ $service }、端末 { $tty }）
cli-last-login-from-on = { $time }（{ $service }、{ $rhost } から、端末 { $tty }）
cli-last-login-at-host = { $login }、ホスト { $host }
cli-last-login-never = なし
cli-language-name = { $lang ->
    [ja] 日本語
   *[en] 英語
}
cli-language-not-set = 未設定
cli-not-set = 未設定
cli-credential-set = { $time } に設定（{ $days ->
        [0] 今日
       *[other] { $days }日前
    }）
cli-locked-since = { $state }（{ $time } から）
cli-released = { $time } に解除予定
cli-separator = 、
cli-lock-locked = 利用停止（{ $count }回失敗）
cli-lock-ok = 正常
cli-lock-ok-failures = 正常、{ $count }回失敗
cli-otp-enrolled-at = { $time } に登録
cli-otp-enrolled = 登録済み
cli-otp-recovery-left = 回復コード残り{ $count }個
cli-otp-pending = 登録手続き中（未確認）
cli-otp-not-enrolled = 未登録
cli-otp-required-before = 必須（{ $time } までに登録してください）
cli-otp-required = 必須

# monban user
cli-user-added = { $user } を登録しました。
cli-user-set = { $user } の設定を変更しました。
cli-user-reset = { $user } のパスワードを再設定しました。
cli-user-disabled = { $user } を無効にしました。
cli-user-enabled = { $user } を有効にしました。
cli-user-removed = { $user } を削除しました。
cli-generated-temporary = { $user } の仮パスワード: { $password }（{ $time } まで有効）
cli-generated-new = { $user } の新しいパスワード: { $password }
cli-unlocked = 利用停止を解除しました。
cli-nothing-locked = 利用停止中のものはありませんでした。
cli-unlocked-users = 利用停止を解除しました: { $users }
cli-unlock-skipped = 失敗回数があるか利用停止中の特権アカウント { $count } 件はそのままです。解除できるのは root だけです。
cli-users-user = ユーザー
cli-users-disabled = 無効
cli-users-login = ログイン
cli-users-confirm = 確認用
cli-users-otp-lock = ワンタイム停止
cli-users-otp = ワンタイム
cli-users-must-change = 変更が必要
cli-cell-yes = はい
cli-cell-no = いいえ
cli-cell-locked = 利用停止（{ $count }）
cli-cell-ok = 正常
cli-cell-ok-failures = 正常（{ $count }）
cli-cell-otp-enrolled = 登録済み
cli-cell-otp-pending = 手続き中
cli-cell-otp-required = { $state }（必須）

# monban otp
cli-otp-status = ワンタイムパスワード: { $state }
cli-otp-turned-off = ワンタイムパスワードを無効にしました。
cli-otp-reset = { $user } のワンタイムパスワードをリセットしました。
cli-otp-scan = 認証アプリでこの QR コードを読み取ってください:
cli-otp-uri-too-long = （URI が長すぎて QR コードにできません。手で入力してください。）
cli-otp-uri = URI
cli-otp-secret = シークレット
cli-otp-parameters = （{ $issuer }、アカウント { $account }、{ $digits }桁、{ $period }秒ごと）
cli-otp-type-code = アプリに表示されたコードを入力すると、ワンタイムパスワードが有効になります。
cli-otp-on = ワンタイムパスワードを有効にしました。
cli-otp-recovery-heading = 回復コード（ワンタイムパスワードの代わりに、それぞれ一度だけ使えます）:
cli-otp-recovery-keep = 安全な場所に保管してください。表示されるのは今回だけです。

# monban passwd
cli-password-changed = { $kind ->
    [confirm] 確認用パスワードを変更しました。
   *[login] ログインパスワードを変更しました。
}

# monban policy
cli-rule-pass = 適合
cli-rule-fail = 不適合
cli-strength = パスワード強度: { $score ->
        [0] 弱
        [1] 弱
        [2] 中
       *[other] 強
    }（{ $score }/4）
cli-campaign-group = { $group } のメンバーは { $time } までに新しいパスワードを設定してください（パスワード強制変更）。
cli-campaign-everyone = すべてのユーザーは { $time } までに新しいパスワードを設定してください（パスワード強制変更）。
cli-campaign-cleared = パスワード強制変更 { $id } を取り消しました。
cli-campaign-cleared-all = すべてのパスワード強制変更を取り消しました。
cli-campaigns-id = ID
cli-campaigns-deadline = 期限
cli-campaigns-group = グループ
cli-campaigns-pending = 未変更
cli-campaigns-created = 作成日時
cli-campaigns-by = 作成者

# monban log
cli-log-time = 日時
cli-log-event = イベント
cli-log-actor = 実行者
cli-log-user = ユーザー
cli-log-credential = 認証情報
cli-log-service = サービス
cli-log-host = ホスト
cli-log-rhost = 接続元
cli-log-detail = 詳細

# monban import、root による user add
cli-import-nothing-to-do = 取り込むものがありません
cli-import-none = 何も取り込みませんでした。
cli-imported = 取り込みました: { $users }
cli-import-skipped = 取り込みませんでした: { $reason }
cli-import-skipping = { $user } を取り込みません: { $why }
cli-import-not-in = { $user } は { $file } にありません
cli-shadow-usable = { $count ->
    [1] 警告: { $users } には { $file } に使えるパスワードが残っています。pam_unix で monban を迂回されないよう、アカウントをロックしてください（usermod -L { $users }）。
   *[other] 警告: { $users } には { $file } に使えるパスワードが残っています。pam_unix で monban を迂回されないよう、各アカウントをロックしてください（ユーザーごとに usermod -L USER）。
}
cli-shadow-usable-after-import = { $count ->
    [1] 警告: { $users } には { $file } に使えるパスワードが残っています。monban でのログインを確認したら、pam_unix で monban を迂回されないよう、アカウントをロックしてください（usermod -L { $users }）。
   *[other] 警告: { $users } には { $file } に使えるパスワードが残っています。monban でのログインを確認したら、pam_unix で monban を迂回されないよう、各アカウントをロックしてください（ユーザーごとに usermod -L USER）。
}

## 電子メールとセルフサービス（SPEC §8）

expiry-forced-code = メールで届いたコードでログインしました。新しいパスワードを設定してください。
auth-reset-offer = パスワードをお忘れですか？登録済みのメールアドレスに再発行コードを送りますか？ [y/N]:{ " " }
auth-reset-sent = このアカウントにメールアドレスが登録されていれば、再発行コードを送信しました。次の入力欄で一度だけ使えます。
auth-prompt-reset-code = 再発行コード（またはパスワード）：
email-no-relay = このシステムではメールを送信しません（[mail] relay が未設定です）。管理者にお問い合わせください。
email-invalid = { $address } は monban が送信できるメールアドレスではありません。
email-verification-sent = 確認コードを { $address } に送信しました。monban email verify で入力してください。それまでは現在のアドレスが使われます。
email-verify-wrong = 確認コードが違うか、有効期限が切れています。monban email set アドレス で新しいコードを請求してください。
email-verified = メールアドレスを { $address } に変更しました。
email-removed = メールアドレスを削除しました。
email-admin-set = { $user } のメールアドレスを { $address } にしました。
email-invite-needs-address = --invite には --email アドレス が必要です（有効化コードの送り先です）。
email-invite-no-password = --invite ではパスワードを設定しません。--password、--password-stdin、--temporary は指定しないでください。
email-invited = { $user } を追加し、有効化コードを { $address } に送信しました（{ $until }まで有効）。このコードで最初にログインすると新しいパスワードの設定を求められます。
reset-not-enabled = このシステムではメールによるパスワード再発行が有効になっていません（[reset] enabled）。管理者にお問い合わせください。
reset-requested = そのアカウントにメールアドレスが登録されていれば、再発行コードを送信しました。パスワードの入力欄にコードを入力してください（一度だけ使えます）。
cli-email-none = なし
cli-email-pending = { $address }（monban email verify での確認待ち）

mail-greeting = { $user } 様
mail-signature = — { $host } の monban
mail-code-valid-until = このコードは{ $until }まで有効で、一度だけ使えます。
mail-code-not-you = お心当たりのない場合は、このメールを破棄してください。コードが使われない限り何も変わりません。
mail-notice-not-you = お心当たりのない場合は、すぐに管理者にご連絡ください。
mail-invite-subject = { $host } のアカウント作成のお知らせ
mail-invite-body = { $host } にあなたのアカウント { $user } を作成しました。次の有効化コードをパスワードとして入力してログインし、ご自身のパスワードを設定してください。
mail-reset-subject = パスワード再発行のお知らせ（{ $host }）
mail-reset-body = { $host } のアカウント { $user } について、パスワードの再発行が請求されました。パスワードの入力欄に次のコードを入力し、新しいパスワードを設定してください。コードが使われるまでは現在のパスワードも使えます。
mail-verify-subject = メールアドレス確認のお願い（{ $user }）
mail-verify-body = このアドレスを { $host } のアカウント { $user } のメールアドレスにするには、monban email verify を実行して次のコードを入力してください。
mail-notice-subject = アカウントに関するお知らせ（{ $host } の { $user }）
mail-notice-password-changed = { $host } のアカウント { $user } のログインパスワードが{ $at }に変更されました。
mail-notice-admin-reset = { $host } のアカウント { $user } に、管理者が{ $at }に新しいパスワードを設定しました。管理者からお受け取りください。次回のログインで変更が必要です。
mail-notice-suspended = { $host } のアカウント { $user } の{ credential }は、連続した失敗のため{ $at }に停止されました。管理者が解除できます。
mail-notice-otp-on = { $host } のアカウント { $user } でワンタイムパスワードが{ $at }に有効になりました。
mail-notice-otp-off = { $host } のアカウント { $user } でワンタイムパスワードが{ $at }に無効になりました。
mail-notice-otp-reset = { $host } のアカウント { $user } のワンタイムパスワードのトークンを、管理者が{ $at }に削除しました。
mail-notice-address-changed = { $host } のアカウント { $user } のメールアドレスが{ $at }に { $address } に変更されました。今後のメールはこのアドレスではなく新しいアドレスに届きます。
cli-status-email = メールアドレス
cli-status-email-new = 新しいメールアドレス
cli-prompt-email-code = 確認コード：
cli-users-email = メールアドレス
cli-users-uid = UID

## monban だけのアカウント (SPEC §11)
accounts-added = { $then } monban だけのアカウントで、uid は { $uid } です。/etc/nsswitch.conf に「passwd: files monban」とあるホストで使えます。
accounts-name-taken = { $user } はこのシステムにすでに存在します（files、LDAP などの NSS）。--account は誰も使っていない名前にだけ使えます。既存の利用者は `monban user add { $user }` で管理してください。
accounts-range-full = [accounts] uid_min〜uid_max（{ $min }〜{ $max }）に空いている uid がありません。uid は再利用しません。monban.toml で範囲を広げてください。
accounts-group-privileged = [accounts] gid { $gid } は管理者グループか [daemon] privileged_groups のいずれかです。すべてのアカウントがその一員になるため、この設定のあいだアカウントを追加できるのは root だけです。

## 無操作時のログアウト (SPEC §12)
session-idle-warning = monban：このセッションでは { $minutes ->
        [0] { $seconds } 秒
       *[other] { $minutes } 分
    }間入力がありません。何か入力しないと { $at } にログアウトします。
session-idle-ended = monban：{ $minutes ->
        [0] { $seconds } 秒
       *[other] { $minutes } 分
    }間入力がなかったため、このセッションをログアウトします。
cli-sessions-user = ユーザー
cli-sessions-tty = 端末
cli-sessions-service = サービス
cli-sessions-from = 接続元
cli-sessions-since = 開始
cli-sessions-idle = 無操作
cli-sessions-none = このホストで監視中の対話セッションはありません。
cli-status-sessions = セッション
cli-status-session-line = { $tty }（{ $service }）{ $since } から、無操作 { $idle }
