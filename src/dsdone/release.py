"""Where users get dsdone from: the one place that changes the day a release is cut.

Everything dsdone writes or suggests that installs dsdone (the scaffold's dev extra, the
scaffolded workflow, the hints of ci-gate, what ``init`` says to add at a repository's top)
takes it from here, and tests tie the README's examples to it. Until a release is on the
package index and tagged, all of it installs from the repository: a pin of a version or a tag
that does not exist would fail on the first day a user tries it. The README's "Releasing"
section says what to change here.
"""

from __future__ import annotations

REPOSITORY = "https://github.com/dsdone/dsdone"
ACTION = "dsdone/dsdone"  # `uses:` of the GitHub Action (action.yml at the repository's root)
DEFAULT_BRANCH = "main"

# The latest release on the package index, tagged v<version> in the repository; None while
# there is none. Set by the release procedure (README, "Releasing").
LATEST_RELEASE: str | None = None


def pip_requirement() -> str:
    """What ``pip install`` takes, as a PEP 508 requirement: the release, or the repository."""
    if LATEST_RELEASE is not None:
        return f"dsdone=={LATEST_RELEASE}"
    return f"dsdone @ git+{REPOSITORY}"


def action_reference() -> str:
    """What a workflow's ``uses:`` names: the release's tag, or the default branch."""
    ref = f"v{LATEST_RELEASE}" if LATEST_RELEASE is not None else DEFAULT_BRANCH
    return f"{ACTION}@{ref}"
