"""The git configuration keys that make git start a program, read a file or pull in more
configuration: what ``dsdone.git.guard`` neutralises in a repository dsdone did not write.

How the list was made (git 2.39.5; ``python tests/derive_git_keys.py`` does steps 1-3 again on
the git it finds, and ``tests/test_git_security.py`` fails when its result is not reviewed here):

1. ``git help --config`` names every key this git knows (843 on 2.39.5).
2. Each key's description is read from this git's own ``git-config(1)`` (the text ``git help
   config`` shows); ``filter.<driver>.process`` and ``.required`` from ``gitattributes(5)``.
3. A key is a candidate when its description says its value is a command, program, script,
   hook, helper, editor, pager, driver or executable git runs ("the specified command", "an
   external helper", "command to run", "Text viewer", ...), or a file git reads.
4. Each candidate was reviewed against git-config(1), gitattributes(5) and git-send-email(1):
   the false positives are in ``REJECTED_CANDIDATES`` with the reason; the keys the wording
   misses (a boolean that turns a program on, a key documented elsewhere) are in
   ``GUARDED_KEYS`` with ``added=True``.

Re-run the script after a git upgrade: a new key (``hook.<name>.command`` in git 2.46, for
one) shows up as not reviewed.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Kind = Literal["program", "include", "file"]


class GuardedKey(NamedTuple):
    """A key (or a pattern of keys) of the configuration that can make git start a program.

    ``pattern`` is spelled as ``git help --config`` spells it; a ``<...>`` part (a driver, a
    remote, a tool, a URL) is chosen by whoever writes the configuration. ``value`` is the
    harmless value written over it, ``None`` when no value can help (``why`` says what is done
    instead). An ``always`` key is written over even when no configuration sets it; the others
    only when one does, because some harmless values make git refuse loudly (an empty
    ``diff.external`` makes ``git diff -p`` fail).
    """

    pattern: str
    kind: Kind  # program: git starts it; include: more configuration; file: git reads it
    value: str | None
    always: bool
    why: str
    added: bool = False  # True: the wording rule of the derivation does not find it
    also: tuple[tuple[str, str], ...] = ()  # more values to write when the key is set


_NO_FILE_OR_SSH = (("protocol.file.allow", "never"), ("protocol.ssh.allow", "never"))

# fmt: off
GUARDED_KEYS: tuple[GuardedKey, ...] = (
    # -- programs git starts while it reads a repository ----------------------------------------
    GuardedKey("core.fsmonitor", "program", "false", True,
               "a hook run on every read of the index (status, ls-files, diff-index, grep, "
               "diff); false: no monitor, git's default"),
    GuardedKey("core.hooksPath", "program", "/dev/null", True,
               "hooks, .git/hooks included (post-index-change runs on status); /dev/null is "
               "not a folder, so no hook is found"),
    GuardedKey("filter.<driver>.clean", "program", "", False,
               "run when a tracked file whose time changed is hashed again (ls-files -m, "
               "status, diff); empty: no filter, the content passes as it is"),
    GuardedKey("filter.<driver>.smudge", "program", "", False,
               "run on checkout; empty: no filter"),
    GuardedKey("filter.<driver>.process", "program", "", False,
               "a long-running filter (gitattributes(5)); empty: no filter"),
    GuardedKey("filter.<driver>.required", "program", "false", False,
               "with required=true an emptied filter is fatal; written for every filter "
               "named, so that the content passes instead", added=True),
    GuardedKey("diff.<driver>.textconv", "program", "cat", False,
               "run by diff, log -p, show <commit>, grep --textconv, cat-file --textconv, "
               "blame; cat converts nothing (empty makes git fail)"),
    GuardedKey("diff.<driver>.command", "program", "", False,
               "the external diff of git diff -p; empty: git diff -p fails, nothing runs"),
    GuardedKey("diff.external", "program", "", False,
               "the external diff of git diff -p; empty: nothing runs"),
    GuardedKey("merge.<driver>.driver", "program", "", False,
               "run by merge, rebase, cherry-pick; empty: nothing runs"),
    GuardedKey("core.pager", "program", "cat", True,
               "the pager when the output is a terminal; git starts no process for cat"),
    GuardedKey("pager.<cmd>", "program", "false", False,
               "a string is a pager for that command; false: no pager"),
    GuardedKey("core.editor", "program", ":", True,
               "the editor of commit, tag, rebase; git starts no process for ':'"),
    GuardedKey("sequence.editor", "program", ":", True, "the editor of rebase -i"),
    GuardedKey("log.showSignature", "program", "false", True,
               "true makes log and show run gpg.program on a signed commit", added=True),
    GuardedKey("gpg.program", "program", "", False,
               "run to verify signatures; empty: nothing runs"),
    GuardedKey("gpg.<format>.program", "program", "", False,
               "gpg.openpgp, .x509, .ssh.program; empty: nothing runs"),
    GuardedKey("gpg.ssh.defaultKeyCommand", "program", "", False,
               "run to sign with ssh without a key; empty: nothing runs"),
    GuardedKey("credential.helper", "program", "", True,
               "an empty value empties the list of helpers (documented)"),
    GuardedKey("credential.<url>.helper", "program", "", False,
               "a helper for one URL; emptied as well", added=True),
    GuardedKey("core.askPass", "program", "", True,
               "the password prompt; empty: none (GIT_ASKPASS is empty too)"),
    GuardedKey("core.sshCommand", "program", "ssh", False,
               "run by fetch, push, ls-remote over ssh; ssh is git's own default"),
    GuardedKey("core.gitProxy", "program", None, False,
               "the git:// proxy; the FIRST value wins, so no later value replaces it: "
               "GIT_PROXY_COMMAND='' in the environment beats every configuration"),
    GuardedKey("core.alternateRefsCommand", "program", "", False,
               "run by fetch in a repository with alternates; empty: nothing runs"),
    GuardedKey("uploadpack.packObjectsHook", "program", "", False,
               "run by upload-pack; git ignores it in a repository's own configuration"),
    GuardedKey("remote.<name>.uploadpack", "program", None, False,
               "run by fetch from a local remote; the FIRST value wins, so no value can "
               "replace it: the file and ssh transports are refused instead",
               also=_NO_FILE_OR_SSH),
    GuardedKey("remote.<name>.receivepack", "program", None, False,
               "run by push; as uploadpack", also=_NO_FILE_OR_SSH),
    GuardedKey("remote.<name>.vcs", "program", "", False,
               "runs git remote-<vcs>, which may be an alias; empty: no such command"),
    GuardedKey("protocol.ext.allow", "program", "never", True,
               "ext:: URLs run a shell command; never: refused, git's default", added=True),
    GuardedKey("alias.*", "program", "", False,
               "'!command' runs a shell; reached through git remote-<vcs>; empty: an error"),
    GuardedKey("submodule.<name>.update", "program", "none", False,
               "'!command' runs on git submodule update", added=True),
    GuardedKey("diff.ignoreSubmodules", "program", "all", True,
               "status and diff run git inside each submodule, with the submodule's own "
               "configuration, which the guard does not read; all: submodules are not entered"),
    GuardedKey("submodule.recurse", "program", "false", True,
               "true makes grep and others enter submodules (their configuration is not read)"),
    GuardedKey("status.submoduleSummary", "program", "false", True,
               "the summary runs git log in submodules", added=True),
    GuardedKey("interactive.diffFilter", "program", "cat", False,
               "add -p pipes the diff through it; cat changes nothing"),
    GuardedKey("imap.tunnel", "program", "", False, "git imap-send"),
    GuardedKey("sendemail.smtpServer", "program", "", False,
               "a path is a sendmail-like program (git-send-email(1))", added=True),
    GuardedKey("sendemail.toCmd", "program", "", False, "git send-email", added=True),
    GuardedKey("sendemail.ccCmd", "program", "", False, "git send-email", added=True),
    GuardedKey("sendemail.<identity>.smtpServer", "program", "", False, "per identity",
               added=True),
    GuardedKey("sendemail.<identity>.toCmd", "program", "", False, "per identity", added=True),
    GuardedKey("sendemail.<identity>.ccCmd", "program", "", False, "per identity", added=True),
    GuardedKey("instaweb.httpd", "program", "", False, "git instaweb"),
    GuardedKey("instaweb.browser", "program", "", False, "git instaweb"),
    GuardedKey("web.browser", "program", "", False, "git help -w, git instaweb"),
    GuardedKey("help.browser", "program", "", False, "git help -w"),
    GuardedKey("browser.<tool>.cmd", "program", "", False, "git web--browse"),
    GuardedKey("browser.<tool>.path", "program", "", False, "git web--browse"),
    GuardedKey("man.viewer", "program", "", False, "git help"),
    GuardedKey("man.<tool>.cmd", "program", "", False, "git help"),
    GuardedKey("man.<tool>.path", "program", "", False, "git help"),
    GuardedKey("difftool.<tool>.cmd", "program", "", False, "git difftool"),
    GuardedKey("difftool.<tool>.path", "program", "", False, "git difftool"),
    GuardedKey("mergetool.<tool>.cmd", "program", "", False, "git mergetool"),
    GuardedKey("mergetool.<tool>.path", "program", "", False, "git mergetool"),
    GuardedKey("guitool.<name>.cmd", "program", "", False, "git gui"),
    # -- more configuration: no value can take an include back ----------------------------------
    GuardedKey("include.path", "include", None, False,
               "only adds: the guard reads the configuration with its includes and writes over "
               "what they set; a target that is not a regular file (/dev/stdin, a named pipe) "
               "makes the repository refused"),
    GuardedKey("includeIf.<condition>.path", "include", None, False,
               "as include.path; read in the same folder, so the conditions agree"),
    # -- files the configuration makes git read --------------------------------------------------
    GuardedKey("core.worktree", "file", None, False,
               "moves the work tree anywhere (ls-files -o and grep would read there): set back "
               "with GIT_WORK_TREE to the folder that holds .git"),
    GuardedKey("core.excludesFile", "file", None, False,
               "what --exclude-standard hides (the user's own file is kept); a named pipe "
               "would block ls-files: the repository is refused"),
    GuardedKey("core.attributesFile", "file", None, False,
               "attributes only choose drivers, which are neutralised; a named pipe would "
               "block grep: the repository is refused"),
    GuardedKey("mailmap.file", "file", None, False, "read by log, shortlog, blame"),
    GuardedKey("commit.template", "file", None, False, "read by git commit"),
    GuardedKey("blame.ignoreRevsFile", "file", None, False, "read by git blame", added=True),
    GuardedKey("gpg.ssh.allowedSignersFile", "file", None, False, "read to verify signatures",
               added=True),
)

# Candidates of the derivation that the review rejected, spelled as it spells them (lower
# case, every <placeholder> as <name>), with the reason.
REJECTED_CANDIDATES: dict[str, str] = {
    "color.pager": "a boolean: colour the output sent to the pager",
    "commit.status": "a boolean: status in the commit template",
    "completion.commands": "names of commands for shell completion",
    "core.commentchar": "a character",
    "core.filemode": "a boolean: trust the executable bit",
    "core.safecrlf": "a boolean or warn",
    "diff.<name>.binary": "a boolean",
    "diff.<name>.cachetextconv": "a boolean (caches the textconv output, which is overridden)",
    "diff.<name>.wordregex": "a regular expression",
    "diff.<name>.xfuncname": "a regular expression",
    "diff.autorefreshindex": "a boolean",
    "fetch.writecommitgraph": "a boolean",
    "gc.auto": "a number (gc --auto is built in; its hook goes through core.hooksPath)",
    "gc.bigpackthreshold": "a size",
    "gitcvs.dbname": "the database of git cvsserver",
    "gitcvs.logfile": "a file git cvsserver writes",
    "guitool.<name>.noconsole": "a boolean",
    "help.autocorrect": "a delay; runs a built-in command or an alias (aliases are overridden)",
    "http.cookiefile": "a file of the http transport; dsdone fetches nothing",
    "http.proxysslcainfo": "a file of the https proxy; dsdone fetches nothing",
    "http.proxysslcert": "a file of the https proxy; dsdone fetches nothing",
    "http.proxysslkey": "a file of the https proxy; dsdone fetches nothing",
    "index.threads": "a number",
    "log.date": "a date format",
    "maintenance.<name>.auto": "a number",
    "maintenance.commit-graph.auto": "a number",
    "maintenance.incremental-repack.auto": "a number",
    "maintenance.loose-objects.auto": "a number",
    "merge.<name>.name": "a name for people",
    "merge.<name>.recursive": "names another merge driver, whose .driver is overridden",
    "mergetool.<name>.trustexitcode": "a boolean",
    "pack.threads": "a number",
    "protocol.<name>.allow": "always, never or user; ext is set to never, the others run no "
    "program of the configuration's choosing",
    "protocol.allow": "as protocol.<name>.allow",
    "receive.autogc": "a boolean (server side)",
    "receive.certnonceslop": "a number (server side)",
    "receive.procreceiverefs": "ref prefixes; the proc-receive hook goes through core.hooksPath",
    "receive.updateserverinfo": "a boolean (server side)",
    "status.showuntrackedfiles": "no, normal or all",
}
# fmt: on
