"""Find credentials written into text, one line at a time, without ever showing them.

Pure functions, no ``Project``: a line in, hits out. Shared by the ``secrets`` check (every
text file and notebook) and ``tracked-config`` (the declared config files), so that both call
the same things secrets.

Precision first. A generic "high-entropy string" detector reports every hash, UUID, run id
and base64 image of a data-science repository (detect-secrets 1.5 on 34 public ML
repositories: about 41,000 alarms, nearly all hashes and notebook images, and 368 even without
its entropy plugins, most of them placeholders and test fixtures), and a check that cries wolf
is turned off. So a hit needs a shape that only a credential has:

- a private key block (``-----BEGIN RSA PRIVATE KEY-----`` followed by key material);
- a token with its issuer's prefix: AWS access key ids (``AKIA``, ``ASIA``), GitHub
  (``ghp_``, ``gho_``, ``ghs_``, ``github_pat_``), GitLab (``glpat-``), Slack (``xoxb-``,
  ``xoxp-``), Hugging Face (``hf_``), OpenAI and the like (``sk-``, ``sk-proj-``,
  ``sk-ant-``), Stripe live keys (``sk_live_``, ``rk_live_``), Google API keys (``AIza``) and
  signed JWTs;
- a password in a connection string (``postgresql://user:PASSWORD@host/db``, and mysql,
  mongodb(+srv), redis, amqp);
- a literal value assigned to a key that names a password, a secret or an API key
  (``password = "..."``, ``db_passwd: ...``, ``SECRET_KEY=...``, ``openai.api_key = "..."``);
  an AWS secret access key only in its own 40-character shape under a key named like one.

Not secrets: references resolved at run time (``${VAR}``, ``{{ var }}``, ``%(var)s``,
``os.environ[...]``, ``getpass()``), placeholders (``<your-key>``, ``your_api_key_here``,
``xxxx``, ``changeme``, ``***``, ``DB_PASSWORD``, ``Randomstr``, ``foobar``), the examples of
documentation (``AKIAIOSFODNN7EXAMPLE``, jwt.io's token), values that say they are fake
(``fake_secret_key``, ``dummy``, ``test``, ``s3cr3t``), hashed passwords (``sha1:...``),
UUIDs, and the well-known defaults of local services (``postgres:postgres``, ``guest``,
``minioadmin``).

Every match holds one of ``LITERALS`` (the tests prove it for each pattern), so one
``git grep`` for them finds every line that can hold a secret, and only those lines are read.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from dsdone.analysis.secret_literals import (
    KEY_LITERALS,
    SCHEME_LITERALS,
    TOKEN_LITERALS,
)
from dsdone.analysis.secret_literals import LITERALS as LITERALS  # the pre-filter, for checks

_TEXT_LITERALS = TOKEN_LITERALS + SCHEME_LITERALS + KEY_LITERALS


def holds_literal(text: str) -> bool:
    """Whether ``text`` holds one of ``LITERALS``: without one it holds no secret."""
    return any(literal in text for literal in _TEXT_LITERALS)


@dataclass(frozen=True)
class SecretHit:
    """A credential in a line: what it is, where it starts, and a form safe to show.

    ``value`` is the secret itself, kept only to compare with another copy of the file (is it
    in the commit too?); it is never part of ``repr`` and must never be printed."""

    kind: str  # what it is, for people: "a GitHub token"
    column: int  # 1-based, where the secret (or its key) starts in the line
    masked: str  # what may be shown: "ghp_…(40 chars)"
    value: str = field(repr=False, compare=False)


# -- credentials recognisable by their shape ------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    """A credential recognisable by its shape. ``literals``: one of them is in every match;
    the match starts at most ``before`` characters before it and ends at most ``after``
    characters after its start, so only a window around each literal is searched (a notebook's
    output line can be megabytes long)."""

    kind: str
    literals: tuple[str, ...]
    pattern: str
    before: int
    after: int
    # (the match) -> (kind, masked, secret) or None when it is a placeholder or an example
    judge: Callable[[re.Match[str]], tuple[str, str, str] | None]


def _masked(shown: str, secret: str) -> str:
    return f"{shown}…({len(secret)} chars)"


# Words that make a value a placeholder, an example or a test fixture, not a credential
# ("Randomstr" in zenml-projects' configs, "foobar"): the secrets check and tracked-config
# share them.
_FAKE_WORDS = re.compile(
    r"example|sample|dummy|fake|placeholder|redacted|changeme|change_me|change-me|replace"
    r"|your|xxxx|\*\*\*|\.\.\.|…|insert|mock|random|foobar",
    re.IGNORECASE,
)


def _is_fake_token(body: str) -> bool:
    """Whether the random part of a token says it is not one: a placeholder word, or too few
    different characters (``ghp_aaaa...``, ``AKIAXXXXXXXXXXXXXXXX``)."""
    return bool(_FAKE_WORDS.search(body)) or len(set(body)) < min(8, len(body) // 2)


def _prefixed(prefix_length: int) -> Callable[[re.Match[str]], tuple[str, str, str] | None]:
    def judge(match: re.Match[str]) -> tuple[str, str, str] | None:
        token = match.group(0)
        if _is_fake_token(token[prefix_length:]):
            return None
        return "", _masked(token[:prefix_length], token), token

    return judge


def _private_key(match: re.Match[str]) -> tuple[str, str, str] | None:
    # The header alone is a constant that code compares with ("-----BEGIN PRIVATE KEY-----"
    # in quotes); a key has its material after it: on the next line, or after an escaped line
    # break in JSON or a string literal.
    rest = match.string[match.end() : match.end() + 8]
    if rest.strip() and not re.match(r"(?:\\r)?\\n[A-Za-z0-9+/]{2}", rest):
        return None
    header = match.group(0)
    return "", header + "…", header


def _aws_key_id(match: re.Match[str]) -> tuple[str, str, str] | None:
    token = match.group(0)
    body = token[4:]
    if body.endswith("EXAMPLE") or _is_fake_token(body):
        return None  # AKIAIOSFODNN7EXAMPLE: AWS's documentation
    return "", _masked(token[:4], token), token


def _hugging_face(match: re.Match[str]) -> tuple[str, str, str] | None:
    token = match.group(0)
    body = token[3:]
    # Generated tokens mix upper and lower case; hf_ followed by 34 letters of one case is a
    # name (hf_transformersautomodelforcausallm...), not a token.
    if body.islower() or body.isupper() or _is_fake_token(body):
        return None
    return "", _masked("hf_", token), token


def _openai_like(match: re.Match[str]) -> tuple[str, str, str] | None:
    token = match.group(0)
    body = token[3:]
    if _is_fake_token(body) or not any(c.isdigit() for c in body):
        return None
    project = body.partition("-")[0] if body.startswith(("proj-", "svcacct-", "admin-")) else ""
    shown = f"sk-{project}-" if project else "sk-"
    if project or "T3BlbkFJ" in token:  # base64 of "OpenAI", in the middle of its keys
        return "an OpenAI API key", _masked(shown, token), token
    if body.startswith("ant-"):
        return "an Anthropic API key", _masked("sk-ant-", token), token
    return "an API key (sk-…)", _masked(shown, token), token


# The token of jwt.io's debugger, copied into documentation and tests everywhere: its payload
# starts {"sub":"1234567890","name":"John Doe".
_JWT_EXAMPLE_PAYLOAD = "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lI"


def _jwt(match: re.Match[str]) -> tuple[str, str, str] | None:
    token = match.group(0)
    header, payload, _ = token.split(".")
    if payload.startswith(_JWT_EXAMPLE_PAYLOAD):
        return None
    # A JWT's header is a JSON object that names its algorithm; three dotted base64url runs
    # that are not one are something else.
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(decoded, dict) or "alg" not in decoded:
        return None
    return "", _masked("eyJ", token), token


# Passwords that stand for none: placeholders, and the defaults that local services and their
# documentation use (postgres:postgres, guest:guest, scott/tiger, minioadmin).
_DEFAULT_PASSWORDS = frozenset(
    {
        "admin", "changeit", "default", "guest", "minioadmin", "mysql", "pass", "passwd",
        "password", "postgres", "pw", "pwd", "root", "sa", "secret", "test", "tiger", "user",
    }
)  # fmt: skip


def _connection_string(match: re.Match[str]) -> tuple[str, str, str] | None:
    user, password = match.group("user"), match.group("password")
    if password == user or password.lower() in _DEFAULT_PASSWORDS:
        return None
    if not is_literal(password) or _looks_fake(password):
        return None
    shown = f"{match.group('scheme')}://{user}:"
    masked = f"{shown}…({len(password)} chars)@{match.group('host')[:60]}"
    return "a password in a connection string", masked, password


_TOKEN_START = r"(?<![A-Za-z0-9_])"
_TOKEN_END = r"(?![A-Za-z0-9_])"
_SHAPES = (
    _Shape(
        "a private key",
        ("PRIVATE KEY",),
        r"-----BEGIN [A-Z0-9 ]{0,30}PRIVATE KEY(?: BLOCK)?-----",
        before=42,
        after=64,
        judge=_private_key,
    ),
    _Shape(
        "an AWS access key ID",
        ("AKIA", "ASIA"),
        r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])",
        before=0,
        after=20,
        judge=_aws_key_id,
    ),
    _Shape(
        "a GitHub token",
        ("ghp_", "gho_", "ghs_"),
        _TOKEN_START + r"gh[pos]_[A-Za-z0-9]{36}" + _TOKEN_END,
        before=0,
        after=40,
        judge=_prefixed(4),
    ),
    _Shape(
        "a GitHub token",
        ("github_pat_",),
        _TOKEN_START + r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}" + _TOKEN_END,
        before=0,
        after=93,
        judge=_prefixed(11),
    ),
    _Shape(
        "a GitLab token",
        ("glpat-",),
        r"(?<![A-Za-z0-9_-])glpat-[A-Za-z0-9_-]{20,100}(?![A-Za-z0-9_-])",
        before=0,
        after=106,
        judge=_prefixed(6),
    ),
    _Shape(
        "a Slack token",
        ("xoxb-", "xoxp-"),
        r"(?<![A-Za-z0-9_-])xox[bp]-[0-9]{1,15}-[A-Za-z0-9-]{8,250}",
        before=0,
        after=272,
        judge=_prefixed(5),
    ),
    _Shape(
        "a Hugging Face token",
        ("hf_",),
        _TOKEN_START + r"hf_[A-Za-z]{34}" + _TOKEN_END,
        before=0,
        after=37,
        judge=_hugging_face,
    ),
    _Shape(
        "an API key",
        ("sk-",),
        r"(?<![A-Za-z0-9_-])sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,300}"
        r"|ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{40,300}|[A-Za-z0-9]{32,200})"
        r"(?![A-Za-z0-9_-])",
        before=0,
        after=318,
        judge=_openai_like,
    ),
    _Shape(
        "a Stripe live key",
        ("k_live_",),
        _TOKEN_START + r"[rs]k_live_[A-Za-z0-9]{20,250}" + _TOKEN_END,
        before=1,
        after=258,
        judge=_prefixed(8),
    ),
    _Shape(
        "a Google API key",
        ("AIza",),
        r"(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])",
        before=0,
        after=39,
        judge=_prefixed(4),
    ),
    _Shape(
        "a JWT (a signed access token)",
        (".eyJ",),
        r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,8000}"
        r"\.[A-Za-z0-9_-]{16,2000}(?![A-Za-z0-9_-])",
        before=2003,
        after=12006,
        judge=_jwt,
    ),
    _Shape(
        "a password in a connection string",
        SCHEME_LITERALS,
        r"(?<![A-Za-z0-9+.-])(?P<scheme>postgres(?:ql)?|mysql|mongodb(?:\+srv)?|rediss?|amqps?)"
        r"(?:\+[A-Za-z0-9_]{1,30})?://"
        r"(?P<user>[^\s:/@'\"`<>]{0,128}):(?P<password>[^\s/@'\"`<>]{1,256})@"
        r"(?P<host>[A-Za-z0-9._-]{1,253})",
        before=0,
        after=690,
        judge=_connection_string,
    ),
)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    # Compiled when first used, not on import: the command line imports LITERALS to start git
    # grep, before anything else, and must not wait for a dozen regular expressions.
    return re.compile(pattern)


# -- literal values under keys that name a credential ---------------------------------------

_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_PASSWORD_WORDS = frozenset({"password", "passwd", "passphrase"})
_SECRET_LAST_WORDS = frozenset({"password", "passwd", "passphrase", "secret", "token", "apikey"})
_SECRET_LAST_PAIRS = frozenset(
    {
        ("api", "key"),
        ("access", "key"),
        ("secret", "key"),
        ("private", "key"),
        ("account", "key"),
        ("auth", "key"),
        ("signing", "key"),
    }
)
# A key with one of these words names something about a secret, not the secret itself:
# hashed_secret (detect-secrets' baseline), password_hash, secret_name, api_key_id.
_ABOUT_A_SECRET = frozenset({"hash", "hashed", "digest", "checksum", "fingerprint", "sha", "md5"})

_KINDS = {
    "password": "a password",
    "aws": "an AWS secret access key",
    "secret": "a secret",
    "token": "a token",
    "key": "an API key",
}


def secret_key_kind(key: str) -> str | None:
    """What secret a key names, if it names one: "password", "aws", "secret", "token" or
    "key" (an API key). The last word decides (``db_password``, ``hfToken``, ``x-api-key``,
    ``AWS_SECRET_ACCESS_KEY``), so that ``tokenizer``, ``max_tokens``, ``password_file`` and
    ``secret_name`` name none."""
    words = [word.lower() for word in _WORDS.findall(key.rpartition(".")[2])]
    if not words or _ABOUT_A_SECRET.intersection(words):
        return None
    last, pair = words[-1], tuple(words[-2:])
    if last in _PASSWORD_WORDS:
        return "password"
    if last == "key" and "secret" in words and ("access" in words or "aws" in words):
        return "aws"
    if last == "secret" or pair in (("secret", "key"), ("private", "key"), ("signing", "key")):
        return "secret"
    if last == "token":
        return "token"
    if last == "apikey" or pair in _SECRET_LAST_PAIRS:
        return "key"
    return None


# Values that stand for a secret without being one: references resolved at run time, and the
# placeholders that templates and examples use. Each alternative is anchored, bounded or starts
# with a fixed character and never crosses it again, so the search is linear; `${...}`,
# `{{ ... }}` and `%(...)s` anywhere in the value are found by _has_template, without a
# regular expression.
_REFERENCE = re.compile(
    r"""\{[A-Za-z_0-9]*\}                               # {var}
    |^\$[A-Za-z_][A-Za-z0-9_]*$|^%[A-Za-z_][A-Za-z0-9_]*%$   # $VAR, %VAR%
    |^%[sdr]$                                         # a format: "password=%s"
    |^<.*>$|^\[.*\]$                                  # <your-token>, [redacted]
    |^(env|vault|ssm|op|keyring|secretsmanager|secrets?):  # env:DB_PASSWORD, op://...
    |(^|[^a-z])your[^a-z]                             # your-api-key-here, YOUR_TOKEN
    """,
    re.IGNORECASE | re.VERBOSE,
)
_PATH = re.compile(r"(~|\.{1,2})?/[\w./-]*")  # /run/secrets/db, ~/.aws/credentials: a file
_PLACEHOLDER_WORDS = frozenset(
    {
        "changeme", "replaceme", "placeholder", "redacted", "todo", "tbd", "fixme", "none",
        "null", "nil", "undefined", "true", "false", "yes", "no", "on", "off", "str", "string",
        "required", "optional", "na", "empty",
    }
)  # fmt: skip
# DB_PASSWORD, PAT, SNOWFLAKE_PASSWORD: the name of a variable to set, written where its value
# goes.
_VARIABLE_NAME = re.compile(r"[A-Z]+(?:_[A-Z0-9]+)*")


# Template references, by their opening and closing marks on one line: ${VAR}, {{ vault }},
# %(var)s. (As `\$\{.*\}`, a search would scan to the end of the line from every `${` of a
# line of thousands of them: quadratic in a value a stranger wrote.)
_TEMPLATES = (("${", "}"), ("{{", "}}"), ("%(", ")s"))


def _has_template(text: str) -> bool:
    """Whether a line of ``text`` holds a template reference: an opening mark and, after it on
    the same line, its closing mark. The first opening mark of a line is the one to try: a
    closing mark after a later one is also after the first."""
    for line in text.split("\n"):
        for opening, closing in _TEMPLATES:
            start = line.find(opening)
            if start >= 0 and line.find(closing, start + len(opening)) >= 0:
                return True
    return False


def is_literal(text: str) -> bool:
    """Whether a value is a secret written out, not a reference to one or a placeholder."""
    if not text or _has_template(text) or _REFERENCE.search(text) or _PATH.fullmatch(text):
        return False
    if len(set(text)) == 1:  # xxxxxx, ******
        return False
    return re.sub(r"[^a-z]", "", text.lower()) not in _PLACEHOLDER_WORDS


# Example passwords are written in leetspeak as often as not: s3cr3t, p@ssw0rd, adm1n.
_UNLEET = str.maketrans("013457@$", "oleastas")
_FAKE_PASSWORD_WORDS = ("test", "pass", "secret", "admin", "demo", "default", "guest")
# A password stored hashed (Jupyter's sha1:salt:hash, Django's pbkdf2_sha256$..., bcrypt's
# $2b$...) is not the password.
_HASHED = re.compile(
    r"(?:sha1|sha256|sha512|md5|argon2|pbkdf2\w*|bcrypt|scrypt)[:$]|\$(?:2[abxy]?|argon2\w*|[156])\$"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
# A name, not a secret: snake, kebab or dotted lower-case words (gcs-credentials, expected).
_WORDLIKE = re.compile(r"[a-z]+(?:[-_.][a-z]+)*")


def _looks_fake(text: str) -> bool:
    """Whether a value says it is not real: fake_secret_key, dummy_pw, s3cr3t, DB_PASSWORD."""
    unleet = text.lower().translate(_UNLEET)
    return (
        bool(_FAKE_WORDS.search(text))
        or any(word in unleet for word in _FAKE_PASSWORD_WORDS)
        or bool(_VARIABLE_NAME.fullmatch(text))
        or bool(_HASHED.match(text))
        or bool(_UUID.fullmatch(text))
    )


_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")


def secret_value(kind: str, value: str, *, strict: bool) -> bool:
    """Whether ``value``, under a key that names a ``kind`` of secret (see
    ``secret_key_kind``), is one.

    Not ``strict`` (the settings of declared config files, ``tracked-config``): any literal
    that is not a placeholder; numbers only for passwords (``password: 123456``, but not
    ``max_token: 512``). ``strict`` (any line of any file, where keys are guessed from text):
    a password of 4 characters or more, a secret of 8 or more, and a token or API key that
    looks like one (16 characters or more, letters and digits, no spaces); an AWS secret
    access key only in its 40-character shape.
    """
    text = value.strip().strip("'\"").strip()
    if not is_literal(text) or _looks_fake(text) or text.lower() in _DEFAULT_PASSWORDS:
        return False
    if kind == "aws" and (strict or _AWS_SECRET.fullmatch(text)):
        return bool(_AWS_SECRET.fullmatch(text))
    if text.isdigit():
        return kind == "password"
    if not strict:
        return True
    # Guessed from any line of any file: a value with spaces, brackets or commas is code or
    # prose, and a lower-case word is a name.
    if any(char.isspace() or char in "(),[]{}" for char in text) or _WORDLIKE.fullmatch(text):
        return False
    if kind == "password":
        return len(text) >= 4
    if kind == "secret":
        return len(text) >= 8
    return (
        len(text) >= 16
        and any(char.isdigit() for char in text)
        and any(char.isalpha() for char in text)
    )


# After a key: its closing quote or bracket (``"password":``, ``environ["PASSWORD"] =``), a
# type annotation (``password: str = ...``), the operator, then a quoted value, or a bare one
# that ends the line (YAML, INI, .env) or a field (a URL's query, an ODBC connection string).
_AFTER_KEY = re.compile(
    r"""["'`]?\]?[ \t]{0,8}
    (?::[ \t]{0,8}[A-Za-z_][\w.\[\], |]{0,60}?[ \t]{0,8}(?==))?
    (?P<op>:=|=>|==|!=|=|:)[ \t]{0,8}
    (?:[rRbBuUfF]{0,2}"(?P<double>[^"\\\n]{0,300})"
      |[rRbBuUfF]{0,2}'(?P<single>[^'\\\n]{0,300})'
      |(?P<bare>[^\s"'`,;&#]{1,300})(?=[ \t]*(?:$|\#|;|&|,|`)))
    """,
    re.VERBOSE,
)
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_MAX_KEY = 100


def _assignments(line: str, bare_values: bool) -> Iterator[tuple[SecretHit, int]]:
    """Literal secrets assigned to keys that hold one of ``KEY_LITERALS``, each with where its
    value ends."""
    seen: set[int] = set()
    for literal in KEY_LITERALS:
        position = line.find(literal)
        while position >= 0:
            start, end = position, position + len(literal)
            while start > 0 and position - start < _MAX_KEY and line[start - 1] in _KEY_CHARS:
                start -= 1
            while end < len(line) and end - position < _MAX_KEY and line[end] in _KEY_CHARS:
                end += 1
            position = line.find(literal, end)
            if start not in seen:
                seen.add(start)
                found = _assignment(line, start, end, bare_values)
                if found is not None:
                    yield found


def _assignment(line: str, start: int, end: int, bare_values: bool) -> tuple[SecretHit, int] | None:
    key = line[start:end].strip(".-")
    kind = secret_key_kind(key)
    if kind is None:
        return None
    match = _AFTER_KEY.match(line, end)
    if match is None or match.group("op") in ("==", "!="):
        return None
    group = next(name for name in ("double", "single", "bare") if match.group(name) is not None)
    # A bare word is a literal in a config file, or inside a URL's query or an ODBC string
    # (?password=..., ;Password=...); in code it is a variable: password=password.
    in_a_query = match.group("op") == "=" and line[start - 1 : start] in ("?", "&", ";")
    if group == "bare" and not (bare_values or in_a_query):
        return None
    value = match.group(group)
    if not secret_value(kind, value, strict=True) or value in key:
        return None
    hit = SecretHit(_KINDS[kind], start + 1, f"{key}=…({len(value)} chars)", value)
    return hit, match.end(group)


# Where a bare word after `password:` is a value, not a variable: configuration and shell.
CONFIG_SUFFIXES = frozenset(
    {
        ".yaml", ".yml", ".ini", ".cfg", ".conf", ".toml", ".env", ".properties", ".sh",
        ".bash", ".zsh", ".envrc", ".txt", ".md", ".rst", ".tf", ".tfvars", ".hcl",
    }
)  # fmt: skip


def bare_values_in(relative: str) -> bool:
    """Whether the secrets check reads bare values as literals in this file (``bare_values`` of
    ``find_secrets``): a config or shell file, or a ``.env*``."""
    name = relative[relative.rfind("/") + 1 :]
    dot = name.rfind(".")
    suffix = name[dot:].lower() if dot > 0 else ""
    return suffix in CONFIG_SUFFIXES or name.startswith(".env")


# -- the search -----------------------------------------------------------------------------


def find_secrets(line: str, *, bare_values: bool = False) -> list[SecretHit]:
    """The credentials in one line of text, left to right, each once.

    ``bare_values``: the line is from a config file (YAML, INI, TOML, .env, a shell script),
    where ``password: hunter2`` is a literal; in code an unquoted value is a variable, so only
    quoted values count there."""
    hits: dict[int, SecretHit] = {}
    for shape in _SHAPES:
        positions = sorted(
            position for literal in shape.literals for position in _positions(line, literal)
        )
        if not positions:
            continue
        pattern = _compiled(shape.pattern)
        for start, end in _windows(positions, shape.before, shape.after, len(line)):
            for match in pattern.finditer(line, start, end):
                judged = shape.judge(match) if match.start() not in hits else None
                if judged is not None:
                    kind, masked, secret = judged
                    hits[match.start()] = SecretHit(
                        kind or shape.kind, match.start() + 1, masked, secret
                    )
    if any(literal in line for literal in KEY_LITERALS):
        shaped = sorted(hits)
        for hit, value_end in _assignments(line, bare_values):
            # A token under a key (api_key = "sk-...") is reported as the token it is.
            inside = bisect.bisect_left(shaped, hit.column - 1)
            if inside == len(shaped) or shaped[inside] >= value_end:
                hits[hit.column - 1] = hit
    return [hits[start] for start in sorted(hits)]


def _positions(line: str, literal: str) -> Iterator[int]:
    position = line.find(literal)
    while position >= 0:
        yield position
        position = line.find(literal, position + 1)


def _windows(positions: list[int], before: int, after: int, size: int) -> Iterator[tuple[int, int]]:
    """The stretches of the line that a match holding a literal at one of ``positions`` can
    span, overlapping ones merged, so that no character is searched twice: the search stays
    linear in the line's length whatever it holds (``.eyJ`` fifty thousand times). One more
    character at the end, for a pattern's look-ahead to see."""
    start, end = max(0, positions[0] - before), positions[0] + after + 1
    for position in positions[1:]:
        if position - before > end:
            yield start, min(size, end)
            start = position - before
        end = position + after + 1
    yield start, min(size, end)
