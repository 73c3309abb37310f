"""A week's report without the posts erasure removed: its stored document and every file copy
ever written, re-rendered (retention's erasure calls it)."""

from elasticsearch import Elasticsearch, helpers

from config.profile import Profile
from indexer.layout import layout
from schemas.summary import WeeklySummary
from summaries.archive import report_files, save_files
from summaries.render import Report, render_report


def scrub_summaries(es: Elasticsearch, erased: set[str], profile: Profile) -> tuple[int, list[str]]:
    """Summaries quoting an erased post, stored and saved again without it: (documents
    updated, report files rewritten)."""
    alias = layout().summaries.alias
    if not erased or not es.indices.exists(index=alias):
        return 0, []
    updated, files = 0, []
    for hit in helpers.scan(es, index=alias, query={"query": {"match_all": {}}}):
        stored = hit["_source"].get("summary")
        if not stored:
            continue
        summary = WeeklySummary.model_validate(stored)
        topics = [
            topic.model_copy(
                update={"examples": [post for post in topic.examples if post.id not in erased]}
            )
            for topic in summary.topics
        ]
        own = [post for post in summary.own_posts if post.id not in erased]
        waiting = [post for post in summary.waiting if post.id not in erased]
        if topics == summary.topics and own == summary.own_posts and waiting == summary.waiting:
            continue
        cleaned = summary.model_copy(
            update={"topics": topics, "own_posts": own, "waiting": waiting}
        )
        report = render_report(cleaned, profile)
        es.update(
            index=hit["_index"],
            id=hit["_id"],
            doc={
                "summary": cleaned.model_dump(mode="json"),
                "html": report.html_file,
                "text": report.text,
            },
        )
        updated += 1
        rendered: dict[str, Report] = {cleaned.language: report}
        for path, language in report_files(hit["_source"]):  # every copy ever written
            if path.is_file():
                if language not in rendered:
                    in_language = cleaned.model_copy(update={"language": language})
                    rendered[language] = render_report(in_language, profile)
                save_files(rendered[language], path)
                files.append(str(path))
    if updated:
        es.indices.refresh(index=alias)
    return updated, files
