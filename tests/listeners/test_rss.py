"""RSS and Atom: conditional GETs (ETag, Last-Modified), items sent once, bad items skipped."""

from listeners.checkpoints import MemoryCheckpoints
from listeners.pseudonym import pseudonymise
from tests.listeners.conftest import KEY, drain, make_context, mentions, source
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


GOOGLE_ALERT = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
<id>tag:google.com,2005:reader/user/0680703191/state/com.google/alerts/112970925</id>
<title>Google Alert - médiathèque Kerbrient</title>
<link href="https://www.google.com/alerts/feeds/0680703191/112970925" rel="self"/>
<updated>2026-11-10T09:00:00Z</updated>
{entries}
</feed>"""

ALERT_ENTRY = """<entry>
<id>tag:google.com,2013:googlealerts/feed:{number}</id>
<title type="html">{title}</title>
<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url={article}&amp;ct=ga&amp;cd=CAIyGjE4ZTMyZjk&amp;usg=AOvVaw0mT"/>
<published>2026-11-10T08:00:00Z</published>
<updated>2026-11-10T08:00:00Z</updated>
<content type="html">{content}</content>
<author><name/></author>
</entry>"""


def test_google_alerts_links_authors_and_languages(api: FakeApi) -> None:
    entries = [
        (
            "1",
            "https://www.ouest-kerbrient.example/2026/11/bibliobus.html",
            "Le &lt;b&gt;bibliobus&lt;/b&gt; de Kerbrient change d&#39;arrêt",
            "La &lt;b&gt;médiathèque&lt;/b&gt; annonce un nouvel arrêt du bibliobus.",
        ),
        (
            "2",
            "https://blog.lanvern.example/biblio",
            "Kerbrient &lt;b&gt;library&lt;/b&gt; opens on Sundays",
            "The library in Kerbrient will be open on Sunday afternoons from next month.",
        ),
        (
            "3",
            "https://www.ouest-kerbrient.example/2026/11/wifi.html",
            "Wi-Fi en panne à la &lt;b&gt;médiathèque&lt;/b&gt;",
            "Les usagers de la médiathèque se plaignent du réseau.",
        ),
    ]
    feed = GOOGLE_ALERT.format(
        entries="".join(
            ALERT_ENTRY.format(number=n, article=a, title=t, content=c) for n, a, t, c in entries
        )
    )
    api.route("GET", "/alerts/feeds/1", Reply(200, feed, {"Content-Type": "application/atom+xml"}))
    config = source({"id": "alerts", "type": "rss", "feeds": [f"{api.url}/alerts/feeds/1"]})
    found = mentions(drain(config, make_context(), MemoryCheckpoints()))
    assert [m.url for m in found] == [article for _, article, _, _ in entries]
    assert [m.native_id for m in found] == [
        f"tag:google.com,2013:googlealerts/feed:{n}" for n, _, _, _ in entries
    ]
    press, blog, press_again = (m.author.pseudonym for m in found)
    assert press == pseudonymise(KEY, "rss", "ouest-kerbrient.example") == press_again
    assert blog == pseudonymise(KEY, "rss", "blog.lanvern.example") != press
    assert [m.lang_hint for m in found] == ["fr", "en", "fr"]
    assert found[0].text.startswith("Le bibliobus de Kerbrient change d'arrêt\nLa médiathèque")


def test_only_google_redirects_are_unwrapped() -> None:
    from listeners.rss import article_url

    wrapped = "https://www.google.fr/url?sa=t&q=https://echo.kerbrient.example/a&usg=x"
    assert article_url(wrapped) == "https://echo.kerbrient.example/a"
    kept = [
        "https://echo.kerbrient.example/url?url=https://elsewhere.example/",
        "https://www.google.com/url?url=javascript:alert(1)",
        "https://www.google.com/search?q=m%C3%A9diath%C3%A8que",
    ]
    assert [article_url(link) for link in kept] == kept


def test_a_link_that_is_not_a_web_link_is_dropped_not_the_post() -> None:
    from listeners.rss import article_url

    assert article_url("javascript:alert(1)") is None
    assert article_url("mailto:accueil@kerbrient.example") is None
    assert article_url("") is None
