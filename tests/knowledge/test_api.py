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


def test_knowledge_imports_nothing_of_ours_or_of_teams() -> None:
    import ast
    from pathlib import Path

    for path in Path(knowledge.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = (
                    [node.module]
                    if isinstance(node, ast.ImportFrom)
                    else [alias.name for alias in node.names]
                )
                for name in filter(None, names):
                    top = name.split(".")[0]
                    assert top not in {"bot", "dialogs", "app", "botbuilder"}, (path, name)
