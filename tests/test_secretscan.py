"""The secret detector shared by `secrets` and `tracked-config`: shapes, keys, near misses from
real ML code, the literal pre-filter, and hostile input.

Credentials are built when the tests run, never written out in this file: a token-shaped
string in the source would be what the secret scanners of code hosts (and dsdone) report.
"""

from __future__ import annotations

import random
import re
import string
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsdone.analysis.secrets import (
    _SHAPES,
    KEY_LITERALS,
    LITERALS,
    find_secrets,
    holds_literal,
    secret_key_kind,
    secret_value,
)


def rand(length: int, alphabet: str = string.ascii_letters + string.digits, seed: int = 7) -> str:
    """A reproducible random string: what a generated credential looks like."""
    rng = random.Random(f"{seed}-{length}-{alphabet[:3]}")
    text = "".join(rng.choice(alphabet) for _ in range(length))
    # A generated token has letters and digits: make sure of both whatever the seed gives.
    return text if alphabet != string.ascii_letters + string.digits else "7" + text[1:-1] + "q"


def b64url(length: int) -> str:
    return rand(length, string.ascii_letters + string.digits + "-_")


AWS_ID = "AKIA" + rand(16, string.ascii_uppercase + string.digits)
AWS_SECRET = rand(40, string.ascii_letters + string.digits + "/+")
GITHUB = "ghp_" + rand(36)
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."  # {"alg":"HS256","typ":"JWT"}
    "eyJzdWIiOiJjaHVybi1zZXJ2aWNlIiwiZXhwIjoxOTAwMDAwMDAwfQ."  # {"sub":"churn-service",...}
    + b64url(43)
)


def kinds(line: str, bare_values: bool = False) -> list[tuple[str, int]]:
    return [(hit.kind, hit.column) for hit in find_secrets(line, bare_values=bare_values)]


@pytest.mark.parametrize(
    ("line", "kind", "column"),
    [
        ("-----BEGIN RSA PRIVATE KEY-----", "a private key", 1),
        ("-----BEGIN OPENSSH PRIVATE KEY-----", "a private key", 1),
        ("-----BEGIN PGP PRIVATE KEY BLOCK-----", "a private key", 1),
        ('KEY = """-----BEGIN EC PRIVATE KEY-----', "a private key", 10),
        ('"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC"',
         "a private key", 17),
        (f"aws_access_key_id = {AWS_ID}", "an AWS access key ID", 21),
        (f"export AWS_ACCESS_KEY_ID='{'ASIA' + AWS_ID[4:]}'", "an AWS access key ID", 27),
        (f'aws_secret_access_key = "{AWS_SECRET}"', "an AWS secret access key", 1),
        (f'token = "{GITHUB}"', "a GitHub token", 10),
        (f"git clone https://{'gho_' + rand(36)}@github.com/acme/churn", "a GitHub token", 19),
        (f"GH_TOKEN={'github_pat_' + rand(22) + '_' + rand(59)}", "a GitHub token", 10),
        (f"CI_TOKEN: {'glpat-' + rand(20)}", "a GitLab token", 11),
        (f"SLACK_BOT = 'xoxb-{rand(12, string.digits)}-{rand(24)}'", "a Slack token", 14),
        (f"login(token='hf_{rand(34, string.ascii_letters)}')", "a Hugging Face token", 14),
        (f'openai.api_key = "sk-{rand(20)}T3BlbkFJ{rand(20)}"', "an OpenAI API key", 19),
        (f"%env OPENAI_API_KEY=sk-proj-{b64url(120)}", "an OpenAI API key", 21),
        (f'client = Anthropic(api_key="sk-ant-api03-{b64url(93)}")', "an Anthropic API key",
         29),
        (f"DEEPSEEK_API_KEY=sk-{rand(32, '0123456789abcdef')}", "an API key (sk-…)", 18),
        (f"stripe.api_key = 'sk_live_{rand(24)}'", "a Stripe live key", 19),
        (f"STRIPE_KEY=rk_live_{rand(24)}", "a Stripe live key", 12),
        (f'"apiKey": "AIza{b64url(35)}",', "a Google API key", 12),
        (f'headers = {{"Authorization": "Bearer {JWT}"}}', "a JWT (a signed access token)", 37),
        ("engine = create_engine('postgresql+psycopg2://maria:Fr4ud-2024!@db.internal/pay')",
         "a password in a connection string", 25),
        ("DATABASE_URL=postgres://churn:q8Zt2mKw@10.0.4.12:5432/churn",
         "a password in a connection string", 14),
        ("uri = 'mongodb+srv://ana:Qm7-x2Lk9pz@cluster0.ab1cd.mongodb.net/events'",
         "a password in a connection string", 8),
        ("broker_url = 'amqp://celery:Rb7!kq2Lm@rabbit:5672//'",
         "a password in a connection string", 15),
        ("CACHE = 'redis://:9vQeLr4TzX@cache.internal:6379/0'",
         "a password in a connection string", 10),
        ("con = 'mysql+pymysql://etl:Kd83-pq1z@warehouse/sales'",
         "a password in a connection string", 8),
        ('conn = psycopg2.connect(host="db", user="etl", password="Zq81mN4x!")',
         "a password", 48),
        ('DB = {"user": "etl", "password": "Zq81mN4x!"}', "a password", 23),
        ('os.environ["DB_PASSWORD"] = "Zq81mN4x!"', "a password", 13),
        ('    password: str = "Zq81mN4x!"', "a password", 5),
        ('url = "jdbc:postgresql://db/sales?user=etl&password=Zq81mN4x&ssl=true"', "a password",
         44),
        ('cs = "Server=sql01;Database=sales;User Id=etl;Password=Zq81mN4x;"', "a password", 47),
        ("SECRET_KEY = 'django-insecure-k#3$9x!q2w@e4r5t6y7u8i9o0p'", "a secret", 1),
        (f"client_secret = '{rand(32)}'", "a secret", 1),
        ("quandl.ApiConfig.api_key = 'rFsSehe51RLzREtYhLfo'", "an API key", 1),
        (f'os.environ["WANDB_API_KEY"] = "{rand(40, "0123456789abcdef")}"', "an API key", 13),
    ],
)  # fmt: skip
def test_credentials_are_found_by_shape_or_key_with_their_column(
    line: str, kind: str, column: int
) -> None:
    assert kinds(line) == [(kind, column)]


