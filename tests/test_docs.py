"""docs/: the tables generated from the domain are current, citations and links resolve,
the files and sections the docs and the code name exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infoshare_desktop.domain.rules import Citation
from tests import docs_tables

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
DOMAIN = docs_tables.DOMAIN_MD.read_text(encoding="utf-8")


def _slug(heading: str) -> str:
    """The anchor a Markdown renderer (GitHub's rule) gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(text: str) -> set[str]:
    headings = re.findall(r"^#{1,6} (.+)$", text, re.M)
    return {_slug(h) for h in headings} | set(re.findall(r'<a id="([^"]+)"></a>', text))


def _headings(text: str) -> set[str]:
    return {h.strip() for h in re.findall(r"^#{1,6} (.+)$", text, re.M)}


def test_the_generated_tables_are_what_the_domain_declares() -> None:
    assert set(docs_tables.blocks(DOMAIN)) == set(docs_tables.TABLES)
    assert docs_tables.rewrite(DOMAIN) == DOMAIN, "run `make docs` to regenerate docs/domain.md"


def test_the_rule_table_lists_every_rule_once() -> None:
    rows = docs_tables.blocks(DOMAIN)["rules"].splitlines()[2:]
    ids = [re.match(r"\| `([A-Z_]+)` \|", row)[1] for row in rows]  # type: ignore[index]
    assert len(ids) == len(set(ids))
    from infoshare_desktop.domain.rules import RULES

    assert ids == list(RULES)


def test_the_rule_table_names_each_source_by_its_full_title() -> None:
    """The 2024 advice is linked as "Information sharing: advice for practitioners (DfE
    2024)", never cut to "Information sharing" at its first colon."""
    table = docs_tables.blocks(DOMAIN)["rules"]
    links = set(re.findall(r"\[([^\]]+)\]\(#([a-z0-9-]+)\)", table))
    full = "Information sharing: advice for practitioners (DfE 2024)"
    assert (full, Citation.CONSENT_MEANINGS.value) in links
    assert (full, Citation.PROTECTING_IDENTITIES.value) in links
    assert ("Golden rule 2", Citation.GOLDEN_RULE_2.value) in links
    assert "Information sharing" not in {name for name, _ in links}, "cut at its first colon"


@pytest.mark.parametrize("citation", list(Citation))
def test_every_citation_has_its_section(citation: Citation) -> None:
    assert f'<a id="{citation.value}"></a>' in DOMAIN
    after = DOMAIN.split(f'<a id="{citation.value}"></a>', 1)[1].lstrip()
    assert after.startswith("### "), "the anchor sits just above its section's heading"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_links_and_paths_in_the_docs_resolve(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        page, _, anchor = target.partition("#")
        if re.match(r"https?:", page):
            continue
        linked = (doc.parent / page) if page else doc
        assert linked.is_file(), f"{doc.name}: {target} links to a missing file"
        if anchor:
            assert anchor in _anchors(linked.read_text(encoding="utf-8")), target
    for path in re.findall(r"`((?:infoshare_desktop|tests|docs|packaging)/[^`\s]+)`", text):
        assert (ROOT / path).exists(), f"{doc.name} names {path}, which does not exist"


def test_the_code_cites_sections_of_docs_domain_md_that_exist() -> None:
    headings = _headings(DOMAIN)
    cited: set[str] = set()
    for source in (ROOT / "infoshare_desktop").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "DOMAIN.md" not in text, f"{source.name} cites DOMAIN.md: cite docs/domain.md"
        for section in re.findall(r'docs/domain\.md, "([^"]+)"', text):
            cited.add(section)
            assert section in headings, f"{source.name} cites a missing section {section!r}"
    assert cited, "the code cites docs/domain.md by section"
