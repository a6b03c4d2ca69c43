import knowledge

CONTRACT = [
    "Decision",
    "Entry",
    "Hit",
    "KnowledgeBase",
    "KnowledgeError",
    "Link",
    "LiveKnowledge",
    "MatchSettings",
    "Matcher",
    "Problem",
    "Snapshots",
    "load",
    "written_in_english",
]


def test_public_surface_is_the_contract() -> None:
    assert knowledge.__all__ == sorted(knowledge.__all__)
    assert sorted(knowledge.__all__) == sorted(CONTRACT)
    for name in CONTRACT:
        assert getattr(knowledge, name) is not None
