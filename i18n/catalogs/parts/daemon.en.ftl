## daemon (merged into ../en.ftl when done)
