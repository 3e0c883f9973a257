"""How responses travel: static files under content-hashed URLs with long caching, and compression."""
