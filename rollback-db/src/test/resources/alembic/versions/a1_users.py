"""create users"""
revision = "a1"
down_revision = None
from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))


def downgrade():
    op.drop_table("users")
