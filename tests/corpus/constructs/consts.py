DEFAULT_CHAT = "acme-chat-9"
