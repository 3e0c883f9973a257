"""Essays: the index, a post's page, and the author's editor."""