@pytest.mark.parametrize(
    "line",
    [
        "password: Zq81mN4x!",
        "DB_PASSWORD=Zq81mN4x!",
        "export DB_PASSWORD=Zq81mN4x!",
        "password = Zq81mN4x!  # the staging database",
        f"AWS_SECRET_ACCESS_KEY: {AWS_SECRET}",
        "--password=Zq81mN4x!",
    ],
)
def test_a_bare_value_is_a_secret_in_a_config_file_and_a_variable_in_code(line: str) -> None:
    assert len(find_secrets(line, bare_values=True)) == 1
    assert find_secrets(line, bare_values=False) == []


@pytest.mark.parametrize(
    "line",
    [
        # hashes, ids and checksums: random, but no credential's shape
        '"hashed_secret": "d808db46d15adec18918b6b204cc63b9616e7e0d",',
        "- md5: 22a1a2931c8370d3aeedd7183606fd7f",
        "  md5: 3b7f9e0c8d2a1f4e5b6c7d8e9f0a1b2c.dir",
        'run_id = "7f3c1b6e0b2a4d8e9c1f2a3b4c5d6e7f"',
        'mlflow.start_run(run_id="0d9e4c6b7a8f4e2d9c1b3a5f7e9d1c3b")',
        'wandb.init(project="churn", id="2x9k4j1q", resume="allow")',
        'api_key = "a1279d26-63ac-41f1-8266-4ef3702ad7cb"',  # a UUID, in a test's conftest
        "rev: 3b1f5c2d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c",
        "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        '"integrity": "sha512-Hm2+Jm2jIbTq1LwS5s1+9lFSIPs4/Bx2QvL2MOYOhgtPf/Cz"',
        '"image/png": "iVBORw0KGgoAAAANSUhEUgAKIAAAAmCAYAAABAKIAAXXCpASIAQ"',
        "ACCACGTTAKIAGGCATTASIAACGT",  # a DNA sequence
        # references, resolved at run time
        "password: ${DB_PASSWORD}",
        'password: "{{ db_password }}"',
        'password = "%(password)s"',
        "password = os.environ['DB_PASSWORD']",
        'password = os.getenv("DB_PASSWORD")',
        "password = getpass()",
        'conn = f"postgresql://{user}:{password}@{host}/churn"',
        "url: postgresql://${PGUSER}:${PGPASSWORD}@db:5432/churn",
        'logger.info("password=%s", password)',
        "password=password,",
        "password=args.password,",
        'password: str = Field(..., env="DB_PASSWORD")',
        "def connect(host: str, password: str | None = None) -> Engine:",
        # placeholders and examples of documentation
        'api_key = "<your-key>"',
        "OPENAI_API_KEY=your_api_key_here",
        'password = "xxxx"',
        "password: changeme",
        'password = "***"',
        "password: ********",
        "password: SNOWFLAKE_PASSWORD",
        'api_key: "sk-your-api-key-here"',
        'zenml_api_key = "ZENKEY_1234567890..."',
        'aws_secret_access_key="YOUR_SECRET_KEY"',
        "client_secret: update-this-value",
        'AWS_SESSION_TOKEN: "Randomstr"',
        "api_key = 'some-random-string-0123456789'",
        "password: foobar42",
        'openai_api_key="N/A",',
        'os.environ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE"',
        'os.environ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
        "token = 'ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'",
        "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ikpv"
        "aG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c'",
        "DATABASE_URL=postgres://username:password@localhost:5432/dbname",
        "backend-store-uri postgresql://DB_USER:DB_PASSWORD@DB_ENDPOINT:5432/DB_NAME",
        "snowflake_uri: snowflake://USER:PAT@ACCOUNT_IDENTIFIER/DB?role=ROLE",
        "mongo: mongodb+srv://<username>:<password>@cluster0.mongodb.net/",
        # fixtures that say they are fake, and the defaults of local services
        'aws_secret_access_key="fake_secret_key",',
        'os.environ["AWS_SECRET_ACCESS_KEY"] = "FAKE_SECRET_KEY"',
        '"credentials": {"user": "dummy_user", "password": "dummy_pw"}',
        'password="test",',
        'PRIVATE_KEY_PASSPHRASE = "test"',
        'client_secret="client_secret",',
        'POSTGRES_READONLY_PASSWORD = "readonly_password"',
        'MSSQL_PASSWORD = "yourStrong(!)Password"',
        '"password": "s3cr3t",',
        'password="pass1",',
        "url: postgresql://postgres:postgres@localhost:5432/test",
        "path: postgresql://feast:feast@postgres:5432/feast",
        "BROKER = 'amqp://guest:guest@localhost:5672//'",
        "con: postgresql://scott:tiger@localhost/test",
        "path: postgresql://postgres:mysecretpassword@127.0.0.1:55001/feast",
        "MINIO_ROOT_PASSWORD: minioadmin",
        "c.NotebookApp.password = u'sha1:c6bbcba2d04b:f969e403db876dcfbe26f47affe41909bd53392e'",
        # names and settings about secrets, not secrets
        "secret_name: prod/db",
        "secretName: gpg-keys",
        "gcs_credentials_secret: gcs-credentials",
        "password_file: /run/secrets/db",
        "secrets: inherit",
        'SECRET_NAME_ELASTICSEARCH = "elasticsearch-zenml"',
        '"credentials": {"secret": "expected"},',
        "  certificatesSecret: postgresql-server-certs",
        "if password == 'Zq81mN4x!':",
        'assert auth.client_secret == "x9Kq2LmP0zR"',
        'PEM_HEADER = "-----BEGIN RSA PRIVATE KEY-----"',
        'if line.startswith("-----BEGIN PRIVATE KEY-----"):',
        'key = "-----BEGIN PRIVATE KEY-----\\n<paste your key here>\\n-----END PRIVATE KEY-----"',
        # NLP: tokens that are words, and Hugging Face names that are not tokens
        'tokenizer.pad_token = "[PAD]"',
        'eos_token = "</s>"',
        "max_tokens = 512",
        'model = AutoModel.from_pretrained("hf_internal_testing_tiny_random_bert")',
        "hf_hub_download(repo_id='acme/churn', filename='model.safetensors')",
        'HF_TOKEN = os.environ["HF_TOKEN"]',
        # sk- inside words and names
        "mask-rcnn, task-specific heads, disk-backed cache",
        'run_name = "sk-learn-baseline-0123456789-abcdef"',
        "risk-0123456789abcdef0123456789abcdef",
        # connection strings without a password
        "redis://localhost:6379/0",
        "postgresql://churn@db.internal:5432/churn",
        "mongodb://db.internal:27017",
        "postgresql+psycopg2:///churn?host=/var/run/postgresql",
    ],
)
def test_near_misses_from_real_ml_code_are_not_secrets(line: str) -> None:
    assert kinds(line, bare_values=True) == []
    assert kinds(line, bare_values=False) == []


