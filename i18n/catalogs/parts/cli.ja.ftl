## cli (merged into ../ja.ftl when done)
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
cli-users-otp-lock = OTP停止
cli-users-otp = OTP
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
