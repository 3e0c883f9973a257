"""The read side of a discussion, which the posts, comments and likes blueprints import downwards:
who reads it (`reader.Reader`), the spots of its page that differ between readers (`slots`), the
post page and its threads drawn for a reader (`page`), and the shared copies of it (`cache`)."""
