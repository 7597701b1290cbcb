"""A repository's git configuration never makes dsdone run a program, hang past its timeout,
or hide that git refuses it (issue 16).

Each attack is first proven real on this machine's git, without the guard: a setting of the
repository (or a hook it ships) makes git run a script that writes a marker file, through the
git commands dsdone itself runs where they reach it, else through the command that does. Then
the real console script runs on a hostile repository and the marker is never written: every
attack in one ``check --all`` over a folder of hostile repositories, and, for the attacks
dsdone's own commands reach, each of ``check`` (with a valid contract and an invalid one: git
is started before the contract is read), ``check --all`` inside the repository, ``init
--existing`` and ``init`` into it.

Hostile repositories are copies of one template built once for the module.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from dsdone.fileindex import LS_FILES
from dsdone.git.grep import grep_arguments
from dsdone.git.guard import (
    CONFIG_ARGUMENTS,
    MAX_OVERRIDES,
    WHERE_ARGUMENTS,
    ConfigEntry,
    Place,
    overrides,
)
from dsdone.git.keys import GUARDED_KEYS
from dsdone.git.session import GitSession
from dsdone.git.sizes import LS_TREE, STAGED
from dsdone.git.state import WHERE

EVIL = "@EVIL@"  # replaced by the path of the script that writes the marker
CONTRACT = "version: 1\nproject:\n  name: hostile\n  owner: ana@example.com\n"
INVALID_CONTRACT = "version: [\n"
LIVENESS_SECONDS = 60  # a bound on a hang, not a timing: each run takes well under a second

Trigger = tuple[tuple[str, ...], str | None]  # git's arguments, and its input

# Every git command dsdone runs, from the constants dsdone runs them with.
DSDONE_COMMANDS: dict[str, Trigger] = {
    "ls-files": (LS_FILES, None),
    "rev-parse": (WHERE, None),
    "ls-tree": (LS_TREE, None),
    "diff-index": (STAGED, None),
    "grep": (tuple(grep_arguments([b"hello", b"/home/"])), None),
    "cat-file": (("cat-file", "--batch-check=%(objectsize)"), ":./data.txt\n"),
    "config": (("config", "--get", "user.email"), None),
    "inside": (("rev-parse", "--is-inside-work-tree"), None),
    "guard-where": (WHERE_ARGUMENTS, None),
    "guard-config": (CONFIG_ARGUMENTS, None),
}


def dsdone_runs(*names: str) -> tuple[Trigger, ...]:
    return tuple(DSDONE_COMMANDS[name] for name in names)


# -- running git and dsdone ---------------------------------------------------------------------


def hermetic_environment(home: Path) -> dict[str, str]:
    """The process's environment without git, pager or editor settings, with its own HOME."""
    dropped = {"PAGER", "EDITOR", "VISUAL", "SSH_ASKPASS", "LESS", "LANGUAGE"}
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in dropped
    }
    home.mkdir(parents=True, exist_ok=True)
    environment.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="A",
        GIT_AUTHOR_EMAIL="a@example.com",
        GIT_COMMITTER_NAME="A",
        GIT_COMMITTER_EMAIL="a@example.com",
        TERM="xterm",
    )
    return environment


