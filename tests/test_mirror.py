"""The image mirror's naming rule: readable where the URL allows, always inside the mirror."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from ddm_lang.perception.mirror import HASHED, is_remote, mirror_path


def test_a_plain_image_url_keeps_its_host_and_path() -> None:
    assert mirror_path("https://cdn.shop.com/img/a-1.jpg") == "cdn.shop.com/img/a-1.jpg"
    assert mirror_path("HTTPS://CDN.Shop.com/img/a.JPG") == "cdn.shop.com/img/a.JPG"
    assert mirror_path("http://cdn.shop.com:8080/a.png") == "cdn.shop.com_8080/a.png"
    assert mirror_path("https://cdn.shop.com:443/a.png") == "cdn.shop.com/a.png"


def test_queries_odd_characters_and_dot_segments_are_hashed_keeping_the_suffix() -> None:
    for url in ("https://cdn.shopify.com/s/files/ipod.png?v=1441219832",
                "https://x.com/a%2F..%2Fb.jpg", "https://x.com/%2e%2e/etc.jpg",
                "https://x.com/caf%C3%A9.jpg", "https://x.com/image/12345"):
        rel = mirror_path(url)
        assert rel is not None and rel.split("/")[1] == HASHED, (url, rel)
    assert str(mirror_path("https://cdn.shopify.com/s/ipod.png?v=1")).endswith(".png")
    assert mirror_path("https://x.com/a.jpg?v=1") != mirror_path("https://x.com/a.jpg?v=2")


def test_what_is_not_an_http_image_url_has_no_mirror_name() -> None:
    for ref in ("images/a.jpg", "file:///etc/passwd", "data:image/png;base64,AAAA",
                "ftp://x.com/a.jpg", "https:///a.jpg", "https://exa mple.com/a.jpg",
                "https://[::1/a.jpg"):
        assert mirror_path(ref) is None, ref
    assert is_remote("https://x.com/a.jpg") and not is_remote("images/a.jpg")


@given(st.text(max_size=80))
def test_every_mirror_name_stays_inside_its_host_folder(tail: str) -> None:
    rel = mirror_path("https://shop.example/" + tail)
    if rel is None:
        return
    norm = posixpath.normpath(rel)
    assert norm == rel and not rel.startswith("/") and ".." not in rel.split("/")
    assert rel.split("/")[0] == "shop.example" and "\\" not in rel and "\x00" not in rel
