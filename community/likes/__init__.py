"""Likes on posts and comments."""
