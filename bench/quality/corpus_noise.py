"""Everyday notes that answer none of the questions but share their
vocabulary (databases, tests, deploys, ports, caches, logs, releases): code
reviews, to-dos, observations, ideas, things learned, admin."""

import itertools

CHANGES = [
    "renames the config loader and its environment variables",
    "adds retries with jitter to the outgoing webhook client",
    "bumps the database driver to the latest patch release",
    "removes three feature flags that have been on for months",
    "speeds up the test fixtures by sharing one database per worker",
    "adds a cache in front of the currency rates lookup",
    "documents the deploy checklist in the README",
    "fixes a typo in the port validation error message",
    "moves the logging setup into its own module",
    "adds a healthcheck that also pings the message queue",
    "replaces hand-rolled JSON parsing with the standard decoder",
    "splits the giant handlers file into one file per resource",
    "adds metrics for cache hit rate and eviction count",
    "tightens the CI lint step so warnings fail the build",
    "drops support for the deprecated v1 endpoints",
    "adds a dry-run flag to the migration script",
    "makes the staging seed data deterministic",
    "upgrades the base container image to fix two CVEs",
    "adds request ids to every log line",
    "reduces the default page size of the list endpoints",
    "adds a timeout to the secrets fetch at startup",
    "cleans up unused error types",
    "adds an integration test for the rate limiter",
    "changes the release script to tag from main only",
    "replaces sleep-based waits in tests with polling",
    "adds a runbook link to every alert",
    "pins the formatter version in CI",
    "moves branch protection rules into code",
    "adds an index hint that turned out to be unnecessary (asked to drop it)",
    "caches the compiled templates between requests",
]

TODOS = [
    "write a proper README section on local setup",
    "delete the stale staging database snapshots",
    "ask the on-call group whether the disk alert is still useful",
    "check why the CI cache misses on every other run",
    "rotate the test account passwords",
    "look at the slow query log from last week",
    "add a changelog entry for the next release",
    "find out who owns the old cron job on the build box",
    "clean up the dead branches older than three months",
    "measure cold start time after the dependency bump",
    "move the TLS settings out of the code and into config",
    "add alerting on the error rate, not only on latency",
    "archive the design doc drafts nobody reads",
    "try the new profiler on the hot path",
    "reply to the question about log retention",
    "review the access list for the production database",
    "write down how the release notes get generated",
    "add a test for the empty-input case in the importer",
    "see whether the cache TTLs are documented anywhere",
    "update the architecture diagram after the last refactor",
    "file an issue about the flaky network in the CI runners",
    "benchmark the serializer against the old one",
]

COMPONENTS = ["importer", "scheduler", "admin panel", "auth middleware", "build script",
              "docker image", "error pages", "metrics exporter", "search box", "settings page",
              "test suite", "CLI", "background workers", "config loader", "release pipeline"]

OBSERVATIONS = [
    "logs a warning on every start that nobody understands",
    "got noticeably slower after the last release",
    "has no owner listed anywhere",
    "still reads one setting from an environment variable we removed",
    "uses a different date format from everything else",
    "has more TODO comments than tests",
    "retries forever when the database is unreachable",
    "prints secrets in debug mode (flagged it)",
    "ignores the configured port in one code path",
    "is the part new people always ask about",
    "could use a cache but nobody measured it",
    "breaks when the locale is not English",
]

IDEAS = [
    "a weekly digest of the slowest endpoints",
    "generating the API client from the schema instead of by hand",
    "a make target that sets up everything for a new laptop",
    "canary deploys for the riskiest changes",
    "a status page fed by the same health checks the load balancer uses",
    "running the test suite against the production database engine version",
    "tracking build times per commit to catch regressions",
    "a small dashboard for queue depth",
    "auto-labelling pull requests by directory",
    "property-based tests for the parser",
    "moving long-running jobs off the web workers",
    "a shared glossary for the domain terms",
]

COLLEAGUES = ["Priya", "Tomás", "Marek", "Aiko", "Lena", "Sam", "Hugo", "Ines", "Noor", "Felix"]

ACTIVITIES = [
    "the error handling",
    "a tricky merge conflict",
    "the slow integration tests",
    "the deploy script",
    "release planning",
    "a confusing log message",
    "the cache invalidation logic",
    "the on-call handover notes",
]

STATUS = [
    "mostly reviews today, nothing blocked",
    "waiting on design feedback before touching the UI",
    "CI was red all morning because of an expired token",
    "pairing session went well, two bugs closed",
    "spent the afternoon on flaky infrastructure instead of features",
    "release candidate looks good so far",
]