def git(
    repo: Path,
    args: Sequence[str],
    environment: Mapping[str, str],
    stdin: str | None = None,
    tty: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """git, in its own session (no terminal to prompt on); ``tty``: its output is a terminal,
    the only case in which git starts a pager."""
    if not tty:
        return subprocess.run(
            ["git", *args],
            cwd=repo,
            env=dict(environment),
            input=None if stdin is None else stdin.encode(),
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            timeout=LIVENESS_SECONDS,
            start_new_session=True,
            check=False,
        )
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            ["git", *args],
            cwd=repo,
            env=dict(environment),
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with git
                break
            if not chunk:
                break
            output += chunk
        _, errors = process.communicate(timeout=LIVENESS_SECONDS)
        return subprocess.CompletedProcess(process.args, process.returncode, output, errors)
    finally:
        os.close(leader)


def ok(completed: subprocess.CompletedProcess[bytes]) -> str:
    assert completed.returncode == 0, (completed.args, completed.stderr.decode())
    return completed.stdout.decode()


_STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_console_script_left_running() -> Iterator[None]:
    # A test that fails (on code that hangs) must not leave the others it started behind.
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.communicate()


def dsdone(args: Sequence[str], environment: Mapping[str, str], cwd: Path) -> subprocess.Popen[str]:
    """The real console script, started (several run at once: the machine has two cores)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "dsdone", *args],
        cwd=cwd,
        env=dict(environment),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _STARTED.append(process)
    return process


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=LIVENESS_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"dsdone {' '.join(map(str, process.args[3:]))} hung")
    assert "Traceback" not in err, err
    return process.returncode, out, err


_clock = [time.time()]


def make_stale(repo: Path) -> None:
    """New times for the tracked files (same content, same size): git hashes them again, which
    is when a clean filter runs."""
    _clock[0] += 7
    for name in ("data.txt", "data.csv", "dsdone.yaml"):
        path = repo / name
        if path.exists():
            os.utime(path, (_clock[0], _clock[0]))


# -- the attacks ----------------------------------------------------------------------------------


Setup = Callable[[Path, Path, dict[str, str]], None]  # (repository, evil script, environment)


@dataclass(frozen=True)
class Attack:
    id: str
    key: str  # the pattern of dsdone.git.keys.GUARDED_KEYS it exercises
    config: tuple[tuple[str, str], ...]
    triggers: tuple[Trigger, ...]  # what sets it off without the guard
    setup: Setup | None = None
    tty: bool = False

    @property
    def reached_by_dsdone(self) -> bool:
        return any(trigger in DSDONE_COMMANDS.values() for trigger in self.triggers)


def _hooks_path(repo: Path, evil: Path, environment: dict[str, str]) -> None:
    hooks = repo.parent / "hooks"
    hooks.mkdir()
    for name in ("post-index-change", "pre-commit"):
        shutil.copy(evil, hooks / name)
    ok(git(repo, ["config", "core.hooksPath", str(hooks)], environment))


def _dot_git_hooks(repo: Path, evil: Path, environment: dict[str, str]) -> None:
    shutil.copy(evil, repo / ".git" / "hooks" / "post-index-change")


def _signed_head(repo: Path, evil: Path, environment: dict[str, str]) -> None:
    """HEAD replaced by a commit with a (made-up) signature: log then verifies it."""
    head, _, message = ok(git(repo, ["cat-file", "commit", "HEAD"], environment)).partition("\n\n")
    signature = (
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----"
    )
    commit = f"{head}\n{signature}\n\n{message}"
    written = git(repo, ["hash-object", "-t", "commit", "-w", "--stdin"], environment, commit)
    ok(git(repo, ["update-ref", "HEAD", ok(written).strip()], environment))


def _other_branch(repo: Path, evil: Path, environment: dict[str, str]) -> None:
    ok(git(repo, ["checkout", "-q", "-b", "other", "HEAD~1"], environment))
    (repo / "data.txt").write_text("hello\nthere\n")
    ok(git(repo, ["commit", "-q", "-am", "other"], environment))
    ok(git(repo, ["checkout", "-q", "main"], environment))


def _data_deleted(repo: Path, evil: Path, environment: dict[str, str]) -> None:
    (repo / "data.txt").unlink()


def _alternates(repo: Path, evil: Path, environment: dict[str, str]) -> None:
    alternate = repo.parent / "alternate"
    ok(git(repo.parent, ["clone", "-q", "--bare", str(repo), str(alternate)], environment))
    (repo / ".git" / "objects" / "info" / "alternates").write_text(f"{alternate}/objects\n")
    source = repo.parent / "source"
    ok(git(repo.parent, ["clone", "-q", str(repo), str(source)], environment))
    (source / "new.txt").write_text("new\n")
    ok(git(source, ["add", "new.txt"], environment))
    ok(git(source, ["commit", "-q", "-m", "new"], environment))


def _included_filter(repo: Path, evil: Path, environment: dict[str, str]) -> None:
    (repo.parent / "included.cfg").write_text(f'[filter "evil"]\n\tclean = {evil}\n')


def _submodule_with_a_filter(repo: Path, evil: Path, environment: dict[str, str]) -> None:
    """A submodule whose own configuration (never read by the guard) defines a clean filter."""
    library = repo.parent / "library"
    shutil.copytree(repo, library, symlinks=True)
    add = ["-c", "protocol.file.allow=always", "submodule", "add", "-q", str(library), "lib"]
    ok(git(repo, add, environment))
    ok(git(repo, ["commit", "-q", "-m", "a submodule"], environment))
    ok(git(repo / "lib", ["config", "filter.evil.clean", str(evil)], environment))
    os.utime(repo / "lib" / "data.txt", (1, 1))


CREDENTIAL = "protocol=https\nhost=example.com\n\n"
RE_HASHING = dsdone_runs("ls-files")  # ls-files --modified hashes a file whose time changed

ATTACKS = (
    Attack(
        "core.fsmonitor",
        "core.fsmonitor",
        (("core.fsmonitor", EVIL),),
        dsdone_runs("ls-files", "diff-index", "grep"),
    ),
    Attack("filter.clean", "filter.<driver>.clean", (("filter.evil.clean", EVIL),), RE_HASHING),
    Attack(
        "filter.required",
        "filter.<driver>.required",
        (("filter.evil.clean", EVIL), ("filter.evil.required", "true")),
        RE_HASHING,
    ),
    Attack(
        "filter.process", "filter.<driver>.process", (("filter.evil.process", EVIL),), RE_HASHING
    ),
    Attack(
        # The subsection keeps its case: writing over filter.evil.clean would not help.
        "filter.clean-case",
        "filter.<driver>.clean",
        (("filter.EvIl.clean", EVIL),),
        RE_HASHING,
    ),
    Attack(
        "filter.smudge",
        "filter.<driver>.smudge",
        (("filter.evil.smudge", EVIL),),
        ((("checkout", "--", "data.txt"), None),),
        setup=_data_deleted,
    ),
    Attack(
        "include.path",
        "include.path",
        (("include.path", "../../included.cfg"),),
        RE_HASHING,
        setup=_included_filter,
    ),
    Attack(
        "includeIf",
        "includeIf.<condition>.path",
        (("includeIf.gitdir:**/repo/.git.path", "../../included.cfg"),),
        RE_HASHING,
        setup=_included_filter,
    ),
    Attack(
        "core.hooksPath",
        "core.hooksPath",
        (),
        ((("status", "--porcelain"), None), (("commit", "-q", "--allow-empty", "-m", "x"), None)),
        setup=_hooks_path,
    ),
    Attack(
        # No configuration at all: a hook shipped in .git/hooks, run when the index is written.
        "dot-git-hooks",
        "core.hooksPath",
        (),
        ((("status", "--porcelain"), None),),
        setup=_dot_git_hooks,
    ),
    Attack(
        "diff.textconv",
        "diff.<driver>.textconv",
        (("diff.evil.textconv", EVIL),),
        (
            (("show", "HEAD"), None),
            (("grep", "--textconv", "-e", "hello", "HEAD"), None),
            (("cat-file", "--textconv", "HEAD:data.txt"), None),
        ),
    ),
    Attack(
        "diff.command",
        "diff.<driver>.command",
        (("diff.evil.command", EVIL),),
        ((("diff", "HEAD~1"), None),),
    ),
    Attack(
        "diff.external", "diff.external", (("diff.external", EVIL),), ((("diff", "HEAD~1"), None),)
    ),
    Attack(
        "merge.driver",
        "merge.<driver>.driver",
        (("merge.evil.driver", EVIL),),
        ((("merge", "-q", "--no-edit", "other"), None),),
        setup=_other_branch,
    ),
    Attack("core.pager", "core.pager", (("core.pager", EVIL),), ((("log", "-1"), None),), tty=True),
    Attack("pager.log", "pager.<cmd>", (("pager.log", EVIL),), ((("log", "-1"), None),), tty=True),
    Attack(
        "core.editor",
        "core.editor",
        (("core.editor", EVIL),),
        ((("commit", "--allow-empty"), None),),
    ),
    Attack(
        "sequence.editor",
        "sequence.editor",
        (("sequence.editor", EVIL),),
        ((("rebase", "-i", "HEAD~1"), None),),
    ),
    Attack(
        "gpg.program",
        "gpg.program",
        (("log.showSignature", "true"), ("gpg.program", EVIL)),
        ((("log", "-1"), None), (("show", "HEAD"), None)),
        setup=_signed_head,
    ),
    Attack(
        "gpg.openpgp.program",
        "gpg.<format>.program",
        (("log.showSignature", "true"), ("gpg.openpgp.program", EVIL)),
        ((("log", "-1"), None),),
        setup=_signed_head,
    ),
    Attack(
        "credential.helper",
        "credential.helper",
        (("credential.helper", f"!{EVIL}"),),
        ((("credential", "fill"), CREDENTIAL),),
    ),
    Attack(
        "credential.url.helper",
        "credential.<url>.helper",
        (("credential.https://example.com.helper", f"!{EVIL}"),),
        ((("credential", "fill"), CREDENTIAL),),
    ),
    Attack(
        "core.askPass",
        "core.askPass",
        (("core.askPass", EVIL),),
        ((("credential", "fill"), CREDENTIAL),),
    ),
    Attack(
        "core.sshCommand",
        "core.sshCommand",
        (("core.sshCommand", EVIL),),
        ((("ls-remote", "ssh://127.0.0.1:1/x"), None),),
    ),
    Attack(
        "core.gitProxy",
        "core.gitProxy",
        (("core.gitProxy", EVIL),),
        ((("ls-remote", "git://127.0.0.1:1/x"), None),),
    ),
    Attack(
        "remote.uploadpack",
        "remote.<name>.uploadpack",
        (("remote.origin.url", "."), ("remote.origin.uploadpack", EVIL)),
        ((("ls-remote", "origin"), None),),
    ),
    Attack(
        "remote.vcs",
        "remote.<name>.vcs",
        (
            ("remote.origin.url", "x"),
            ("remote.origin.vcs", "evil"),
            ("alias.remote-evil", f"!{EVIL}"),
        ),
        ((("ls-remote", "origin"), None),),
    ),
    Attack("alias", "alias.*", (("alias.hello", f"!{EVIL}"),), ((("hello",), None),)),
    Attack(
        "protocol.ext",
        "protocol.ext.allow",
        (("protocol.allow", "always"), ("remote.origin.url", f"ext::{EVIL}")),
        ((("ls-remote", "origin"), None),),
    ),
    Attack(
        "core.alternateRefsCommand",
        "core.alternateRefsCommand",
        (("core.alternateRefsCommand", EVIL),),
        ((("fetch", "-q", "../source", "main"), None),),
        setup=_alternates,
    ),
    Attack(
        "difftool.cmd",
        "difftool.<tool>.cmd",
        (("difftool.evil.cmd", EVIL),),
        ((("difftool", "-y", "--tool=evil", "HEAD~1", "HEAD"), None),),
    ),
    Attack(
        "man.cmd",
        "man.<tool>.cmd",
        (("man.viewer", "evil"), ("man.evil.cmd", EVIL)),
        ((("help", "-m", "whatchanged"), None),),
    ),
    Attack(
        # status and diff run git inside each submodule, with the submodule's own configuration.
        "submodule",
        "diff.ignoreSubmodules",
        (),
        ((("status", "--porcelain"), None), (("diff", "--stat"), None)),
        setup=_submodule_with_a_filter,
    ),
)
REACHED = tuple(attack for attack in ATTACKS if attack.reached_by_dsdone)


# -- hostile repositories ---------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    repo: Path
    marker: Path

    def fired(self) -> str:
        return self.marker.read_text() if self.marker.exists() else ""


@dataclass(frozen=True)
class Template:
    repo: Path
    environment: dict[str, str]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """Two commits; .gitattributes sends *.txt to drivers named evil, *.csv to EvIl."""
    base = tmp_path_factory.mktemp("template")
    environment = hermetic_environment(base / "home")
    repo = base / "repo"
    ok(git(base, ["init", "-q", "-b", "main", "repo"], environment))
    (repo / ".gitattributes").write_text(
        "*.txt filter=evil diff=evil merge=evil\n*.csv filter=EvIl diff=EvIl\n"
    )
    (repo / "dsdone.yaml").write_text(CONTRACT)
    (repo / "data.txt").write_text("hello\n")
    (repo / "data.csv").write_text("a,b\n1,2\n")
    ok(git(repo, ["add", "."], environment))
    ok(git(repo, ["commit", "-q", "-m", "one"], environment))
    (repo / "data.txt").write_text("hello\nworld\n")
    ok(git(repo, ["commit", "-q", "-am", "two"], environment))
    ok(git(repo, ["config", "user.email", "repo@example.com"], environment))
    return Template(repo, environment)


def hostile(template: Template, attack: Attack, where: Path) -> Hostile:
    """A copy of the template with ``attack`` applied; its script appends to ``where/marker``."""
    where.mkdir(parents=True)
    marker, evil = where / "marker", where / "evil.sh"
    evil.write_text(f"#!/bin/sh\necho \"$0 $*\" >> '{marker}'\nexit 0\n")
    evil.chmod(0o755)
    repo = where / "repo"
    shutil.copytree(template.repo, repo, symlinks=True)
    if attack.setup is not None:
        attack.setup(repo, evil, template.environment)
    for key, value in attack.config:
        ok(
            git(
                repo, ["config", "--add", key, value.replace(EVIL, str(evil))], template.environment
            )
        )
    marker.unlink(missing_ok=True)  # what building it set off does not count
    return Hostile(repo, marker)


@pytest.fixture(scope="module")
def forest(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder (not a repository) that holds one hostile repository per attack, checked once
    with ``dsdone check --all``."""
    root = tmp_path_factory.mktemp("forest")
    for attack in ATTACKS:
        make_stale(hostile(template, attack, root / attack.id).repo)
    environment = {**template.environment, "GIT_CEILING_DIRECTORIES": str(root)}
    code, out, err = finished(
        dsdone(["check", "--all", str(root), "-f", "json"], environment, root)
    )
    assert code in (0, 1), err
    # Each attack's repository was checked (and the clones and submodules some attacks made).
    assert len(json.loads(out)["projects"]) >= len(ATTACKS)
    yield root


# -- each attack is real, and dsdone runs none of it ---------------------------------------------


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_the_attack_is_real_without_the_guard(
    template: Template, tmp_path: Path, attack: Attack
) -> None:
    found = hostile(template, attack, tmp_path / "control")
    environment = template.environment
    # The guard's own reading runs nothing, even without a single override.
    for args, stdin in dsdone_runs("guard-where", "guard-config"):
        git(found.repo, args, environment, stdin)
    assert not found.fired(), "reading the configuration ran a program"
    for args, stdin in attack.triggers:
        found.marker.unlink(missing_ok=True)
        make_stale(found.repo)
        git(found.repo, args, environment, stdin, tty=attack.tty)
        assert found.fired(), f"git {' '.join(args)} did not run {attack.key}"


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_under_the_guard_no_git_command_runs_it(
    template: Template, tmp_path: Path, attack: Attack
) -> None:
    # Not only dsdone's commands: every command that set it off above, under the environment
    # dsdone gives git in that repository.
    found = hostile(template, attack, tmp_path / "guarded")
    session = GitSession(found.repo)
    try:
        environment = session.environment()
    finally:
        session.close()
    for args, stdin in (*DSDONE_COMMANDS.values(), *attack.triggers):
        make_stale(found.repo)
        git(found.repo, args, environment, stdin, tty=attack.tty)
    assert not found.fired(), found.fired()


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.id for a in ATTACKS])
def test_check_all_over_hostile_repositories_runs_none_of_them(
    forest: Path, attack: Attack
) -> None:
    marker = forest / attack.id / "marker"
    assert not marker.exists(), marker.read_text()


