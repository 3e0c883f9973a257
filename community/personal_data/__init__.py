"""Personal data: what the site holds about a person, to download, and erasing it: an account
(by its owner or an admin) or a guest's comments under an email address (by a mailed link)."""
