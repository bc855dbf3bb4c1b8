## pam (merged into ../ja.ftl when done)
pam-no-verdict = ログインサービス（monban-authd）が応答しないため、アカウントを確認できません。root 以外のログインはお断りしています。1分ほどしてからもう一度お試しください。続く場合は、管理者に `systemctl status monban-authd` の確認を依頼してください。
pam-passwords-differ = パスワードが一致しません。
pam-password-too-long = パスワードが長すぎます。
pam-prompt-current = 現在のログインパスワード:{" "}
pam-prompt-new = 新しいログインパスワード:{" "}
pam-prompt-retype = 新しいログインパスワード（確認のため再入力）:{" "}
pam-prompt-current-confirm = 現在の確認用パスワード:{" "}
pam-prompt-new-confirm = 新しい確認用パスワード:{" "}
pam-prompt-retype-confirm = 新しい確認用パスワード（確認のため再入力）:{" "}
