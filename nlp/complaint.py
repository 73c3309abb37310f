"""`murmure_complaint`: a problem library staff could act on.

A complaint is negative and either reports something going wrong (out of order, missing,
cancelled, too cold, dirty...) or is negative, beyond a mere feeling, about a service topic
(`problem`, set by `murmure_sentiment`). A negative post is not a complaint when it only voices
a feeling (« je déteste réviser ») or blames the poster or something outside the library
(« pas leur faute », a strike, « j'ai oublié mon chargeur »).
"""

from spacy.language import Language
from spacy.tokens import Doc


class ComplaintDetector:
    def __call__(self, doc: Doc) -> Doc:
        doc._.complaint = bool(
            doc._.sentiment == "negative" and doc._.problem and not doc._.excused
        )
        return doc


@Language.factory("murmure_complaint_v1", default_config={})
def make_complaint(nlp: Language, name: str) -> ComplaintDetector:
    return ComplaintDetector()
