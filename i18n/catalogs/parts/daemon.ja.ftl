## daemon (merged into ../ja.ftl when done)