@pytest.mark.parametrize("attack", REACHED, ids=[a.id for a in REACHED])
def test_check_all_projects_that_ask_git_themselves_run_none_of_it(
    template: Template, tmp_path: Path, attack: Attack
) -> None:
    # --all shares one git ls-files and one grep among the projects of a repository; a project
    # that asks git something of its own (the example searches for the metrics its contract
    # names; its contract at --base) starts a session of its own, guarded as every other.
    found = hostile(template, attack, tmp_path / "monorepo")
    examples = Path(__file__).resolve().parent.parent / "examples"
    shutil.copytree(examples / "ready", found.repo / "models" / "churn")
    make_stale(found.repo)
    arguments = ["check", "--all", str(found.repo), "--base", "HEAD", "-f", "json"]
    code, out, err = finished(dsdone(arguments, template.environment, tmp_path))
    assert code in (0, 1), err
    assert [project["folder"] for project in json.loads(out)["projects"]] == ["", "models/churn"]
    assert not found.fired(), found.fired()


MODES: dict[str, tuple[list[str], tuple[int, ...]]] = {
    # mode: (the arguments after the repository's path, the exit codes it may end with)
    "check": (["check", "{repo}", "-f", "json"], (0, 1)),
    "check, invalid contract": (["check", "{repo}"], (2,)),
    "check --all": (["check", "--all", "{repo}", "-f", "json"], (0, 1)),
    "init --existing": (["init", "--existing", "{repo}"], (0,)),
    "init": (["init", "{repo}"], (0,)),
}


