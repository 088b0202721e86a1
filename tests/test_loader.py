"""Loading scenario folders: overlay, extends, compiled rules, and every problem with its position."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest

from mockserver import Problem, ScenarioError, loader
from mockserver.exchange import Incoming
from mockserver.yamldoc import Document
from tests.conftest import WriteScenario

BUILTIN = {
    "default",
    "out-of-credits",
    "expired-key",
    "flaky-5xx",
    "no-batch-plan",
    "storage-outage",
    "slow-network",
    "empty-workspace",
    "maintenance",
    "every-error",
}


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        loader.load(folder)
    return [str(p) for p in caught.value.problems]


def only_problem(folder: Path) -> Problem:
    with pytest.raises(ScenarioError) as caught:
        loader.load(folder)
    assert len(caught.value.problems) == 1, caught.value.problems
    return caught.value.problems[0]


# --- what loads -------------------------------------------------------------------


def test_builtin_scenarios_all_load_with_a_description() -> None:
    scenarios = loader.load()
    assert set(scenarios.scenarios) == BUILTIN
    for scenario in scenarios.scenarios.values():
        assert scenario.builtin
        assert scenario.description


def test_every_builtin_file_starts_with_a_comment_header() -> None:
    for entry in loader.builtin_folder().iterdir():
        if entry.name.endswith(".yaml"):
            first = entry.read_text(encoding="utf-8").splitlines()[0]
            assert first.startswith(f"# {entry.name.removesuffix('.yaml')} — "), entry.name


def test_repository_example_folder_loads() -> None:
    scenarios = loader.load(Path(__file__).parent.parent / "scenarios")
    assert "example" in scenarios
    assert not scenarios.get("example").builtin


def test_user_file_replaces_builtin_of_the_same_name(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("out-of-credits", "description: ours\n")
    scenarios = loader.load(scenario_dir)
    replaced = scenarios.get("out-of-credits")
    assert replaced.description == "ours"
    assert not replaced.builtin
    assert len(replaced.rules) == 0
    assert scenarios.get("flaky-5xx").builtin


def test_empty_file_is_an_empty_scenario(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario("blank", "# nothing yet\n")
    blank = loader.load(scenario_dir).get("blank")
    assert blank.description == ""
    assert len(blank.rules) == 0


def test_yml_suffix_is_accepted(scenario_dir: Path) -> None:
    (scenario_dir / "short.yml").write_text("description: yml\n")
    assert loader.load(scenario_dir).get("short").description == "yml"


def test_extends_puts_own_rules_first_and_merges_workspace(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario(
        "base",
        """
        workspace: {credits: 5, plan: {useApiKeys: true, batchGenerate: true}}
        rules:
          - when: GET /api/v1/designs
            reply: {error: DATABASE_ERROR}
        """,
    )
    write_scenario(
        "child",
        """
        extends: base
        workspace: {plan: {batchGenerate: false}}
        rules:
          - when: GET /api/v1/designs
            reply: {error: FORBIDDEN}
        """,
    )
    child = loader.load(scenario_dir).get("child")
    assert child.workspace == {"credits": 5, "plan": {"useApiKeys": True, "batchGenerate": False}}
    assert [rule.id for rule in child.rules.rules] == ["child.yaml#1", "base.yaml#1"]
    first = child.rules.candidates("GET", "/api/v1/designs")[0]
    assert first.replies[0] is not None
    assert first.replies[0].code == "FORBIDDEN"


def test_every_scenario_extending_a_file_gets_its_rules(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    """A load without a cache lets a file's validated rules go once the last scenario using them is
    compiled: every scenario before that one, in any name order, still gets them."""
    write_scenario("zbase", "rules:\n  - {when: GET /z, reply: {status: 200, data: {}}}\n")
    write_scenario("a", "extends: m\n")
    write_scenario("m", "extends: zbase\n")
    write_scenario("b", "extends: zbase\n")
    loaded = loader.load(scenario_dir)
    for name in ("a", "m", "b", "zbase"):
        assert [rule.id for rule in loaded.get(name).rules.rules] == ["zbase.yaml#1"], name


def test_validated_rules_are_let_go_as_they_are_compiled(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    """The compiled rules reuse the memory of the validated ones (a process keeps what a load freed
    too late): when the last rule of a file is compiled, the others' validated forms are gone."""
    from mockserver import model, rules

    count = 300
    write_scenario(
        "many",
        "rules:\n" + "".join(f"  - {{when: GET /r{n}, reply: {{error: NOT_FOUND}}}}\n" for n in range(count)),
    )
    alive: list[int] = []
    compile_rule = rules.compile_rule

    def counting(rule: Any, rule_id: str, *args: Any) -> Any:
        if rule_id == f"many.yaml#{count}":
            mine = (o for o in gc.get_objects() if isinstance(o, model.Rule))
            alive.append(sum(str(rule.when.path).startswith("/r") for rule in mine))
        return compile_rule(rule, rule_id, *args)

    with patch.object(loader, "compile_rule", counting):
        loader.load(scenario_dir)
    assert len(alive) == 1
    assert alive[0] < 10, f"{alive[0]} validated rules still alive at the last compile"


