"""Moving in and out: the WordPress (WXR) and Disqus importers, the old links they leave working,
the lossless JSON Lines export and its import, and the commands that run them."""