def project_noise(project, rng):
    """About a hundred notes for one project, in a random order."""
    p = project["title"]
    notes = []
    for change in CHANGES:
        notes.append(("Reviewed PR #%d in %s: %s." % (rng.randint(100, 4999), p, change), ["review"]))
    for todo in rng.sample(TODOS, 16):
        notes.append(("TODO (%s): %s." % (p, todo), ["todo"]))
    pairs = list(itertools.product(COMPONENTS, OBSERVATIONS))
    for component, observation in rng.sample(pairs, 18):
        notes.append(("Noticed that the %s %s %s." % (p, component, observation), ["observation"]))
    for idea in rng.sample(IDEAS, 8):
        notes.append(("Idea for %s: %s." % (p, idea), ["idea"]))
    for colleague, activity in rng.sample(list(itertools.product(COLLEAGUES, ACTIVITIES)), 8):
        notes.append(("Paired with %s on %s in %s." % (colleague, activity, p), ["pairing"]))
    for status in rng.sample(STATUS, 4):
        notes.append(("%s standup: %s." % (p, status), ["standup"]))
    rng.shuffle(notes)
    return notes


TILS = [
    "PostgreSQL can build an index without locking writes using CREATE INDEX CONCURRENTLY",
    "git worktree lets you check out two branches side by side",
    "curl --resolve pins a hostname to an IP without touching /etc/hosts",
    "SQLite has a strict table mode that enforces column types",
    "Python's functools.cache is an unbounded lru_cache",
    "Go's testing package can run subtests in parallel with t.Parallel",
    "ripgrep respects .gitignore by default",
    "jq's --slurp reads a stream of JSON values into one array",
    "Kubernetes pod disruption budgets only protect against voluntary evictions",
    "Redis EXPIRE on a key resets when the key is overwritten with SET",
    "HTTP 429 responses should carry a Retry-After header",
    "the TZ database has a zone for every place whose clocks differed since 1970",
    "Rust's cargo tree -d shows duplicated dependencies",
    "Kafka consumer groups rebalance whenever a member joins or leaves",
    "Terraform moved blocks rename resources without destroying them",
    "systemd timers can replace most cron jobs and log to the journal",
    "ssh -J jumps through a bastion host in one command",
    "Docker build cache is invalidated by any change to a copied file",
    "Android requires a foreground service for long-running location work",
    "ClickHouse materialized views only see inserted blocks, not existing data",
    "pytest -x stops at the first failure",
    "TypeScript's satisfies operator checks a type without widening it",
    "MySQL's utf8 is not real UTF-8; utf8mb4 is",
    "the Linux OOM killer logs its victim in dmesg",
    "Prometheus rate() needs at least two samples in the window",
    "OpenSSL s_client shows the whole certificate chain of a server",
    "make -n prints the commands without running them",
    "a 302 redirect may change POST to GET in browsers; 307 does not",
    "Postgres VACUUM does not shrink the file; VACUUM FULL does, with a lock",
    "Bash's set -o pipefail makes a pipeline fail when any part fails",
]

READINGS = [
    ("an article on consistent hashing", "virtual nodes smooth out uneven load"),
    ("a post about database connection pools", "pool size should match cores, not users"),
    ("the SRE chapter on error budgets", "spend the budget on releases, not on heroics"),
    ("a talk on feature flags", "every flag needs an expiry date"),
    ("a paper on log-structured merge trees", "write amplification is the price of fast inserts"),
    ("a thread about monorepos", "tooling decides whether they work, not size"),
    ("notes on structured logging", "log events, not sentences"),
    ("a blog post on cache stampedes", "refresh early with a little randomness"),
    ("a guide to writing runbooks", "start with how to tell the problem is real"),
    ("an essay on code review", "review the design before the details"),
    ("an article on test pyramids", "fast tests first, few end-to-end ones"),
    ("a post on API versioning", "additive changes rarely need a new version"),
]

ADMIN = [
    "Expense report for the Berlin conference is due on the 15th",
    "Renewed the team's shared password manager licence",
    "Booked the meeting room for the quarterly planning",
    "Laptop battery health is at 82 percent; replacement requested",
    "Signed up for the internal Rust study group",
    "Submitted the talk proposal about incident reviews",
    "Performance review self-assessment is due next month",
    "Ordered a second monitor for the home office",
    "The office Wi-Fi password changes on the first of every month",
    "Travel to the Porto offsite is booked for the 12th to the 14th",
    "Asked IT for access to the shared analytics drive",
    "Mentoring chat with Noor every other Thursday",
    "Company all-hands moved to the afternoon",
    "Cancelled the unused monitoring trial",
    "Printed the onboarding checklist for the new hires",
]


def global_noise(rng):
    """Notes without a project, in a random order."""
    notes = [("TIL: %s." % til, ["til"]) for til in TILS]
    notes += [("Read %s; takeaway: %s." % reading, ["reading"]) for reading in READINGS]
    notes += [("%s." % admin, ["admin"]) for admin in ADMIN]
    rng.shuffle(notes)
    return notes
