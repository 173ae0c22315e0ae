const val MODEL = "claude-sonnet-4-5"
