"""Email notifications: opt-in, double opt-in, the outbox, its worker and the unsubscribe links."""
