## cli (merged into ../ja.ftl when done)