def test_a_load_leaves_its_objects_out_of_the_younger_generations(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    """The objects a load keeps go to the collector's oldest generation at once: the younger passes
    do not walk them (with 10,000 rules, the first pass after a load took 0.1 s)."""
    count = 500
    write_scenario(
        "many",
        "rules:\n" + "".join(f"  - {{when: GET /r{n}, reply: {{error: NOT_FOUND}}}}\n" for n in range(count)),
    )
    was_on = gc.isenabled()
    gc.enable()
    try:
        loaded = loader.load(scenario_dir)
        young = len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1))
    finally:
        if not was_on:
            gc.disable()
    assert len(loaded.get("many").rules.rules) == count
    assert young < count, f"{young} objects left to the younger generations"


def test_a_load_in_a_started_server_keeps_its_objects_frozen(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    """A started server freezes its objects for good (the collector never walks them); a reload must
    not unfreeze them, and freezes its own."""
    write_scenario("few", "rules:\n  - {when: GET /r, reply: {error: NOT_FOUND}}\n")
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        loaded = loader.load(scenario_dir)
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
    assert loaded.get("few").rules.rules[0].id == "few.yaml#1"


def test_rule_ids_number_rules_within_their_file(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario(
        "two",
        """
        rules:
          - {when: GET /a, reply: {error: NOT_FOUND}}
          - {when: GET /b, reply: {error: NOT_FOUND}}
        """,
    )
    rules = loader.load(scenario_dir).get("two").rules
    assert [r.id for r in rules.rules] == ["two.yaml#1", "two.yaml#2"]
    assert rules.candidates("GET", "/b")[-1].matcher.matches(Incoming("GET", "/b"))


def test_unknown_scenario_name_lists_the_known_ones() -> None:
    with pytest.raises(
        KeyError, match=r"unknown scenario 'flaky'; did you mean 'flaky-5xx'\? known: default"
    ):
        loader.load().get("flaky")


def test_missing_folder_is_a_problem(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "nope")
    assert problem.message == "scenario folder does not exist"


# --- every problem, with file:line:column ----------------------------------------------


def test_yaml_syntax_error_has_its_position(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario("broken", "rules:\n  - when: GET /x\n    reply: [unclosed\n")
    problem = only_problem(scenario_dir)
    assert problem.file == str(path)
    assert (problem.line, problem.column) == (4, 1)
    assert problem.message.startswith("YAML syntax error: while parsing a flow sequence")


def test_unknown_key_points_at_the_key_and_suggests(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    path = write_scenario(
        "typo",
        """
        rules:
          - when: GET /x
            repyl: {error: NOT_FOUND}
        """,
    )
    assert (
        problems_of(scenario_dir)
        == [
            f"{path}:3:5: rules[0]: unknown key 'repyl' (did you mean 'reply'?)",
            f"{path}:2:5: rules[0]: missing required key 'reply'",
        ][::-1]
    )


def test_unknown_top_level_key(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario("top", "descripton: x\n")
    assert problems_of(scenario_dir) == [
        f"{path}:1:1: unknown key 'descripton' (did you mean 'description'?)"
    ]


def test_wrong_type_names_the_field(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario(
        "types",
        """
        rules:
          - when: GET /x
            reply: {error: NOT_FOUND}
            times: many
        """,
    )
    assert problems_of(scenario_dir) == [
        f"{path}:4:12: rules[0].times: Input should be a valid integer, unable to parse string as an integer"
    ]


def test_rules_must_be_a_list(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario("notlist", "rules: {when: GET /x}\n")
    assert problems_of(scenario_dir) == [f"{path}:1:8: rules: Input should be a valid list"]


def test_unknown_error_code_suggests_the_nearest(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario(
        "codes",
        """
        rules:
          - when: POST /api/v1/generate
            reply: {error: INSUFICIENT_CREDITS}
        """,
    )
    problem = only_problem(scenario_dir)
    assert (problem.line, problem.column) == (3, 20)
    assert problem.message == "rules[0].reply.error: unknown error code 'INSUFICIENT_CREDITS'"
    assert problem.hint == "did you mean 'INSUFFICIENT_CREDITS'?"


def test_unknown_error_code_inside_a_sequence(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario(
        "seq",
        """
        rules:
          - when: POST /api/v1/generate
            reply:
              - error: INTERNAL_ERROR
              - error: S3_EROR
        """,
    )
    assert problems_of(scenario_dir) == [
        f"{path}:5:16: rules[0].reply[1].error: unknown error code 'S3_EROR' (did you mean 'S3_ERROR'?)"
    ]


@pytest.mark.parametrize(
    ("when", "column", "message"),
    [
        ('"GET api/v1"', 11, "path pattern 'api/v1' must start with '/'"),
        ('"GET /a/{id"', 11, "unclosed '{' in path pattern '/a/{id'"),
        ('"GET /a/{1x}"', 11, "{1x} in path pattern '/a/{1x}' is not a valid parameter name"),
        ('"GET /a/{id}/{id}"', 11, "parameter {id} appears twice"),
        ('"GET /a**"', 11, "'**' must be a whole segment"),
        ('"GET ^/a(("', 11, "invalid regular expression '^/a(('"),
        ('"FETCH /a"', 11, "unknown HTTP method 'FETCH'"),
        ('"GET /a extra"', 11, "'when' must be 'METHOD /path'"),
        ("{path: /a, method: BREW}", 30, "unknown HTTP method 'BREW'"),
        ("{path: 'a'}", 18, "path pattern 'a' must start with '/'"),
    ],
)
def test_bad_when_is_reported_where_written(
    scenario_dir: Path, write_scenario: WriteScenario, when: str, column: int, message: str
) -> None:
    write_scenario("when", f"rules:\n  - when: {when}\n    reply: {{error: NOT_FOUND}}\n")
    problem = only_problem(scenario_dir)
    assert (problem.line, problem.column) == (2, column)
    assert message in problem.message


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("{}", "a reply needs one of the keys error, data, body, file, fault or simulator"),
        ("INTERNAL_ERROR", "a reply needs one of the keys error, data, body, file, fault or simulator"),
        ("[]", "List should have at least 1 item"),
        ("{status: 500, data: x}", "a reply with 'data' is a success and needs a 2xx status, got 500"),
        ("{status: 700, body: x}", "Input should be less than or equal to 599"),
        ("{body: 5}", "body must be text, a mapping or a list"),
        ("{simulator: false}", "Input should be True"),
        (
            "{error: NOT_FOUND, data: 1}",
            "a reply has exactly one of the keys error, data, body, file, fault or simulator;"
            " this one has error and data",
        ),
    ],
)
def test_bad_reply_is_reported(
    scenario_dir: Path, write_scenario: WriteScenario, reply: str, message: str
) -> None:
    write_scenario("reply", f"rules:\n  - when: GET /x\n    reply: {reply}\n")
    problem = only_problem(scenario_dir)
    assert problem.line == 3
    assert message in problem.message


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("times: 0", "rules[0].times: Input should be greater than 0"),
        ("chance: 1.5", "rules[0].chance: Input should be less than or equal to 1"),
        ("delay: soon", "rules[0].delay: 'soon' is not a duration; write e.g. '800ms' or '2s'"),
        ("delay: 20m", "rules[0].delay: '20m' is not a duration"),
        ("delay: 900s", "rules[0].delay: duration '900s' is outside 0ms..600s"),
        ("delay: {min: 2s, max: 1s}", "rules[0].delay: delay 'min' is larger than 'max'"),
        ("delay: {min: 1s}", "rules[0].delay: missing required key 'max'"),
    ],
)
def test_bad_rule_options_are_reported(
    scenario_dir: Path, write_scenario: WriteScenario, option: str, message: str
) -> None:
    write_scenario("opts", f"rules:\n  - when: GET /x\n    reply: {{error: NOT_FOUND}}\n    {option}\n")
    problem = only_problem(scenario_dir)
    assert problem.line == 4
    assert message in problem.message


def test_good_rule_options_load(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario(
        "opts",
        """
        rules:
          - when: GET /x
            reply: {error: NOT_FOUND}
            times: 2
            chance: 0.25
            delay: {min: 100ms, max: 1.5s}
          - when: GET /y
            reply: {error: NOT_FOUND}
            delay: 250
        """,
    )
    first, second = loader.load(scenario_dir).get("opts").rules.rules
    assert (first.limit, first.chance, first.delay) == (2, 0.25, (0.1, 1.5))
    assert second.delay == (0.25, 0.25)


def test_unknown_extends_target_suggests(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario("child", "description: c\nextends: defualt\n")
    assert problems_of(scenario_dir) == [
        f"{path}:2:10: extends unknown scenario 'defualt' (did you mean 'default'?)"
    ]


def test_extends_cycle_is_reported_on_each_member(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    a = write_scenario("a", "extends: b\n")
    b = write_scenario("b", "extends: a\n")
    write_scenario("c", "extends: a\n")
    assert problems_of(scenario_dir) == [
        f"{a}:1:10: extends makes a cycle: a → b → a",
        f"{b}:1:10: extends makes a cycle: b → a → b",
    ]


def test_self_extends_is_a_cycle(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario("me", "extends: me\n")
    assert problems_of(scenario_dir) == [f"{path}:1:10: extends makes a cycle: me → me"]


def test_duplicate_key_is_reported(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario("dup", "description: a\ndescription: b\n")
    assert problems_of(scenario_dir) == [f"{path}:2:1: duplicate key 'description'"]


def test_object_constructing_tags_are_rejected(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario("evil", "description: !!python/object/apply:os.system [echo pwned]\n")
    assert problems_of(scenario_dir) == [
        f"{path}:1:14: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system':"
        " only plain data is allowed"
    ]


def test_nesting_too_deep_is_reported_where_it_goes_too_deep(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    body = "[" * 200_000 + "]" * 200_000
    path = write_scenario("deep", f"rules:\n  - when: GET /x\n    reply: {{status: 200, body: {body}}}\n")
    # the 101st collection: the 97th `[` of the body, which starts at column 32
    assert problems_of(scenario_dir) == [f"{path}:3:128: mappings and lists nest deeper than 100 levels"]


def test_top_level_must_be_a_mapping(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    path = write_scenario("list", "- a\n- b\n")
    assert problems_of(scenario_dir) == [
        f"{path}:1:1: a scenario file must be a mapping (description, rules, ...)"
    ]


def test_non_utf8_file_is_reported(scenario_dir: Path) -> None:
    (scenario_dir / "latin.yaml").write_bytes("description: caf\xe9\n".encode("latin-1"))
    assert problems_of(scenario_dir) == [f"{scenario_dir}/latin.yaml:1:1: file is not UTF-8 text"]


def test_bad_file_name_is_reported(scenario_dir: Path) -> None:
    (scenario_dir / "my scenario.yaml").write_text("description: x\n")
    assert problems_of(scenario_dir) == [
        f"{scenario_dir}/my scenario.yaml:1:1: scenario name 'my scenario'"
        " may only use letters, digits, '.', '-' and '_'"
    ]


def test_same_name_twice_in_one_folder(scenario_dir: Path) -> None:
    (scenario_dir / "twin.yaml").write_text("description: a\n")
    (scenario_dir / "twin.yml").write_text("description: b\n")
    assert problems_of(scenario_dir) == [
        f"{scenario_dir}/twin.yml:1:1: scenario 'twin' is also defined by twin.yaml"
    ]


def test_all_problems_of_all_files_are_reported_at_once(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    one = write_scenario("one", "rules:\n  - when: GET /x\n    reply: {error: NOPE}\n    times: -1\n")
    two = write_scenario("two", "extends: nowhere\nrules: [\n")
    three = write_scenario("three", "rules:\n  - when: GET x\n    reply: {data: 1, extra: 2}\n")
    found = problems_of(scenario_dir)
    assert [p.split(": ", 1)[0] for p in found] == [
        f"{one}:3:20",
        f"{one}:4:12",
        f"{three}:2:11",
        f"{three}:3:22",
        f"{two}:3:1",
    ]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ("{'Bad Name': x}", "header name 'Bad Name' is not a valid HTTP header name"),
        ("{Content-Length: '5'}", "header 'Content-Length' is set by the server; leave it out of the reply"),
        ("{X-Mock-Answered-By: me}", "header 'X-Mock-Answered-By' is set by the server"),
        ('{X-Note: "two\\nlines"}', "the value of header 'X-Note' must be one line of text"),
    ],
)
def test_bad_reply_headers_are_reported_at_load(
    scenario_dir: Path, write_scenario: WriteScenario, headers: str, message: str
) -> None:
    write_scenario("hdr", f"rules:\n  - when: GET /x\n    reply: {{error: S3_ERROR, headers: {headers}}}\n")
    problem = only_problem(scenario_dir)
    assert problem.line == 3
    assert message in problem.message


# --- revisions and operations ----------------------------------------------------------------------


def test_api_revision_is_inherited_and_a_child_can_change_it(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("base", "api_revision: B2\n")
    write_scenario("child", "extends: base\n")
    write_scenario("newer", "extends: base\napi_revision: C1\n")
    scenarios = loader.load(scenario_dir)
    assert [scenarios.get(name).api_revision for name in ("base", "child", "newer")] == ["B2", "B2", "C1"]
    assert scenarios.get("default").api_revision is None  # the server's revision answers


def test_an_unknown_api_revision_is_reported_where_written(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    write_scenario("future", "description: x\napi_revision: C3\n")
    problem = only_problem(scenario_dir)
    assert (problem.line, problem.column) == (2, 15)
    assert "api_revision: Input should be 'A', 'B1', 'B2', 'C1' or 'C2'" in problem.message


def test_an_unknown_operation_suggests_the_nearest(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    write_scenario("ops", "rules:\n  - when: generat\n    reply: {error: NOT_FOUND}\n")
    problem = only_problem(scenario_dir)
    assert (problem.line, problem.column) == (2, 11)
    assert "rules[0].when: unknown operation 'generat'" in problem.message
    assert "did you mean 'generate'?" in str(problem)


@pytest.mark.parametrize("collecting", [True, False])
def test_the_garbage_collector_rests_during_a_load_and_is_left_as_it_was(
    scenario_dir: Path, write_scenario: WriteScenario, collecting: bool
) -> None:
    write_scenario("one", "rules:\n  - {when: GET /x, reply: {status: 200, data: {}}}\n")
    seen: list[bool] = []
    validate = loader._validate

    def watched(*args: Any) -> Any:
        seen.append(gc.isenabled())
        return validate(*args)

    was = gc.isenabled()
    try:
        (gc.enable if collecting else gc.disable)()
        with patch.object(loader, "_validate", watched):
            loader.load(scenario_dir)
            write_scenario("two", "rules: [\n")
            with pytest.raises(ScenarioError):
                loader.load(scenario_dir)
        assert gc.isenabled() is collecting
    finally:
        (gc.enable if was else gc.disable)()
    assert seen
    assert not any(seen)


def test_a_valid_folder_loads_without_finding_positions(
    scenario_dir: Path, write_scenario: WriteScenario
) -> None:
    """Positions are for messages: finding them reads a file a second time."""
    write_scenario("child", "extends: default\nrules:\n  - {when: GET /x, reply: {status: 200, data: {}}}\n")
    with patch.object(Document, "_find_positions", side_effect=AssertionError("positions found")):
        assert "child" in loader.load(scenario_dir)


def test_a_load_leaves_no_compiled_pattern_behind(scenario_dir: Path, write_scenario: WriteScenario) -> None:
    """Patterns are remembered while a file is validated and compiled, then forgotten: the rules hold
    theirs, and the cache would otherwise keep one more entry per rule for as long as the server runs."""
    from mockserver.matching import compile_path

    lines = "\n".join(
        f'  - {{when: "GET /api/v1/things-{n}/{{id}}", reply: {{error: NOT_FOUND}}}}' for n in range(50)
    )
    write_scenario("many", f"rules:\n{lines}\n")
    scenarios = loader.load(scenario_dir)
    assert len(scenarios.get("many").rules) == 50
    assert compile_path.cache_info().currsize == 0
