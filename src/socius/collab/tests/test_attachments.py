"""Files on posts: what is accepted, how it is stored and served, and who never gets it."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from socius.accounts.services import token_create
from socius.collab.models import Attachment, Comment, Post, Space
from socius.collab.services import comment_create, post_create, space_create, space_member_add
from socius.collab.services.attachments import attachments_add
from socius.conftest import Cast, signed_in_client
from socius.core.models import Activity

pytestmark = pytest.mark.django_db


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(extra_chunk: bytes = b"") -> bytes:
    header = _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    pixels = _chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + extra_chunk + pixels + _chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x00;"
WEBP_BODY = b"WEBPVP8 " + struct.pack("<I", 4) + b"\x00\x00\x00\x00"
WEBP = b"RIFF" + struct.pack("<I", len(WEBP_BODY)) + WEBP_BODY
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
PHP = b"<?php system($_GET['c']); ?>"


def office(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = office({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(settings: Any) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def api(user: Any) -> Client:
    secret = token_create(user=user, name="tests", scopes=["collab:read", "collab:write"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def upload(client: Client, post: Post, name: str, data: bytes, **extra: Any) -> Any:
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(f"/api/v1/collab/posts/{post.pk}/attachments", {"file": file, **extra})


@pytest.fixture
def post(cast: Cast) -> Post:
    space = space_create(actor=cast.agent, name="Projet Lumières", visibility="private")
    return post_create(actor=cast.agent, space=space, body="Le plan")


@pytest.mark.parametrize(
    ("name", "data", "content_type", "is_image"),
    [
        ("plan.png", png(), "image/png", True),
        ("photo.JPG", JPEG, "image/jpeg", True),
        ("anim.gif", GIF, "image/gif", True),
        ("image.webp", WEBP, "image/webp", True),
        ("devis.pdf", PDF, "application/pdf", False),
        ("notes.txt", "Réunion à 10 h\n".encode(), "text/plain", False),
        ("liste.csv", "nom;ville\nÉlodie;Lyon\n".encode("cp1252"), "text/csv", False),
        (
            "cr.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            False,
        ),
        ("cr.odt", ODT, "application/vnd.oasis.opendocument.text", False),
    ],
)
def test_the_author_attaches_an_allowed_file_stored_under_a_random_name(
    cast: Cast, post: Post, settings: Any, name: str, data: bytes, content_type: str, is_image: bool
) -> None:
    response = upload(api(cast.agent), post, name, data)

    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (name, content_type)
    assert (attachment.size, attachment.is_image) == (len(data), is_image)
    assert re.fullmatch(r"collab/[0-9a-f]{32}", attachment.file.name)
    assert [p.read_bytes() for p in stored_files(settings)] == [data]
    assert (
        response.json()[0]["sha256"]
        == attachment.sha256
        == __import__("hashlib").sha256(data).hexdigest()
    )
    assert Activity.objects.filter(verb="collab.attachment_added").count() == 1


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("page.png", HTML, "attachment_content_mismatch"),  # .html renamed .png
        ("logo.png", SVG, "attachment_content_mismatch"),  # .svg renamed .png
        ("shell.png", PHP, "attachment_content_mismatch"),  # .php renamed .png
        ("polyglot.png", png() + HTML, "attachment_content_mismatch"),
        ("polyglot.png", b"\x89PNG\r\n\x1a\n" + HTML, "attachment_content_mismatch"),
        ("hidden.png", png(_chunk(b"tEXt", b"c\x00" + HTML)), "attachment_content_mismatch"),
        ("photo.jpg", JPEG[:-2] + HTML + b"\xff\xd9", "attachment_content_mismatch"),
        ("page.txt", HTML, "attachment_content_mismatch"),
        ("binary.txt", b"MZ\x90\x00\x03\x00\x00\x00", "attachment_content_mismatch"),
        ("fake.docx", PDF, "attachment_content_mismatch"),
        ("fake.pdf", png(), "attachment_content_mismatch"),
        ("empty.png", b"", "attachment_content_mismatch"),
        ("logo.svg", SVG, "attachment_type_not_allowed"),
        ("page.html", HTML, "attachment_type_not_allowed"),
        ("shell.php", PHP, "attachment_type_not_allowed"),
        ("../../settings.py", b"SECRET_KEY = 'x'\n", "attachment_type_not_allowed"),
        ("no-extension", png(), "attachment_type_not_allowed"),
        ("photo.png.exe", png(), "attachment_type_not_allowed"),
    ],
)
def test_a_file_whose_type_or_content_is_not_allowed_is_refused(
    cast: Cast, post: Post, settings: Any, name: str, data: bytes, code: str
) -> None:
    response = upload(api(cast.agent), post, name, data)

    assert (response.status_code, response.json()["code"]) == (422, code)
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []
    assert not Activity.objects.filter(verb="collab.attachment_added").exists()


def test_a_file_over_the_limit_is_refused_as_too_large(
    cast: Cast, post: Post, settings: Any
) -> None:
    settings.COLLAB_ATTACHMENT_MAX_BYTES = 1000
    big = png(_chunk(b"zTXt", b"k\x00\x00" + b"\x00" * 2000))

    response = upload(api(cast.agent), post, "big.png", big)
    fits = upload(api(cast.agent), post, "small.png", png())

    assert (response.status_code, response.json()["code"]) == (413, "attachment_too_large")
    assert response.json()["details"]["max_bytes"] == 1000
    assert fits.status_code == 201
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["small.png"]


def test_a_post_takes_a_limited_number_of_files(cast: Cast, post: Post, settings: Any) -> None:
    settings.COLLAB_ATTACHMENTS_PER_POST = 2
    client = api(cast.agent)
    upload(client, post, "a.png", png())

    two_more = client.post(
        f"/api/v1/collab/posts/{post.pk}/attachments",
        {"file": [SimpleUploadedFile("b.png", png()), SimpleUploadedFile("c.png", png())]},
    )
    one_more = upload(client, post, "b.png", png())

    assert (two_more.status_code, two_more.json()["code"]) == (422, "too_many_attachments")
    assert one_more.status_code == 201
    assert Attachment.objects.count() == 2


def test_a_path_in_the_name_is_dropped_and_never_used_to_store(
    cast: Cast, post: Post, settings: Any
) -> None:
    response = upload(api(cast.agent), post, "../../../etc/photo.png", png())

    attachment = Attachment.objects.get()
    assert response.status_code == 201
    assert attachment.original_name == "photo.png"
    (stored,) = stored_files(settings)
    assert stored.parent == Path(settings.MEDIA_ROOT) / "collab"


def test_a_name_with_line_breaks_and_quotes_cannot_inject_a_header(cast: Cast, post: Post) -> None:
    # RFC 2231 lets a client send any character in a file name, CR and LF included.
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="file"; '
        b"filename*=UTF-8''devis%20%22final%22%0D%0AX-Injected%3A%201.pdf\r\n"
        b"Content-Type: application/pdf\r\n\r\n" + PDF + b"\r\n--XyZ--\r\n"
    )
    sent = api(cast.agent).post(
        f"/api/v1/collab/posts/{post.pk}/attachments",
        body,
        content_type="multipart/form-data; boundary=XyZ",
    )
    assert sent.status_code == 201, sent.content
    attachment = Attachment.objects.get()

    response = signed_in_client(cast.agent).get(
        reverse("collab:attachment-download", args=[attachment.pk])
    )

    assert attachment.original_name == 'devis "final"X-Injected: 1.pdf'
    assert response["Content-Disposition"] == (
        'attachment; filename="devis \\"final\\"X-Injected: 1.pdf"'
    )
    assert "X-Injected" not in response.headers


def test_a_download_is_sandboxed_and_never_sniffed(cast: Cast, post: Post) -> None:
    upload(api(cast.agent), post, "Compte-rendu été.pdf", PDF)
    upload(api(cast.agent), post, "plan.png", png())
    pdf, image = Attachment.objects.order_by("pk")
    alice = signed_in_client(cast.agent)
    url = reverse("collab:attachment-download", args=[pdf.pk])

    response = alice.get(url)
    asked_inline = alice.get(url + "?inline=1")
    shown = alice.get(reverse("collab:attachment-download", args=[image.pk]) + "?inline=1")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Compte-rendu%20%C3%A9t%C3%A9.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert asked_inline["Content-Disposition"].startswith("attachment;")  # a PDF never inline
    assert shown["Content-Disposition"] == 'inline; filename="plan.png"'
    assert (shown["Content-Type"], shown["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert shown["Content-Security-Policy"].startswith("sandbox")


def test_the_api_downloads_with_the_same_headers(cast: Cast, post: Post) -> None:
    upload(api(cast.agent), post, "plan.png", png())
    attachment = Attachment.objects.get()

    listed = api(cast.agent).get(f"/api/v1/collab/posts/{post.pk}/attachments").json()
    response = api(cast.agent).get(listed[0]["url"])

    assert listed[0]["url"] == f"/api/v1/collab/attachments/{attachment.pk}"
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png()
    assert response["Content-Disposition"] == 'attachment; filename="plan.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")


def test_a_non_member_gets_404_for_a_private_spaces_file_by_url_and_by_api(
    cast: Cast, post: Post
) -> None:
    upload(api(cast.agent), post, "plan.png", png())
    attachment = Attachment.objects.get()
    page_url = reverse("collab:attachment-download", args=[attachment.pk])

    by_page = signed_in_client(cast.colleague).get(page_url)
    by_api = api(cast.colleague).get(f"/api/v1/collab/attachments/{attachment.pk}")
    listing = api(cast.colleague).get(f"/api/v1/collab/posts/{post.pk}/attachments")
    adding = upload(api(cast.colleague), post, "x.png", png())
    missing = signed_in_client(cast.agent).get(
        reverse("collab:attachment-download", args=[attachment.pk + 1000])
    )

    assert [by_page.status_code, by_api.status_code, listing.status_code] == [404, 404, 404]
    assert (adding.status_code, missing.status_code) == (404, 404)
    assert Attachment.objects.count() == 1
    assert Client().get(page_url).status_code == 302  # to the sign-in page


def test_a_member_who_leaves_loses_the_file(cast: Cast, post: Post) -> None:
    upload(api(cast.agent), post, "plan.png", png())
    attachment = Attachment.objects.get()
    space_member_add(actor=cast.agent, space=post.space, user=cast.colleague)
    url = reverse("collab:attachment-download", args=[attachment.pk])
    bruno = signed_in_client(cast.colleague)
    assert bruno.get(url).status_code == 200

    post.space.memberships.filter(user=cast.colleague).delete()

    assert bruno.get(url).status_code == 404


def test_only_the_author_attaches_and_only_while_the_space_is_open(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Accueil", visibility="public")
    written = post_create(actor=cast.agent, space=space, body="Bonjour")
    comment = comment_create(actor=cast.colleague, post=written, body="Merci")

    refused = upload(api(cast.colleague), written, "x.png", png())
    on_comment = upload(api(cast.colleague), written, "x.png", png(), comment=comment.pk)
    other_comment = upload(api(cast.agent), written, "x.png", png(), comment=comment.pk)
    Space.objects.filter(pk=space.pk).update(archived_at="2026-11-01T00:00:00Z")
    archived = upload(api(cast.agent), written, "y.png", png())

    assert (refused.status_code, refused.json()["code"]) == (403, "not_the_author")
    assert on_comment.status_code == 201
    assert on_comment.json()[0]["comment_id"] == comment.pk
    assert (other_comment.status_code, other_comment.json()["code"]) == (403, "not_the_author")
    assert (archived.status_code, archived.json()["code"]) == (403, "space_archived")
    assert list(Attachment.objects.values_list("comment_id", flat=True)) == [comment.pk]
    assert Comment.objects.count() == 1


def test_a_post_is_published_with_its_files_from_the_space_page(cast: Cast) -> None:
    space = space_create(actor=cast.agent, name="Accueil", visibility="public")
    alice = signed_in_client(cast.agent)
    url = reverse("collab:space-detail", args=[space.pk])

    refused = alice.post(
        url,
        {
            "body": "Voici",
            "attachments": [SimpleUploadedFile("a.png", png()), SimpleUploadedFile("b.png", HTML)],
        },
    )
    assert refused.status_code == 200
    assert not Post.objects.exists()
    assert "Voici" in refused.content.decode()  # the text is kept in the form

    published = alice.post(
        url, {"body": "Voici", "attachments": [SimpleUploadedFile("a.png", png())]}
    )

    written = Post.objects.get()
    assert published.status_code == 302
    assert list(written.attachments.values_list("original_name", flat=True)) == ["a.png"]


def test_the_post_page_shows_images_through_the_download_view_and_takes_uploads(
    cast: Cast, post: Post
) -> None:
    alice = signed_in_client(cast.agent)
    uploaded = alice.post(
        reverse("collab:attachment-upload", args=[post.pk]),
        {"files": [SimpleUploadedFile("plan.png", png()), SimpleUploadedFile("devis.pdf", PDF)]},
    )
    refused = alice.post(
        reverse("collab:attachment-upload", args=[post.pk]),
        {"files": [SimpleUploadedFile("page.png", HTML)]},
    )
    image = Attachment.objects.get(original_name="plan.png")

    page = alice.get(reverse("collab:post-detail", args=[post.pk])).content.decode()

    assert (uploaded.status_code, refused.status_code) == (302, 302)
    assert Attachment.objects.count() == 2
    download = reverse("collab:attachment-download", args=[image.pk])
    assert f'src="{download}?inline=1"' in page
    assert 'data-testid="attachment-upload"' in page
    assert "devis.pdf" in page
    bruno_view = signed_in_client(cast.outsider).get(reverse("collab:post-detail", args=[post.pk]))
    assert bruno_view.status_code == 404


def test_attaching_needs_the_service_rules_even_when_called_directly(
    cast: Cast, post: Post
) -> None:
    from socius.collab.services.attachments import NotTheAuthor

    with pytest.raises(NotTheAuthor):
        attachments_add(
            actor=cast.colleague, post=post, uploads=[SimpleUploadedFile("a.png", png())]
        )
    assert not Attachment.objects.exists()
