"""Atom feeds of the posts, of one post's comments and of all public comments (see views.py)."""
