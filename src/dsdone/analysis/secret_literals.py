"""The literals every secret holds: what the one shared ``git grep`` looks for on behalf of
the ``secrets`` check (see ``dsdone.analysis.secrets``, which proves them complete).

A module of its own, with nothing to compile: the command line imports it to start git grep
before anything else, and must not wait for the detector's regular expressions.
"""

from __future__ import annotations

# The complete literal pre-filter: a line without any of these holds no secret that
# ``find_secrets`` reports. Few and rare on purpose: git grep's time grows with each literal
# (about 4 ms of CPU each on a 20,000-file repository) and with each line it finds (a literal
# on every line of a lock file costs it a second), so one literal stands for a family where
# one can, and none is a word of prose. Each has a character that base64 does not (- _ . or a
# space) or four letters at least: a notebook's images are base64, and a hit in one costs a
# line of tens of kilobytes.
TOKEN_LITERALS: tuple[str, ...] = (
    "PRIVATE KEY",  # -----BEGIN (RSA |EC |OPENSSH |ENCRYPTED |PGP )PRIVATE KEY( BLOCK)-----
    "AKIA",  # AWS access key id
    "ASIA",  # AWS temporary access key id
    "ghp_",  # GitHub personal access token
    "gho_",  # GitHub OAuth token
    "ghs_",  # GitHub app installation token
    "github_pat_",  # GitHub fine-grained token
    "glpat-",  # GitLab personal access token
    "xoxb-",  # Slack bot token
    "xoxp-",  # Slack user token
    "hf_",  # Hugging Face
    "sk-",  # OpenAI (sk-, sk-proj-, sk-svcacct-), Anthropic (sk-ant-) and others
    "k_live_",  # Stripe: sk_live_, rk_live_
    "AIza",  # Google API key
    ".eyJ",  # a JWT: base64url of '{"' begins its payload, after the header and a dot
)
# The schemes of connection strings (scheme://user:password@host), not "://": every URL has
# that, and lock files hold thousands of them (git grep's time grows with the lines found).
SCHEME_LITERALS: tuple[str, ...] = (
    "postgres",  # postgres://, postgresql://, postgresql+psycopg2://
    "mysql",  # mysql://, mysql+pymysql://
    "mongodb",  # mongodb://, mongodb+srv://
    "redis",  # redis://, rediss://
    "amqp",  # amqp://, amqps:// (RabbitMQ, Celery's broker)
)
# Keys that name a credential, in the spellings people write them: password, Password,
# PASSWORD, passwd, db_password, secret, client_secret, SecretKey, SECRET_KEY, api_key, API_KEY.
KEY_LITERALS: tuple[str, ...] = ("assw", "ASSW", "ecret", "ECRET", "pi_key", "PI_KEY")
LITERALS: frozenset[bytes] = frozenset(
    literal.encode() for literal in TOKEN_LITERALS + SCHEME_LITERALS + KEY_LITERALS
)
