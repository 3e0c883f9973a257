"""Moved to `community.discussion.page`, the read side of a discussion that posts, comments and
likes import downwards; this name stays so code written against it before the move still imports."""

from community.discussion.page import *  # noqa: F401,F403
