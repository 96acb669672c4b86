"""The search vocabulary: tsunagu's shipped words (vocabulary.yaml) merged with a region's `synonyms`."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from tsunagu.domain.errors import BuildError, Problem
from tsunagu.domain.services import SERVICE_NAMES
from tsunagu.search.textsearch import normalize
from tsunagu.yamlio.strict import parse_yaml


@functools.cache
def shipped() -> dict[str, list[str]]:
    """The shipped words: word -> what it stands for."""
    text = resources.files("tsunagu.search").joinpath("vocabulary.yaml").read_text(encoding="utf-8")
    problems: list[Problem] = []
    doc = parse_yaml(text, "tsunagu/search/vocabulary.yaml", problems)  # as strictly as a region's data
    if doc is None or not isinstance(doc.value, dict) or not isinstance(doc.value.get("words"), dict):
        raise BuildError("\n".join(map(str, problems)) or "tsunagu/search/vocabulary.yaml: expected `words:`")
    words: dict[str, list[str]] = doc.value["words"]
    return words


def merged(site_synonyms: dict[str, list[str]]) -> dict[str, list[str]]:
    """Shipped words, then the region's: a word it names is replaced, and [] switches it off."""
    words = dict(shipped())
    by_norm = {normalize(w): w for w in words}
    for word, targets in site_synonyms.items():
        # The region's ﾃﾞｲ replaces the shipped デイ: words are compared as search compares them.
        words.pop(by_norm.get(normalize(word), word), None)
        if targets:
            words[word] = list(targets)
    return words


@dataclass
class Vocabulary:
    """Which words a record gets: by the codes of its services, or by text found in its name or kind."""

    by_code: dict[str, list[str]]  # service code -> words
    by_service: dict[str, list[str]]  # a region's service name -> words (services outside the MHLW list)
    by_text: list[tuple[str, str]]  # (normalised target text, word)

    def words_for(self, services: list[str], codes: list[str], kind_text: str) -> list[str]:
        """The words that stand for something this record is or offers."""
        out: dict[str, None] = {}
        for code in codes:
            out.update(dict.fromkeys(self.by_code.get(code, ())))
        for service in services:
            out.update(dict.fromkeys(self.by_service.get(service, ())))
        norm = normalize(kind_text)
        for target, word in self.by_text:
            if target in norm:
                out[word] = None
        return list(out)


def compile_vocabulary(site_synonyms: dict[str, list[str]], site_services: dict[str, str]) -> Vocabulary:
    """The merged vocabulary, ready to match records of a region whose services carry these codes."""
    code_of = {normalize(name): code for code, name in SERVICE_NAMES.items()}
    region_names = {normalize(name): name for name in site_services}
    by_code: dict[str, list[str]] = {}
    by_service: dict[str, list[str]] = {}
    by_text: list[tuple[str, str]] = []
    for word, targets in merged(site_synonyms).items():
        for target in targets:
            norm = normalize(target)
            if norm in code_of:
                by_code.setdefault(code_of[norm], []).append(word)
            elif norm in region_names:
                by_service.setdefault(region_names[norm], []).append(word)
            elif norm:
                by_text.append((norm, word))
    return Vocabulary(by_code, by_service, by_text)