def test_a_token_under_a_key_is_reported_once_as_the_token_it_is() -> None:
    line = f'OPENAI_API_KEY = "sk-proj-{b64url(120)}"  # and GITHUB_TOKEN = "{GITHUB}"'

    assert kinds(line) == [
        ("an OpenAI API key", line.index("sk-proj-") + 1),
        ("a GitHub token", line.index("ghp_") + 1),
    ]


def test_masked_forms_never_hold_the_secret() -> None:
    lines = [
        f'token = "{GITHUB}"',
        f"AWS_ACCESS_KEY_ID={AWS_ID}",
        "DATABASE_URL=postgres://churn:q8Zt2mKw@10.0.4.12:5432/churn",
        'password = "Zq81mN4x!"',
        f"auth = 'Bearer {JWT}'",
    ]
    hits = [hit for line in lines for hit in find_secrets(line)]

    assert [hit.masked for hit in hits] == [
        "ghp_…(40 chars)",
        "AKIA…(20 chars)",
        "postgres://churn:…(8 chars)@10.0.4.12",
        "password=…(9 chars)",
        f"eyJ…({len(JWT)} chars)",
    ]
    for hit in hits:
        assert hit.value not in hit.masked
        assert hit.value not in repr(hit)


def test_several_secrets_on_a_line_are_each_found_in_order() -> None:
    line = f"{AWS_ID} {GITHUB} postgres://a:q8Zt2mKw@db/x"

    assert [column for _, column in kinds(line)] == [1, 22, 63]


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("password", "password"),
        ("db_password", "password"),
        ("DB_PASSWD", "password"),
        ("sshPassphrase", "password"),
        ("AWS_SECRET_ACCESS_KEY", "aws"),
        ("aws_secret_key", "aws"),
        ("SecretAccessKey", "aws"),
        ("client_secret", "secret"),
        ("SECRET_KEY", "secret"),
        ("private_key", "secret"),
        ("hfToken", "token"),
        ("x-api-key", "key"),
        ("openai.api_key", "key"),
        ("apikey", "key"),
        ("hashed_secret", None),
        ("password_hash", None),
        ("password_file", None),
        ("secret_name", None),
        ("tokenizer", None),
        ("max_tokens", None),
        ("api_key_id", None),
        ("public_key", None),
    ],
)
def test_the_last_words_of_a_key_say_which_secret_it_names(key: str, kind: str | None) -> None:
    assert secret_key_kind(key) == kind


