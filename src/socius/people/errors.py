from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from socius.core.errors import Conflict, DomainError, NotFound


class PersonNotFound(NotFound):
    code = "person_not_found"
    default_message = _("No such person.")


class MergeRefused(Conflict):
    code = "merge_refused"
    default_message = _("These two persons cannot be merged.")


class MergeAlreadyUndone(Conflict):
    code = "merge_already_undone"
    default_message = _("This merge was already undone.")


class MergeNotLatest(Conflict):
    code = "merge_not_latest"
    default_message = _("The surviving person was merged again since: undo that later merge first.")


class PersonErased(Conflict):
    code = "person_erased"
    default_message = _("This person's data was erased.")


class PersonMergedAway(DomainError):
    """The id names a record merged into another: callers are sent to the survivor."""

    code = "person_merged"
    status_code = 301
    default_message = _("This person was merged into another record.")

    def __init__(self, *, survivor_id: int) -> None:
        self.survivor_id = survivor_id
        super().__init__(details={"survivor_id": survivor_id})


class ErasureRefused(Conflict):
    code = "erasure_refused"
    default_message = _("This person's data cannot be erased this way.")


class PrivacyRequestPending(Conflict):
    code = "privacy_request_pending"
    default_message = _("A request of this kind is already pending.")


class PrivacyRequestClosed(Conflict):
    code = "privacy_request_closed"
    default_message = _("This request was already handled.")
