"""add email"""
revision = "c3"
down_revision = "b2"
from alembic import op
import sqlalchemy as sa


def upgrade():
    op.add_column("users", sa.Column("email", sa.String(200), nullable=True))


def downgrade():
    op.drop_column("users", "email")
