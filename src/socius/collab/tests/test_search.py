"""The search service: stemming, accents, ranking, privacy and query syntax, on each database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from socius.accounts.models import User
from socius.collab.models import Post, Space
from socius.collab.search import Kind, QueryTooShort, SearchResults, search
from socius.collab.services import comment_create, post_create, space_create, space_member_add
from socius.collab.services.posts import post_edit
from socius.collab.services.profiles import ProfileIn, profile_update
from socius.conftest import Cast, make_employee
from socius.core.errors import InvalidCursor, InvalidInput

pytestmark = pytest.mark.django_db


def ids(results: SearchResults, kind: Kind) -> list[int]:
    (group,) = [group for group in results.groups if group.kind == kind]
    return [hit.id for hit in group.hits]


def found(user: User, query: str, kind: Kind) -> list[int]:
    return ids(search(user=user, query=query, kinds=[kind]), kind)


@pytest.fixture
def lobby(cast: Cast) -> Space:
    space = space_create(actor=cast.agent, name="Hall d'accueil", visibility="public")
    space_member_add(actor=cast.colleague, space=space, user=cast.colleague)
    return space


@pytest.fixture
def private(cast: Cast) -> Space:
    space = space_create(actor=cast.agent, name="Comité de direction", visibility="private")
    space_member_add(actor=cast.agent, space=space, user=cast.colleague)
    return space


def write(author: User, space: Space, body: str) -> Post:
    return post_create(actor=author, space=space, body=body)


def test_a_french_plural_finds_the_singular_and_the_other_way(cast: Cast, lobby: Space) -> None:
    singular = write(cast.agent, lobby, "Le développeur livre la version ce soir.")
    plural = write(cast.agent, lobby, "Nos développeurs sont en congé.")
    write(cast.agent, lobby, "Rien à voir avec le sujet.")

    assert set(found(cast.colleague, "développeurs", Kind.POSTS)) == {singular.pk, plural.pk}
    assert set(found(cast.colleague, "developpeur", Kind.POSTS)) == {singular.pk, plural.pk}


def test_an_english_form_finds_another_form_of_the_word(cast: Cast, lobby: Space) -> None:
    run = write(cast.agent, lobby, "We run the nightly tests on Friday.")
    write(cast.agent, lobby, "Walking to the office.")

    assert found(cast.colleague, "running", Kind.POSTS) == [run.pk]


def test_accents_and_case_do_not_matter(cast: Cast, lobby: Space) -> None:
    meeting = write(cast.agent, lobby, "**Réunion** d'équipe lundi à 9 h.")

    assert found(cast.colleague, "reunion", Kind.POSTS) == [meeting.pk]
    assert found(cast.colleague, "RÉUNION EQUIPE", Kind.POSTS) == [meeting.pk]
    assert found(cast.colleague, "équipé", Kind.POSTS) == [meeting.pk]


def test_every_word_must_match(cast: Cast, lobby: Space) -> None:
    both = write(cast.agent, lobby, "Inventaire du magasin de Lyon.")
    write(cast.agent, lobby, "Inventaire du magasin de Lille.")

    assert found(cast.colleague, "inventaire lyon", Kind.POSTS) == [both.pk]


def test_the_best_match_comes_first(cast: Cast, lobby: Space) -> None:
    passing = write(
        cast.agent,
        lobby,
        "Compte rendu de la semaine : livraisons, plannings, recrutements, formation des "
        "nouveaux arrivants, inventaire du stock, et un mot rapide sur le budget.",
    )
    about = write(cast.agent, lobby, "Budget 2027 : le budget des équipes est validé.")

    assert found(cast.colleague, "budget", Kind.POSTS) == [about.pk, passing.pk]


def test_a_non_member_finds_nothing_of_a_private_space(
    cast: Cast, lobby: Space, private: Space
) -> None:
    secret_post = write(cast.agent, private, "Projet Hirondelle : rachat confidentiel.")
    secret_comment = comment_create(
        actor=cast.colleague, post=secret_post, body="Hirondelle : d'accord pour le rachat."
    )
    public_post = write(cast.agent, lobby, "Hirondelle vue devant le magasin.")

    everything = search(user=cast.outsider, query="hirondelle rachat", kinds=[Kind.POSTS])
    assert ids(everything, Kind.POSTS) == []
    assert found(cast.outsider, "hirondelle", Kind.POSTS) == [public_post.pk]
    assert found(cast.outsider, "hirondelle", Kind.COMMENTS) == []
    assert found(cast.colleague, "hirondelle rachat", Kind.POSTS) == [secret_post.pk]
    assert found(cast.colleague, "hirondelle", Kind.COMMENTS) == [secret_comment.pk]


def test_a_non_member_does_not_page_past_hidden_hits(
    cast: Cast, lobby: Space, private: Space
) -> None:
    for number in range(3):
        write(cast.agent, private, f"Rapport trimestriel numéro {number}")
    visible = write(cast.agent, lobby, "Rapport trimestriel public")

    results = search(user=cast.outsider, query="rapport", kinds=[Kind.POSTS], limit=1)

    assert ids(results, Kind.POSTS) == [visible.pk]
    assert results.groups[0].next_cursor is None


def test_a_secret_space_is_found_only_by_its_members(cast: Cast, private: Space) -> None:
    secret = space_create(actor=cast.agent, name="Opération Girafe", visibility="secret")
    listed = space_create(actor=cast.agent, name="Girafe et compagnie", visibility="private")

    assert found(cast.outsider, "girafe", Kind.SPACES) == [listed.pk]
    assert set(found(cast.agent, "girafe", Kind.SPACES)) == {secret.pk, listed.pk}


def test_spaces_are_found_by_description_and_goal_and_rank_by_name(cast: Cast) -> None:
    by_goal = space_create(
        actor=cast.agent, name="Atelier", visibility="public", goal="Former aux caisses"
    )
    by_name = space_create(actor=cast.agent, name="Caisses", visibility="public")

    assert found(cast.outsider, "caisse", Kind.SPACES) == [by_name.pk, by_goal.pk]


def test_colleagues_are_found_by_name_skills_and_ask_me_about(cast: Cast) -> None:
    profile_update(
        actor=cast.colleague,
        data=ProfileIn(title="Chef de projet", skills="Excel, négociation", ask_me_about="Vélo"),
    )
    gone = make_employee("eve.dupre@example.com", "Ève Négociation", "marketing")
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    assert found(cast.agent, "negociations", Kind.PEOPLE) == [cast.colleague.pk]
    assert found(cast.agent, "velo", Kind.PEOPLE) == [cast.colleague.pk]
    assert found(cast.agent, "chloe", Kind.PEOPLE) == [cast.outsider.pk]
    assert found(cast.agent, "bruno excel", Kind.PEOPLE) == [cast.colleague.pk]


def test_the_index_follows_edits_and_deletions(cast: Cast, lobby: Space) -> None:
    post = write(cast.agent, lobby, "Sortie au musée jeudi.")
    post_edit(actor=cast.agent, post=post, body="Sortie au cinéma jeudi.")

    assert found(cast.colleague, "musée", Kind.POSTS) == []
    assert found(cast.colleague, "cinema", Kind.POSTS) == [post.pk]

    Post.objects.filter(pk=post.pk).update(comment_count=3)  # counters leave the index alone
    assert found(cast.colleague, "cinema", Kind.POSTS) == [post.pk]
    Post.objects.filter(pk=post.pk).delete()
    assert found(cast.colleague, "cinema", Kind.POSTS) == []


@pytest.mark.parametrize(
    "query",
    [
        '"réunion',
        "réunion*",
        "réunion -lundi",
        "(réunion",
        "réunion)",
        "NEAR(réunion lundi)",
        "réunion AND",
        "réunion OR NOT",
        "body:réunion",
        "^réunion",
        "{réunion}",
        "réunion + + :",
    ],
)
def test_query_syntax_typed_by_a_colleague_is_only_words(
    cast: Cast, lobby: Space, query: str
) -> None:
    meeting = write(cast.agent, lobby, "Réunion de lundi : body, NEAR et NOT sont des mots.")

    results = search(user=cast.colleague, query=query)

    assert meeting.pk in ids(results, Kind.POSTS)
    assert Post.objects.filter(pk=meeting.pk).exists()


def test_sql_typed_in_a_query_is_only_words(cast: Cast, lobby: Space) -> None:
    meeting = write(cast.agent, lobby, "Réunion de lundi")

    results = search(user=cast.colleague, query="réunion'; DROP TABLE collab_post; --")

    assert ids(results, Kind.POSTS) == []
    assert found(cast.colleague, "réunion", Kind.POSTS) == [meeting.pk]


@pytest.mark.parametrize("query", ["", "   ", "a", "*", '""', '- ( ) " * :', "é", None])
def test_a_query_without_words_is_refused_clearly(cast: Cast, query: Any) -> None:
    with pytest.raises(QueryTooShort) as refused:
        search(user=cast.agent, query=query)
    assert refused.value.code == "query_too_short"


def test_pages_follow_the_ranking_with_a_cursor(cast: Cast, lobby: Space) -> None:
    posts = [write(cast.agent, lobby, f"Tournée d'inventaire {n}") for n in range(5)]

    first = search(user=cast.colleague, query="inventaire", kinds=[Kind.POSTS], limit=2)
    cursor = first.groups[0].next_cursor
    assert cursor is not None
    second = search(
        user=cast.colleague, query="inventaire", kinds=[Kind.POSTS], limit=2, cursor=cursor
    )
    third_cursor = second.groups[0].next_cursor
    assert third_cursor is not None
    third = search(
        user=cast.colleague, query="inventaire", kinds=[Kind.POSTS], limit=2, cursor=third_cursor
    )

    seen = ids(first, Kind.POSTS) + ids(second, Kind.POSTS) + ids(third, Kind.POSTS)
    assert sorted(seen) == sorted(post.pk for post in posts)
    assert third.groups[0].next_cursor is None


def test_a_forged_cursor_or_a_cursor_over_kinds_is_refused(cast: Cast) -> None:
    with pytest.raises(InvalidCursor):
        search(user=cast.agent, query="budget", kinds=[Kind.POSTS], cursor="bm90IGpzb24")
    with pytest.raises(InvalidCursor):
        search(user=cast.agent, query="budget", kinds=[Kind.POSTS], cursor="Wy0xXQ")  # [-1]
    with pytest.raises(InvalidInput):
        search(user=cast.agent, query="budget", cursor="WzEwXQ")  # [10], every kind


def test_snippets_mark_the_words_and_escape_the_text(cast: Cast, lobby: Space) -> None:
    write(cast.agent, lobby, 'Réunion <script>alert("x")</script> <b onclick="y">demain</b>')

    (hit,) = search(user=cast.colleague, query="reunion", kinds=[Kind.POSTS]).groups[0].hits

    assert hit.snippet == (
        "<mark>Réunion</mark> &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
        "&lt;b onclick=&quot;y&quot;&gt;demain&lt;/b&gt;"
    )


def test_a_search_costs_the_same_queries_whatever_the_data(
    cast: Cast, lobby: Space, private: Space, django_assert_num_queries: Any
) -> None:
    def every_kind() -> None:
        results = search(user=cast.outsider, query="budget")
        assert len(results.groups) == 4

    first = write(cast.agent, lobby, "Budget")
    comment_create(actor=cast.agent, post=first, body="Le budget, encore")
    space_create(actor=cast.agent, name="Budget", visibility="public")
    profile_update(actor=cast.colleague, data=ProfileIn(skills="budget"))
    with django_assert_num_queries(8):  # for each kind: the ranking, then the rows shown
        every_kind()

    for number in range(15):
        post = write(cast.agent, lobby if number % 2 else private, f"Budget {number}")
        comment_create(actor=cast.agent, post=post, body="Le budget, encore")
        space_create(actor=cast.agent, name=f"Budget {number}", visibility="public")
        make_employee(f"budget{number}@example.com", f"Budget {number}", "marketing")
    with django_assert_num_queries(8):
        every_kind()


def test_the_post_search_uses_the_full_text_index(cast: Cast, lobby: Space) -> None:
    from socius.collab.search.postgres import vector

    write(cast.agent, lobby, "Budget")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(
                f"EXPLAIN SELECT id FROM collab_post p WHERE {vector('p.body')} @@ "  # noqa: S608
                "plainto_tsquery('french', 'budget')"
            )
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "collab_post_search" in plan
        else:
            cursor.execute(
                "EXPLAIN QUERY PLAN SELECT p.id FROM collab_post_fts JOIN collab_post p "
                "ON p.id = collab_post_fts.rowid WHERE collab_post_fts MATCH 'budget'"
            )
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "VIRTUAL TABLE INDEX" in plan
            assert "collab_post_fts" in plan


def test_the_search_schema_is_in_place_after_every_migration(db: None) -> None:
    # A later migration that rebuilds one of these tables on SQLite drops its triggers.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'collab_%%search'"
            )
            names = {row[0] for row in cursor.fetchall()}
            expected = {
                "collab_post_search",
                "collab_comment_search",
                "collab_space_search",
                "collab_user_name_search",
                "collab_profile_search",
            }
            cursor.execute("SELECT provolatile FROM pg_proc WHERE proname = 'socius_unaccent'")
            assert cursor.fetchall() == [("i",)]
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {row[0] for row in cursor.fetchall() if "_fts_" in row[0]}
            expected = {
                *(
                    f"{table}_fts_{event}"
                    for table in ("collab_post", "collab_comment", "collab_space")
                    for event in ("insert", "update", "delete")
                ),
                *(
                    f"collab_people_fts_{source}_{event}"
                    for source in ("user", "profile")
                    for event in ("insert", "update", "delete")
                ),
            }
    assert names == expected


def test_posts_are_ranked_among_the_newest_matches(
    cast: Cast, lobby: Space, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("sqlite", "postgres"):
        monkeypatch.setattr(f"socius.collab.search.{module}.RANK_WINDOW", 2)
    write(cast.agent, lobby, "Budget budget budget")  # the best match, but out of the window
    middle = write(cast.agent, lobby, "Le budget de la semaine prochaine, à revoir ensemble")
    newest = write(cast.agent, lobby, "Budget validé")

    assert found(cast.colleague, "budget", Kind.POSTS) == [newest.pk, middle.pk]
