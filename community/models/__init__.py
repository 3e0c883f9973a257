"""The models, one module per aggregate; importing this package registers them all."""

from community.models.post import Post, PostStatus
from community.models.user import Role, User

__all__ = ["Post", "PostStatus", "Role", "User"]
