"""the users table"""
revision = "a1"
down_revision = None
from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(50)))
    op.execute("INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob')")


def downgrade():
    op.drop_table("users")
