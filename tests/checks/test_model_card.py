"""model-card: the card exists and says what those who take the model over must know."""

from __future__ import annotations

import pytest
from conftest import MINIMAL_CONTRACT, MakeRepo

from dsdone.checks.model_card import model_card
from dsdone.report import Status
from dsdone.testing import run_check

FULL_CARD = """\
# Model card: churn

## Intended use
Ranks customers for the retention team.

## Out-of-scope use
Not for pricing.

## Training data
Twelve months of CRM exports.

## Evaluation
AUC 0.83 on the held-out quarter.

## Limitations
Three features only.

## Ethical considerations
Error rates differ by region; checked quarterly.

## Owner and contact
ana@example.com
"""


def findings(root: object) -> list[tuple[str | None, int | None, str]]:
    result = run_check(root, model_card)  # type: ignore[arg-type]
    return [(f.path, f.line, f.message) for f in result.findings]


def test_a_complete_card_passes(make_repo: MakeRepo) -> None:
    root = make_repo({"MODEL_CARD.md": FULL_CARD})

    result = run_check(root, model_card)

    assert result.status is Status.PASS
    assert result.summary == "model card MODEL_CARD.md: 7 of 7 sections"


def test_no_card_is_a_finding_naming_the_sections_to_write(make_repo: MakeRepo) -> None:
    root = make_repo({"README.md": "# churn\n\nA model.\n"})

    result = run_check(root, model_card)

    (finding,) = result.findings
    assert finding.message.startswith("no model card")
    assert finding.path == "dsdone.yaml"
    assert "intended use, out-of-scope use, training data" in (finding.hint or "")


def test_a_missing_section_is_a_finding_where_it_belongs(make_repo: MakeRepo) -> None:
    card = FULL_CARD.replace("## Limitations\nThree features only.\n\n", "")
    root = make_repo({"MODEL_CARD.md": card})

    # After "Evaluation" (line 12), the last section before it that the card has.
    assert findings(root) == [("MODEL_CARD.md", 12, "the model card has no 'limitations' section")]


@pytest.mark.parametrize(
    "placeholder", ["[More Information Needed]", "TODO", "TBD: fill in", "<describe it>", "{{ x }}"]
)
def test_a_template_placeholder_is_not_content(make_repo: MakeRepo, placeholder: str) -> None:
    card = FULL_CARD.replace("Three features only.", f"\n{placeholder}\n")
    root = make_repo({"MODEL_CARD.md": card})

    assert findings(root) == [
        ("MODEL_CARD.md", 15, "the model card's 'limitations' section holds only a placeholder")
    ]


def test_the_hugging_face_template_headings_count(make_repo: MakeRepo) -> None:
    # The Hugging Face model card template's own headings, with subsections.
    card = """\
        ---
        license: mit
        datasets:
          - imdb
        model-index:
          - name: sentiment
        ---
        # Model Card for sentiment

        ## Uses

        ### Direct Use
        Classifying review sentiment.

        ### Out-of-Scope Use
        Not for moderation decisions.

        ## Bias, Risks, and Limitations
        English reviews only.

        ## Ethical considerations
        Sarcasm is misread more often in some dialects.

        ## Model Card Contact
        nlp-team@example.com
        """
    root = make_repo({"README.md": card})

    assert findings(root) == []  # training data and evaluation come from datasets: and model-index:


def test_a_readme_section_named_model_card_is_the_card(make_repo: MakeRepo) -> None:
    readme = "# churn\n\nInstall it.\n\n" + FULL_CARD.replace("# Model card: churn", "# Model card")
    root = make_repo({"README.md": readme})

    assert run_check(root, model_card).status is Status.PASS


def test_a_readme_without_a_card_section_is_not_a_card(make_repo: MakeRepo) -> None:
    root = make_repo({"README.md": "# churn\n\n## Usage\nRun it.\n\n## Limitations\nMany.\n"})

    assert [m for _, _, m in findings(root)] == [
        "no model card (MODEL_CARD.md, or a 'Model card' section of README.md)"
    ]


def test_the_declared_card_and_its_metrics(make_repo: MakeRepo) -> None:
    contract = MINIMAL_CONTRACT + (
        "model:\n  card: docs/card.md\n  metrics:\n    - {name: auc, goal: maximize}\n"
        "    - {name: recall_at_10, goal: maximize}\n"
    )
    root = make_repo({"docs/card.md": FULL_CARD}, contract=contract)

    assert findings(root) == [
        ("docs/card.md", 12, "the model card's evaluation does not name the metric 'recall_at_10'")
    ]


def test_a_declared_card_that_does_not_exist_is_a_finding_at_the_contract(
    make_repo: MakeRepo,
) -> None:
    contract = MINIMAL_CONTRACT + "model:\n  card: docs/card.md\n"
    root = make_repo({"MODEL_CARD.md": FULL_CARD}, contract=contract)

    assert findings(root) == [("dsdone.yaml", 6, "no model card: docs/card.md does not exist")]


def test_the_owner_named_in_the_text_is_the_contact(make_repo: MakeRepo) -> None:
    card = FULL_CARD.replace(
        "## Owner and contact\nana@example.com\n", "Questions: ana@example.com\n"
    )
    root = make_repo({"MODEL_CARD.md": card})

    assert findings(root) == []


def test_headings_inside_code_blocks_are_not_sections(make_repo: MakeRepo) -> None:
    card = FULL_CARD.replace("## Limitations\nThree features only.\n", "```\n## Limitations\n```\n")
    root = make_repo({"MODEL_CARD.md": card})

    assert [m for _, _, m in findings(root)] == ["the model card has no 'limitations' section"]
