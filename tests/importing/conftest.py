"""The real Stack Exchange sample (tests/fixtures/stackexchange, see its README for source and licence),
read independently of the importer, so the tests compare what was imported with what the files hold."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # nosec B405  # the repository's own fixture
from collections import Counter
from pathlib import Path

import pytest

from forum.importing import stackexchange

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "stackexchange" / "conlang.meta.stackexchange.com"
SITE = "https://conlang.meta.stackexchange.com"


def rows(name: str) -> list[dict[str, str]]:
    return [dict(row.attrib) for row in ET.parse(SAMPLE / name).getroot()]  # nosec B314


class Sample:
    """What the sample's files say, counted without the importer's reader."""

    def __init__(self) -> None:
        posts = rows("Posts.xml")
        self.questions = [row for row in posts if row["PostTypeId"] == "1"]
        self.answers = [row for row in posts if row["PostTypeId"] == "2"]
        self.comments = rows("Comments.xml")
        self.users = rows("Users.xml")
        self.links = rows("PostLinks.xml")
        self.upvotes = Counter(int(row["PostId"]) for row in rows("Votes.xml") if row["VoteTypeId"] == "2")
        self.accepted = {int(row["Id"]): int(row["AcceptedAnswerId"]) for row in self.questions
                         if row.get("AcceptedAnswerId")}


@pytest.fixture(scope="session")
def sample() -> Sample:
    return Sample()


@pytest.fixture
def imported(db):
    """The sample imported once into this test's (rolled-back) database; the run's summary."""
    return stackexchange.import_dump(SAMPLE, SITE)
