"""How adoption reads the Activity log's verbs: what is use of the social network, a
contribution, a participation, an interaction between people.

Adoption measures how employees take to working together in Socius (the spec's event
model: reading, posting, replying, reacting, signing in), not their operational work: a
ticket scanned at the gate or a loyalty card issued is not a sign of adoption. Customer
care's answers are measured apart, as response times to customers."""

from __future__ import annotations

POST_CREATED = "collab.post_created"
REPLY = "collab.comment_created"
CASE_OPENED = "care.case_opened"
CASE_FIRST_RESPONSE = "care.first_response"

# Entries that count as using the social network, filed under the actor's own department.
# Of the accounts' entries only the visit counts: an HR officer creating an employee is
# filed under that employee's department and must not count as activity there.
ADOPTION_PREFIXES = ("collab.", "charter.")
VISITED = "employee.visited"
# Creating content (Jive's "contributors"): posts and comments.
CONTRIBUTIONS = frozenset(
    {
        POST_CREATED,
        REPLY,
        "collab.post_edited",
        "collab.comment_edited",
        "collab.attachment_added",
        "collab.space_created",
    }
)
# Taking part without creating (Jive's "participants").
PARTICIPATIONS = frozenset(
    {
        "collab.reaction_added",
        "collab.answer_accepted",
        "collab.followed",
        "collab.announcement_read",
        "collab.join_requested",
        "charter.acknowledged",
    }
)
# Person-to-person interactions: their payload names whom they answer (``to_user``).
INTERACTIONS = frozenset({REPLY, "collab.reaction_added"})