@pytest.mark.parametrize("attack", REACHED, ids=[a.id for a in REACHED])
def test_no_dsdone_command_runs_what_its_git_commands_reach(
    template: Template, tmp_path: Path, attack: Attack
) -> None:
    started = {}
    for number, (mode, (args, _)) in enumerate(MODES.items()):
        found = hostile(template, attack, tmp_path / str(number))
        if mode == "check, invalid contract":
            # Still a contract file, so git starts early, before the contract is read.
            (found.repo / "dsdone.yaml").write_text(INVALID_CONTRACT)
        make_stale(found.repo)
        arguments = [arg.format(repo=found.repo) for arg in args]
        started[mode] = (found, dsdone(arguments, template.environment, tmp_path))
    for mode, (found, process) in started.items():
        code, _, err = finished(process)
        assert code in MODES[mode][1], (mode, err)
        assert not found.fired(), (mode, found.fired())


def test_the_attacks_cover_the_keys_dsdone_reaches_and_name_guarded_keys() -> None:
    patterns = {guarded.pattern for guarded in GUARDED_KEYS}
    assert {attack.key for attack in ATTACKS} <= patterns
    assert {a.id for a in REACHED} >= {"core.fsmonitor", "filter.clean", "include.path"}


# -- the list of keys -----------------------------------------------------------------------------


