"""S213 vague-name: a KPI's or KGI's name states an aspiration instead of a metric."""

import functools
from collections.abc import Iterator, Mapping
from typing import ClassVar

from kpilint.build import SpecFile
from kpilint.checks import TERMS_SCHEMA, Memo, describe, extended
from kpilint.diagnostics import Severity, Violation
from kpilint.lexicon import Lexicon, vague_lexicon, vague_nouns, vague_verbs, words
from kpilint.rule import Context, FileRule, Option, measured_entities

# After a leading verb, these words show it is a noun: "Increase in AOV", "Lift per campaign".
NOUN_MARKERS = frozenset({"in", "of", "on", "per", "from", "over", "vs", "versus", "to", "thru",
                          "rate", "ratio", "percent", "percentage", "amount", "size"})


class VagueName(FileRule):
    """A leading verb (a trailing one in CJK) or a phrase of rules/lexicons/vague-words*.yaml."""

    code = "S213"
    name = "vague-name"
    severity = Severity.WARNING
    summary = "A KPI or KGI name says what to hope for instead of what to measure"
    options: ClassVar[Mapping[str, Option]] = {
        "extend-verbs": Option([], TERMS_SCHEMA,
                               "more verbs of aspiration that a name may not start (in Japanese:"
                               " end) with"),
        "extend-terms": Option([], TERMS_SCHEMA,
                               "more vague phrases to report wherever they stand in a name"),
    }

    @functools.cached_property
    def _wordings(self) -> Memo[str | None]:
        """How each name gives itself away, with this rule's lexicons."""
        verbs = extended(vague_verbs(), self.option("extend-verbs"))
        phrases = extended(vague_lexicon(), self.option("extend-terms"))
        return Memo(functools.partial(self._wording, verbs=verbs, phrases=phrases))

    def check(self, spec: SpecFile, context: Context) -> Iterator[Violation]:
        wordings = self._wordings
        for record in measured_entities(spec):
            if not record.model.name:
                continue
            wording = wordings[record.model.name]
            if wording is None:
                continue
            yield Violation(
                record.at_field("name"),
                f"the name of {describe(record)} {wording}, a wish rather than a metric: name"
                " the quantity and how it is counted, e.g. 'Monthly logo churn rate' instead"
                " of 'Improve retention'",
                subject=record.id, field="name")

    @staticmethod
    def _wording(name: str, verbs: Lexicon, phrases: Lexicon) -> str | None:
        """How the name gives itself away ("starts with 'grow'"), or None for a metric name.

        A leading verb followed by a noun marker ("Increase in AOV") or starting a compound
        noun of the lexicon ("Drive time") is no verb."""
        verb = verbs.starting(name)
        if verb is not None and not verb.chars and vague_nouns().starting(name) is None:
            following = words(name)[len(verb.words):len(verb.words) + 1]
            if not NOUN_MARKERS.intersection(following):
                return f"starts with '{verb.phrase}'"
        verb = verbs.ending(name)
        if verb is not None:
            return f"ends with '{verb.phrase}'"
        phrase = phrases.match(name)
        return f"says '{phrase.phrase}'" if phrase is not None else None
