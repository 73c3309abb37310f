"""RSS and Atom: conditional GETs (ETag, Last-Modified), items sent once, bad items skipped."""

from listeners.checkpoints import MemoryCheckpoints
from tests.listeners.conftest import drain, make_context, mentions, source
from tests.listeners.fakeapi import FakeApi, Reply

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>L'Écho de Kerbrient</title><link>https://echo.kerbrient.example/</link><language>fr</language>
{items}
</channel></rss>"""

ITEM = """<item><title>{title}</title><link>https://echo.kerbrient.example/{slug}</link>
<guid>https://echo.kerbrient.example/{slug}</guid>
<pubDate>Tue, 10 Nov 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;La médiathèque de &lt;b&gt;Lanvern&lt;/b&gt; ferme.&lt;/p&gt;</description>
</item>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Google Alert - médiathèque Kerbrient</title>
<id>tag:google.com,2005:reader/user/1/state/com.google/alerts/2</id>
<updated>2026-11-10T09:00:00Z</updated>
<entry><id>tag:google.com,2013:googlealerts/feed:111</id>
<title type="html">Le &lt;b&gt;bibliobus&lt;/b&gt; change d'arrêt</title>
<link href="https://blog.example/bibliobus"/><published>2026-11-09T08:00:00Z</published>
<updated>2026-11-09T08:00:00Z</updated><content type="html">Nouvel arrêt à Pors-Meur</content>
<author><name></name></author></entry>
</feed>"""


def item(slug: str, title: str = "Travaux à la médiathèque") -> str:
    return ITEM.format(slug=slug, title=title)


def test_rss_and_atom_with_etag_last_modified_and_items_sent_once(api: FakeApi) -> None:
    bad = "<item><title>Sans lien</title><description>rien</description></item>"
    api.route(
        "GET",
        "/rss.xml",
        Reply(
            200,
            RSS.format(items=item("a") + item("b") + bad),
            {"ETag": '"v1"', "Content-Type": "application/rss+xml"},
        ),
        Reply(304, headers={"ETag": '"v1"'}),
        Reply(200, RSS.format(items=item("c") + item("a") + item("b")), {"ETag": '"v2"'}),
    )
    api.route(
        "GET",
        "/alerts",
        Reply(
            200,
            ATOM,
            {
                "Last-Modified": "Tue, 10 Nov 2026 09:00:00 GMT",
                "Content-Type": "application/atom+xml",
            },
        ),
        Reply(304),
    )
    config = source(
        {"id": "rss", "type": "rss", "feeds": [f"{api.url}/rss.xml", f"{api.url}/alerts"]}
    )
    store, context = MemoryCheckpoints(), make_context()
    pages = drain(config, context, store)
    found = mentions(pages)
    assert [m.native_id for m in found] == [
        "https://echo.kerbrient.example/a",
        "https://echo.kerbrient.example/b",
        "tag:google.com,2013:googlealerts/feed:111",
    ]
    assert sum(p.malformed for p in pages) == 1
    assert found[0].text == "Travaux à la médiathèque\nLa médiathèque de Lanvern ferme."
    assert (
        found[0].lang_hint == "fr"
        and found[0].created_at.isoformat() == "2026-11-10T09:00:00+00:00"
    )
    assert found[2].text.startswith("Le bibliobus change d'arrêt")

    assert mentions(drain(config, context, store)) == []  # both feeds answer 304
    rss_calls, atom_calls = api.calls("/rss.xml"), api.calls("/alerts")
    assert rss_calls[1].headers["if-none-match"] == '"v1"'
    assert atom_calls[1].headers["if-modified-since"] == "Tue, 10 Nov 2026 09:00:00 GMT"

    third = mentions(drain(config, context, store))  # the feed changed: only the new item
    assert [m.native_id for m in third] == ["https://echo.kerbrient.example/c"]


def test_429_retry_after_then_500_are_waited_out(api: FakeApi) -> None:
    api.route(
        "GET",
        "/rss.xml",
        Reply(429, "slow down", {"Retry-After": "1"}),
        Reply(500, "oops"),
        Reply(200, RSS.format(items=item("z"))),
    )
    config = source({"id": "rss", "type": "rss", "feeds": [f"{api.url}/rss.xml"]})
    assert len(mentions(drain(config, make_context(), MemoryCheckpoints()))) == 1
    calls = api.calls("/rss.xml")
    assert len(calls) == 3 and calls[1].at - calls[0].at >= 0.9
