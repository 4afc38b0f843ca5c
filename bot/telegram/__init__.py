"""What is Telegram's own: how its updates are read, its limits and its HTML."""