@pytest.mark.parametrize(
    ("kind", "value", "strict", "secret"),
    [
        ("password", "12345678", False, True),
        ("token", "512", False, False),
        ("token", "hunter2xyz", False, True),  # a declared config file: any literal
        ("token", "hunter2xyz", True, False),  # any file: a token must look like one
        ("token", rand(24), True, True),
        ("password", "abc", True, False),
        ("password", "feast", True, False),  # a name, not a password
        ("secret", "short1!", True, False),
        ("aws", "hunter2xyz", False, True),
        ("aws", "hunter2xyz", True, False),  # an AWS secret is 40 characters
        ("password", "", False, False),
        ("password", "DB_PASSWORD", False, False),
    ],
)
def test_secret_values_are_judged_by_what_their_key_names(
    kind: str, value: str, strict: bool, secret: bool
) -> None:
    assert secret_value(kind, value, strict=strict) is secret


# -- the literal pre-filter is complete ------------------------------------------------------


@pytest.mark.parametrize("shape", _SHAPES, ids=[shape.kind for shape in _SHAPES])
@settings(max_examples=200)
@given(data=st.data())
def test_every_match_of_a_shape_holds_one_of_its_literals(
    shape: object, data: st.DataObject
) -> None:
    # A line git grep did not return (no literal in it) is never looked at: so no pattern may
    # match text without one. Hypothesis writes strings that each pattern matches.
    from dsdone.analysis.secrets import _Shape

    assert isinstance(shape, _Shape)
    pattern = re.compile(shape.pattern)
    text = data.draw(st.from_regex(pattern))
    match = pattern.search(text)
    assert match is not None
    assert any(literal in match.group(0) for literal in shape.literals), match.group(0)
    assert {literal.encode() for literal in shape.literals} <= LITERALS


