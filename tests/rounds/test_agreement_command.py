"""`manage.py agreement`: its table, its JSON, and one line with exit 1 for bad input."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from rounds.agreement import round_agreement
from tests.factories import make_annotator, make_article
from tests.rounds.agreement_data import sample_round

pytestmark = pytest.mark.django_db

TABLE = """\
Agreement of alice, bob on 2 article(s), 127 code points (Krippendorff's unitizing alpha)

tag               alpha     D_o     D_e  units (alice, bob)  note
--------------  -------  ------  ------  ------------------  -------------------------------------------
legal argument        —  0.2086  0.0713  0, 1                insufficient data: only bob marked this tag
statistic        1.0000  0.0000  0.0384  3, 3
all tags (α_U)  -0.9013  0.2086  0.1097

article           alpha     D_o     D_e  units (alice, bob)  note
-------------  --------  ------  ------  ------------------  ----
flooded-homes    1.0000  0.0000  0.0745  2, 2
ban-ruling     -23.0197  1.0000  0.0416  1, 2

Attribution (nominal alpha over 3 passage pair(s) overlapping by at least half, 3 naming the \
same organization): — (every pair names the same organization: no variation, alpha is undefined)
"""  # noqa: E501


def run(*args) -> str:
    out = StringIO()
    call_command("agreement", *args, stdout=out)
    return out.getvalue()


def test_a_round_as_a_table():
    round_, *_ = sample_round()
    assert run("--round", str(round_.pk)) == TABLE


def test_a_round_as_json_is_the_read_function_s_result():
    round_, *_ = sample_round()
    assert json.loads(run("--round", str(round_.pk), "--format", "json")) == json.loads(
        json.dumps(round_agreement(round_))
    )


def test_annotators_articles_and_tags_narrow_it_articles_in_the_order_named():
    sample_round()
    result = json.loads(
        run(
            "--annotator",
            "alice",
            "--annotator",
            "bob",
            "--article",
            "ban-ruling",
            "flooded-homes",
            "--tag",
            "statistic",
            "--format",
            "json",
        )  # fmt: skip
    )
    assert result["annotators"] == ["alice", "bob"]
    assert result["articles"] == ["ban-ruling", "flooded-homes"]
    assert list(result["tags"]) == ["statistic"]
    assert result["overall"]["alpha"] == 1.0


BAD = {
    "no round": (["--round", "999"], "--round 999: no such round"),
    "round not a number": (["--round", "x"], "--round x: no such round"),
    "nothing named": ([], "give --round ID or two or more --annotator USERNAME"),
    "both": (["--round", "1", "--annotator", "alice"], "give either --round or --annotator"),
    "unknown user": (["--annotator", "alice", "--annotator", "zed"], "--annotator zed: no such"),
    "one annotator": (["--annotator", "alice"], "give two or more different --annotator (got 1)"),
    "same twice": (["--annotator", "bob", "--annotator", "bob"], "(got 1)"),
    "unknown article": (
        ["--annotator", "alice", "--annotator", "bob", "--article", "nope"],
        "--article nope: no such article",
    ),
    "unknown tag": (
        ["--annotator", "alice", "--annotator", "bob", "--tag", "nope"],
        "--tag nope: no such tag",
    ),
    "tag outside the round": (["--round", "{round}", "--tag", "quote"], "--tag quote: not a tag"),
    "format": (["--round", "{round}", "--format", "csv"], "--format csv: choose table or json"),
    "nothing shared": (
        ["--annotator", "alice", "--annotator", "dora"],
        "--annotator alice, dora: no article has passages of every one of them",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_1_with_one_line(case, capsys, monkeypatch):
    """Run as from the shell; the command's closing of connections after an error is held
    back, or PostgreSQL's test transaction would go with it."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    round_, *_ = sample_round()
    make_annotator("dora")
    args, message = BAD[case]
    args = [arg.format(round=round_.pk) for arg in args]
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "agreement", *args]).execute()
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("CommandError: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1


def test_an_article_outside_the_round_is_refused():
    round_, *_ = sample_round()
    make_article("Elsewhere.", title="Elsewhere")
    with pytest.raises(CommandError, match="--article elsewhere: not an article of round"):
        run("--round", str(round_.pk), "--article", "elsewhere")
