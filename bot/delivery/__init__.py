"""What the bot sends on its own initiative: the persistent outbox and its pacing."""
