"""The Flask extension objects, created unbound and initialised by create_app."""

from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from community.models.base import Base, render_migration_type

db = SQLAlchemy(model_class=Base)
# Batch mode lets SQLite alter tables; the hook keeps our column types plain in migrations.
migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_migration_type)
login_manager = LoginManager()
csrf = CSRFProtect()
cache = Cache()
compress = Compress()
# Every limit names its own key (see community.ratelimits); this default is never used by ours.
limiter = Limiter(get_remote_address)
