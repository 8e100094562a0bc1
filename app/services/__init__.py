"""Use cases. Services own the transaction; nothing here imports Flask request state."""
