"""An index to walk a topic's posts newest first: the feed reads one per followed topic.

Django declares no index on the table it creates for a many-to-many field, hence SQL; the
statement is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("collab", "0004_search")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX collab_post_topics_by_topic ON collab_post_topics (topic_id, post_id)",
            reverse_sql="DROP INDEX collab_post_topics_by_topic",
        )
    ]
