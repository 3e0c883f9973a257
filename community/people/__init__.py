"""People: the public page of each account (/people/<username>) and an account's own settings
(display name and bio, email confirmed at the new address, password)."""
