## pam (merged into ../en.ftl when done)