def test_every_program_key_of_this_git_is_reviewed() -> None:
    # After a git upgrade (a CI image's), a key that names a program and that nobody reviewed
    # fails here: python tests/derive_git_keys.py lists it.
    import derive_git_keys

    picked = derive_git_keys.derive()
    if picked is None:
        pytest.skip("git's manual pages are not installed: the key list cannot be derived")
    assert derive_git_keys.unreviewed(picked) == []
    found = {derive_git_keys.normal(key) for key in picked}
    for guarded in GUARDED_KEYS:  # "added" says which keys the wording rule does not find
        assert guarded.added == (derive_git_keys.normal(guarded.pattern) not in found), guarded


# -- a repository git refuses for its owner -------------------------------------------------------


@pytest.fixture
def foreign(template: Template, tmp_path: Path) -> Path:
    """The template repository, owned by another user (as a CI container's checkout often is)."""
    if os.geteuid() != 0:
        pytest.skip("giving a repository to another user (chown) needs root")
    repo = tmp_path / "foreign"
    shutil.copytree(template.repo, repo, symlinks=True)
    subprocess.run(["chown", "-R", "nobody", str(repo)], check=True)
    return repo


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "{repo}"],
        ["check", "--all", "{repo}"],
        ["init", "--existing"],
        ["init"],
    ],
    ids=" ".join,
)
def test_a_repository_git_refuses_for_its_owner_is_said_plainly(
    template: Template, foreign: Path, args: list[str]
) -> None:
    before = sorted(path.name for path in foreign.iterdir())
    arguments = [arg.format(repo=foreign) for arg in args]

    code, out, err = finished(dsdone(arguments, template.environment, foreign))

    assert code == 2, (out, err)
    assert f"git refuses to read the repository at {foreign}: it belongs to another user" in err
    assert f"git config --global --add safe.directory {foreign}" in err
    assert sorted(path.name for path in foreign.iterdir()) == before  # nothing written


