## cli (merged into ../en.ftl when done)
