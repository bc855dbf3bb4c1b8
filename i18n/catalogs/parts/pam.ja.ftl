## pam (merged into ../ja.ftl when done)