# -- git that blocks, and files git must not read -------------------------------------------------


def result_of(report: dict[str, object], check_id: str) -> dict[str, object]:
    results = report["results"]
    assert isinstance(results, list)
    return next(result for result in results if result["check"] == check_id)


def test_git_that_blocks_never_holds_dsdone_past_its_timeout(
    template: Template, tmp_path: Path
) -> None:
    # A .gitignore that is a named pipe blocks ls-files; an include of one blocks every git
    # command, the guard's reading of the configuration first. Before: 120 s each.
    pipe_ignore = tmp_path / "ignore" / "repo"
    shutil.copytree(template.repo, pipe_ignore, symlinks=True)
    os.mkfifo(pipe_ignore / ".gitignore")
    pipe_include = tmp_path / "include" / "repo"
    shutil.copytree(template.repo, pipe_include, symlinks=True)
    os.mkfifo(tmp_path / "include" / "pipe")
    ok(git(pipe_include, ["config", "include.path", "../../pipe"], template.environment))
    runs = {
        "ignore": dsdone(
            ["check", str(pipe_ignore), "--timeout", "2", "-f", "json"],
            template.environment,
            tmp_path,
        ),
        "ignore --all": dsdone(
            ["check", "--all", str(pipe_ignore), "--timeout", "2"], template.environment, tmp_path
        ),
        "include": dsdone(
            ["check", str(pipe_include), "--timeout", "2"], template.environment, tmp_path
        ),
    }

    code, out, err = finished(runs["ignore"])
    assert code == 1, err
    version_control = result_of(json.loads(out), "version-control")
    assert version_control["status"] == "error"
    assert "git ls-files did not finish within 2 s" in str(version_control["summary"])
    code, out, err = finished(runs["ignore --all"])
    assert code in (0, 1), err  # the walk found the contract; the project's report says why
    code, _, err = finished(runs["include"])
    assert code == 2
    assert f"git did not read the configuration of {pipe_include} within 2 s" in err


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("include.path", "/dev/stdin"),  # git would read its configuration from dsdone's input
        ("core.excludesFile", "{pipe}"),  # ls-files would block
        ("core.attributesFile", "{pipe}"),  # grep would block
    ],
)
@pytest.mark.parametrize("command", [["check"], ["init", "--existing"]], ids=" ".join)
def test_a_setting_that_makes_git_read_what_is_not_a_file_is_refused(
    template: Template, tmp_path: Path, key: str, value: str, command: list[str]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(template.repo, repo, symlinks=True)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    ok(git(repo, ["config", key, value.format(pipe=pipe)], template.environment))

    code, _, err = finished(dsdone([*command, str(repo)], template.environment, tmp_path))

    assert code == 2
    assert f"sets {key.lower()} to" in err and "which is not a regular file" in err


def test_a_repository_that_names_too_many_programs_is_refused(
    template: Template, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(template.repo, repo, symlinks=True)
    with (repo / ".git" / "config").open("a") as config:
        config.writelines(f'[filter "f{n}"]\n\tclean = x\n' for n in range(MAX_OVERRIDES))

    code, _, err = finished(dsdone(["check", str(repo)], template.environment, tmp_path))

    assert code == 2
    assert f"dsdone refuses more than {MAX_OVERRIDES}" in err


# -- whose filters are trusted --------------------------------------------------------------------


def upper_case_repository(tmp_path: Path, environment: dict[str, str]) -> Path:
    """data.txt is committed through a filter that writes it in capitals: without the filter
    git sees the lower-case work tree file as changed, with it as clean."""
    repo = tmp_path / "repo"
    repo.mkdir()
    ok(git(repo, ["init", "-q", "-b", "main"], environment))
    (repo / ".gitattributes").write_text("*.txt filter=upper\n")
    (repo / "dsdone.yaml").write_text(CONTRACT)
    (repo / "data.txt").write_text("hello\n")
    add = ["-c", "filter.upper.clean=tr a-z A-Z", "add", "."]
    ok(git(repo, add, environment))
    ok(git(repo, ["commit", "-q", "-m", "one"], environment))
    make_stale(repo)
    return repo


def version_control_summary(repo: Path, environment: Mapping[str, str]) -> str:
    code, out, err = finished(dsdone(["check", str(repo), "-f", "json"], environment, repo))
    assert code in (0, 1), err
    return str(result_of(json.loads(out), "version-control")["summary"])


def test_the_users_own_filter_is_kept_so_a_git_lfs_file_is_not_changed(tmp_path: Path) -> None:
    environment = hermetic_environment(tmp_path / "home")
    (tmp_path / "home" / ".gitconfig").write_text('[filter "upper"]\n\tclean = tr a-z A-Z\n')
    repo = upper_case_repository(tmp_path, environment)
    assert "clean" in version_control_summary(repo, environment)


def test_the_same_filter_from_the_repository_is_not_run(tmp_path: Path) -> None:
    environment = hermetic_environment(tmp_path / "home")
    repo = upper_case_repository(tmp_path, environment)
    ok(git(repo, ["config", "filter.upper.clean", "tr a-z A-Z"], environment))
    assert "1 file changed" in version_control_summary(repo, environment)


def test_a_global_configuration_inside_the_repository_is_not_trusted(
    template: Template, tmp_path: Path
) -> None:
    # HOME pointing into the checked-out repository (a CI job's workspace) makes a
    # .gitconfig it ships the "global" one: the scope says global, the file is the repository's.
    found = hostile(template, ATTACKS[0], tmp_path / "home")
    evil = tmp_path / "home" / "evil.sh"
    (found.repo / ".gitconfig").write_text(f'[filter "evil"]\n\tclean = {evil}\n')
    environment = {**template.environment, "HOME": str(found.repo)}
    ok(git(found.repo, ["config", "--unset", "core.fsmonitor"], environment))
    make_stale(found.repo)
    git(found.repo, ["ls-files", "--modified"], environment)
    assert found.fired(), "control: the filter of the repository's .gitconfig did not run"
    found.marker.unlink()

    for mode in ("check", "init --existing"):
        make_stale(found.repo)
        code, _, err = finished(dsdone([*mode.split(), str(found.repo)], environment, tmp_path))
        assert code in (0, 1), err
        assert not found.fired(), (mode, found.fired())


def test_only_the_users_own_filter_definitions_are_trusted(tmp_path: Path) -> None:
    place = Place(tmp_path / "repo", tmp_path / "repo" / ".git", tmp_path / "repo")
    home = tmp_path / "home" / ".gitconfig"
    entries = [
        ConfigEntry("global", f"file:{home}", "filter.lfs.process", "git-lfs filter-process"),
        ConfigEntry("global", f"file:{home}", "core.pager", "less"),
        # An include in the repository's configuration reports the scope of the file that
        # includes it: local, whatever file it names.
        ConfigEntry("local", f"file:{home}", "filter.lfs.clean", "evil"),
        ConfigEntry("global", "file:.gitconfig", "filter.mine.clean", "evil"),  # in the repository
        ConfigEntry("command", "command line:", "filter.cmd.clean", "evil"),
    ]

    written = dict(overrides(entries, place))

    assert "filter.lfs.process" not in written
    assert written["core.pager"] == "cat"
    assert written["filter.lfs.clean"] == "" and written["filter.lfs.required"] == "false"
    assert written["filter.mine.clean"] == "" and written["filter.cmd.clean"] == ""


# -- how the environment wins -----------------------------------------------------------------


def test_the_callers_git_config_parameters_cannot_come_after_the_guard(
    template: Template, tmp_path: Path
) -> None:
    # git reads GIT_CONFIG_PARAMETERS (git -c, or left by a parent git) after GIT_CONFIG_COUNT.
    found = hostile(template, ATTACKS[0], tmp_path / "parameters")
    evil = tmp_path / "parameters" / "evil.sh"
    environment = {
        **template.environment,
        "GIT_CONFIG_PARAMETERS": f"'filter.evil.clean'='{evil}'",
    }
    ok(git(found.repo, ["config", "--unset", "core.fsmonitor"], environment))
    make_stale(found.repo)
    git(found.repo, ["ls-files", "--modified"], environment)
    assert found.fired(), "control"
    found.marker.unlink()

    make_stale(found.repo)
    code, _, err = finished(dsdone(["check", str(found.repo)], environment, tmp_path))

    assert code in (0, 1), err
    assert not found.fired()


def test_a_work_tree_moved_by_the_configuration_is_set_back(
    template: Template, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(template.repo, repo, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("KEY = '/home/ana/.ssh/id_rsa'\n")
    ok(git(repo, ["config", "core.worktree", str(outside)], template.environment))
    assert "secret.py" in ok(git(repo, ["ls-files", "--others"], template.environment))

    code, out, err = finished(
        dsdone(["check", str(repo), "-f", "json"], template.environment, repo)
    )

    assert code in (0, 1), err
    assert "secret.py" not in out
    # The project is the repository's own work tree: its files, committed and unchanged.
    version_control = result_of(json.loads(out), "version-control")
    assert version_control["status"] == "pass"
    assert "clean" in str(version_control["summary"])