KEY_SPELLINGS = st.sampled_from(
    [
        "password", "Password", "PASSWORD", "PassWord", "db_passwd", "DB_PASSWD", "passphrase",
        "secret", "Secret", "SECRET", "client_secret", "clientSecret", "secret_key",
        "SECRET_KEY", "secretKey", "SecretAccessKey", "aws_secret_access_key", "api_key",
        "API_KEY", "apiKey", "ApiKey", "api-key", "x-api-key", "apikey", "APIKEY", "token",
        "hf_token", "HF_TOKEN", "private_key", "access_key",
    ]
)  # fmt: skip
OPERATORS = st.sampled_from([" = ", "=", ": ", ":", " := ", " => ", '": ', '"] = '])
VALUES = st.one_of(
    st.text(string.ascii_letters + string.digits + "!#%+/=-_@.", min_size=1, max_size=48),
    st.sampled_from([rand(24), rand(40, "0123456789abcdef"), AWS_SECRET, "Zq81mN4x!"]),
)


@settings(max_examples=400)
@given(key=KEY_SPELLINGS, operator=OPERATORS, quote=st.sampled_from(['"', "'", ""]), value=VALUES)
def test_every_key_that_is_reported_holds_a_key_literal(
    key: str, operator: str, quote: str, value: str
) -> None:
    line = f"{key}{operator}{quote}{value}{quote}"
    for hit in find_secrets(line, bare_values=True):
        assert holds_literal(line)
        if "…" in hit.masked and hit.kind in ("a password", "a secret", "an API key"):
            assert any(literal in hit.masked for literal in KEY_LITERALS), hit


@settings(max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(
                ["password", "sk-", "hf_", "AKIA", "postgres://", ":", "@", "=", '"', "'",
                 ".eyJ", "eyJ", "PRIVATE KEY", "-----BEGIN ", "-----", "\\n", GITHUB, JWT,
                 AWS_ID, rand(36), "_secret", "API_KEY"]
            ),
        ),
        max_size=12,
    ).map("".join)
)  # fmt: skip
def test_no_secret_is_found_in_a_line_without_a_literal(line: str) -> None:
    if find_secrets(line, bare_values=True):
        assert holds_literal(line)


# -- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "password" * 20_000,
        "password=" * 20_000,
        "a" * 200_000 + "AKIA",
        "eyJ" + "a" * 100_000 + ".eyJ" + "b" * 100_000,
        ".eyJ" * 50_000,
        "sk-" * 60_000,
        "postgres://" + "a" * 50_000 + ":" + "b" * 50_000,
        "postgres://a:" * 20_000,
        "ghp_" * 50_000,
        "-----BEGIN " + "A " * 50_000 + "PRIVATE KEY-----",
        "x-api-key: " + "=" * 100_000,
    ],
    ids=lambda line: line[:16],
)
def test_hostile_lines_are_searched_in_linear_time(line: str) -> None:
    # Each would take minutes with a backtracking pattern; here every search is bounded by
    # a window around each literal.
    find_secrets(line, bare_values=True)


def test_the_command_line_gets_the_literals_without_compiling_the_detector() -> None:
    # git grep starts before anything else is imported: its literals must cost nothing.
    probe = "import sys, dsdone.git.prefetch; print('dsdone.analysis.secrets' in sys.modules)"
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )

    assert completed.stdout.strip() == "False"
