"""Accounts: register, log in, log out."""
