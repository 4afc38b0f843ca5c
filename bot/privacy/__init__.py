"""What people can do about their data: clear the chat, forget everything, retention, the audit log."""
