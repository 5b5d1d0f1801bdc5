"""Sparse binary features from normalised tokens, shared by training and inference.

Bigrams let a linear model see negation and short phrases (`tidak puas`,
`jatuh tempo`, `kena denda`) without a parser; presence rather than counts keeps
long rants from drowning short messages. Domain-lexicon hits are added as extra
features so rare synonyms still reach the topic heads.
"""

from __future__ import annotations

from itertools import pairwise

from chalicelib.scrm.analysis import lexicon
from chalicelib.scrm.analysis.normalise import mark_question_tag, strip_greeting


def extract(tokens: list[str], lexicon_hits: list[str] | None = None) -> set[str]:
    """Unigrams, bigrams and lexicon hits of a normalised token list (pass `lexicon_hits` if already computed).

    A leading greeting is dropped first: it is noise for every head. A trailing
    "ga?" becomes a question tag, so it is not read as a negation.
    """
    tokens = mark_question_tag(strip_greeting(tokens))
    feats = set(tokens)
    feats.update(f"{a} {b}" for a, b in pairwise(tokens))
    hits = lexicon.hits(" ".join(tokens)) if lexicon_hits is None else lexicon_hits
    feats.update(lexicon.feature_name(topic) for topic in hits)
    return feats
