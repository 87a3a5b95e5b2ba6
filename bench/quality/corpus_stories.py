"""Stories: what happened in one working session, told as a sequence of
memories. The first memory names the subject; the later ones (the answers)
mostly do not, as in real notes, so finding them takes the session's context.
Each story happens twice, in two projects, with different details: the other
instance is a distractor with the same vocabulary."""

STORIES = [
    {"type": "event", "tags": ["debugging"], "steps": [
        "Started digging into why {test} fails about one run in ten on CI for {P}.",
        "It never fails when run on its own, only when the whole suite runs in parallel.",
        "Found it: {cause}.",
        "Fixed by {fix}; fifty CI runs in a row were green afterwards."],
     "questions": [
        ("What turned out to be behind the intermittent {test} failures?", [2]),
        ("How did we get {test} to stop flaking?", [3])],
     "instances": [
        {"project": "harbor", "day": 34, "test": "TestRefundPartialCapture",
         "cause": "two tests write fixtures into the same temporary directory and overwrite each other",
         "fix": "giving every test its own scratch directory"},
        {"project": "lumen", "day": 77, "test": "cohort-chart.spec.ts",
         "cause": "the test reads the wall clock and breaks whenever the run crosses midnight UTC",
         "fix": "injecting a fake clock frozen at noon"}]},

    {"type": "event", "tags": ["performance"], "steps": [
        "The {page} page in {P} takes around {before} to load for big accounts.",
        "EXPLAIN shows a sequential scan over the {table} table on every request.",
        "Added a composite index on ({cols}); the page now loads in {after}."],
     "questions": [
        ("Why was the {page} page so slow?", [1]),
        ("What made the {page} page fast again, and how fast is it now?", [2])],
     "instances": [
        {"project": "harbor", "day": 51, "page": "merchant payouts", "before": "9 seconds",
         "table": "ledger_entries", "cols": "merchant_id, settled_at", "after": "280 ms"},
        {"project": "saffron", "day": 120, "page": "recent changes", "before": "6 seconds",
         "table": "page_revisions", "cols": "space_id, updated_at", "after": "150 ms"}]},

    {"type": "event", "tags": ["incident"], "steps": [
        "Incident: {P} returned 502 errors for {duration} on {date}.",
        "Cause: {cause}.",
        "Mitigated by {fix}. {person} is writing the postmortem."],
     "questions": [
        ("Why did {P} go down on {date}?", [1]),
        ("Who owns the write-up for the {date} {P} outage?", [2])],
     "instances": [
        {"project": "harbor", "day": 88, "duration": "40 minutes", "date": "March 3",
         "cause": "the load balancer health check hit /healthz, which started requiring authentication after the middleware refactor",
         "fix": "exempting the health endpoint from auth", "person": "Priya"},
        {"project": "meridian", "day": 141, "duration": "two hours", "date": "April 22",
         "cause": "a node pool upgrade evicted every Redis replica at once because the pod disruption budget was missing",
         "fix": "restoring the replicas from the snapshot and adding a disruption budget", "person": "Ines"}]},

    {"type": "decision", "tags": ["decision"], "steps": [
        "Comparing libraries for {need} in {P}: {a}, {b} and {c}.",
        "{a} {a_problem}; {b} {b_problem}.",
        "Going with {c}: {why}."],
     "questions": [
        ("Which library did we pick for {need} in {P}?", [2]),
        ("What was wrong with {a} for {need}?", [1])],
     "instances": [
        {"project": "saffron", "day": 44, "need": "PDF export", "a": "Prawn",
         "a_problem": "cannot lay out right-to-left text", "b": "Grover",
         "b_problem": "needs a headless Chrome on every dyno", "c": "WickedPDF",
         "why": "it reuses our HTML views and renders fast enough"},
        {"project": "kestrel", "day": 97, "need": "image caching", "a": "Picasso",
         "a_problem": "is barely maintained", "b": "Glide", "b_problem": "doubles the APK size with its annotation processor",
         "c": "Coil", "why": "it is Kotlin-first and integrates with Compose"}]},

    {"type": "event", "tags": ["feature"], "steps": [
        "The user asked for a CSV export of the {report} report in {P}.",
        "Built it as a streaming endpoint, so large exports do not hold everything in memory.",
        "It ships in version {version}, behind the flag {flag}."],
     "questions": [
        ("In which release can customers download the {report} data as a spreadsheet?", [2]),
        ("How is the {report} export implemented so that big files don't blow up memory?", [1])],
     "instances": [
        {"project": "lumen", "day": 63, "report": "monthly retention", "version": "4.8.0", "flag": "retention_csv"},
        {"project": "harbor", "day": 128, "report": "disputed charges", "version": "2.31", "flag": "disputes_export"}]},

    {"type": "event", "tags": ["dependencies"], "steps": [
        "Upgrading {lib} from {v1} to {v2} in {P}.",
        "Breaking change: {breaking}.",
        "Pinned to {pin} because {reason}."],
     "questions": [
        ("Which exact version of {lib} are we pinned to in {P}, and why?", [2]),
        ("What broke when we moved {P} to {lib} {v2}?", [1])],
     "instances": [
        {"project": "tidewater", "day": 70, "lib": "pandas", "v1": "1.5", "v2": "2.1",
         "breaking": "the default string dtype changed and two transforms silently produced object columns",
         "pin": "2.1.4", "reason": "2.1.0 leaked memory when reading large Parquet files"},
        {"project": "quarry", "day": 112, "lib": "tokio", "v1": "1.28", "v2": "1.35",
         "breaking": "a blocking call inside an async task now panics in debug builds",
         "pin": "1.35.1", "reason": "1.35.0 had a regression in the timer wheel"}]},

    {"type": "event", "tags": ["meeting"], "steps": [
        "Sync with {person} about the {feature} roadmap for {P}.",
        "Agreed to cut scope: {cut} will not be in the first release.",
        "Next checkpoint is {date}; {person} will bring {artifact}."],
     "questions": [
        ("What did {person} and I agree to leave out of {feature}?", [1]),
        ("When do we next review progress on {feature}?", [2])],
     "instances": [
        {"project": "kestrel", "day": 39, "person": "Lena", "feature": "offline job sync",
         "cut": "conflict resolution for edited photos", "date": "May 14", "artifact": "the field test results"},
        {"project": "meridian", "day": 101, "person": "Ines", "feature": "streaming features",
         "cut": "exactly-once delivery", "date": "June 2", "artifact": "a latency budget"}]},

    {"type": "event", "tags": ["security"], "steps": [
        "Security review of {P} flagged {finding}.",
        "Severity was rated {severity}; {person} wants it fixed before {deadline}.",
        "Patched by {fix}; a regression test covers it now."],
     "questions": [
        ("What did the {P} security audit find?", [0]),
        ("How was the problem from the {P} security review fixed?", [2]),
        ("By when did the {P} security finding have to be resolved?", [1])],
     "instances": [
        {"project": "saffron", "day": 82, "finding": "stored cross-site scripting in page titles",
         "severity": "high", "person": "Sam", "deadline": "the end of the sprint",
         "fix": "escaping titles in the breadcrumb partial"},
        {"project": "harbor", "day": 150, "finding": "webhook signatures compared with a non-constant-time check",
         "severity": "medium", "person": "Priya", "deadline": "the PCI audit in June",
         "fix": "switching to hmac.Equal"}]},

    {"type": "event", "tags": ["onboarding"], "steps": [
        "{newcomer} joined the {P} team this week.",
        "Set them up with access to {access}.",
        "Their first task is {task}; {buddy} is their onboarding buddy."],
     "questions": [
        ("What is the new {P} engineer working on first?", [2]),
        ("Who is helping {newcomer} settle in?", [2])],
     "instances": [
        {"project": "quarry", "day": 57, "newcomer": "Noor", "access": "the Buildkite pipelines and the Hetzner console",
         "task": "adding stemming for Turkish", "buddy": "Aiko"},
        {"project": "tidewater", "day": 133, "newcomer": "Felix", "access": "Airflow, Snowflake and the Vault data namespace",
         "task": "porting the currency loader to the new framework", "buddy": "Marek"}]},

    {"type": "event", "tags": ["debugging"], "steps": [
        "{P} memory usage grows steadily until the process is OOM-killed every {interval}.",
        "Heap profile points at {culprit}.",
        "{fix} fixed it; memory has stayed flat for a week."],
     "questions": [
        ("What was leaking memory in {P}?", [1]),
        ("How did we stop {P} from getting OOM-killed?", [2])],
     "instances": [
        {"project": "quarry", "day": 86, "interval": "two days", "culprit": "the per-shard query cache, which never evicted entries",
         "fix": "Bounding the cache with an LRU of 50k entries"},
        {"project": "meridian", "day": 66, "interval": "six hours", "culprit": "gRPC channels created per request in the Go sidecar",
         "fix": "Reusing a single channel pool"}]},

    {"type": "decision", "tags": ["api"], "steps": [
        "Design discussion on {P}'s {api} API.",
        "Options were {opt_a} or {opt_b}.",
        "Chose {opt_b} because {why}; {opt_a} was rejected since {against}."],
     "questions": [
        ("Which approach did we take for the {api} API in {P}?", [2]),
        ("Why did we turn down {opt_a}?", [2])],
     "instances": [
        {"project": "harbor", "day": 23, "api": "pagination", "opt_a": "offset and limit parameters",
         "opt_b": "opaque cursors", "why": "results stay stable while new payments arrive",
         "against": "deep offsets get slow and skip rows under concurrent inserts"},
        {"project": "lumen", "day": 108, "api": "filtering", "opt_a": "a custom query language in the URL",
         "opt_b": "a JSON body with typed filter objects", "why": "the client can validate it with the shared schema",
         "against": "escaping rules confused every integrator"}]},

    {"type": "event", "tags": ["customer"], "steps": [
        "{customer} reported that {symptom} in {P}.",
        "Reproduced it: {repro}.",
        "Fix deployed on {date}; told {customer} through their account manager."],
     "questions": [
        ("What was {customer}'s complaint about?", [0]),
        ("Under what conditions did {customer}'s problem happen?", [1]),
        ("When did {customer} get their fix?", [2])],
     "instances": [
        {"project": "lumen", "day": 91, "customer": "Northwind Logistics",
         "symptom": "charts show yesterday's numbers until noon", "repro": "only accounts in UTC+10 and beyond are affected, because the daily rollup uses UTC midnight",
         "date": "March 29"},
        {"project": "kestrel", "day": 146, "customer": "Acme Facilities",
         "symptom": "photos attached to jobs disappear after sync", "repro": "it happens when a technician attaches more than twenty photos while offline",
         "date": "May 8"}]},

    {"type": "decision", "tags": ["architecture"], "steps": [
        "Planning to split {component} out of {P}.",
        "The main driver: {driver}.",
        "Plan: {plan}. Target date: {date}."],
     "questions": [
        ("Why do we want to extract {component} from {P}?", [1]),
        ("What's the migration plan for {component}, and when should it be done?", [2])],
     "instances": [
        {"project": "harbor", "day": 104, "component": "the fraud scoring", "driver": "its model deploys block payment releases",
         "plan": "run it as a separate service behind a feature flag, shadow traffic for two weeks", "date": "end of Q3"},
        {"project": "saffron", "day": 160, "component": "full-text search", "driver": "reindexing locks the pages table for minutes",
         "plan": "move search to Quarry and keep MySQL only for page storage", "date": "August"}]},

    {"type": "event", "tags": ["ops"], "steps": [
        "The {P} {certificate} expires on {date}.",
        "Renewal is manual because {why}.",
        "Renewed it today and added a reminder {lead_time} before the next expiry."],
     "questions": [
        ("Why can't the {P} {certificate} renew itself?", [1]),
        ("When does the {P} {certificate} run out?", [0])],
     "instances": [
        {"project": "kestrel", "day": 30, "certificate": "push notification certificate", "date": "February 18",
         "why": "the vendor portal requires a hardware key to sign the request", "lead_time": "a month"},
        {"project": "bramble", "day": 118, "certificate": "VPN root certificate", "date": "May 1",
         "why": "it is issued by the bank's partner CA and needs a signed form", "lead_time": "six weeks"}]},

    {"type": "event", "tags": ["cost"], "steps": [
        "The cloud bill for {P} jumped {increase} last month.",
        "Most of it came from {source}.",
        "{action} should bring it back to about {target} a month."],
     "questions": [
        ("What caused the spike in {P}'s cloud costs?", [1]),
        ("What are we doing about the {P} bill increase?", [2])],
     "instances": [
        {"project": "tidewater", "day": 95, "increase": "40 percent", "source": "a backfill that rescanned three years of raw events",
         "action": "Partitioning the raw table by day", "target": "$9,000"},
        {"project": "bramble", "day": 47, "increase": "25 percent", "source": "NAT gateway data processing for traffic to S3",
         "action": "Adding an S3 gateway endpoint", "target": "$14,000"}]},

    {"type": "event", "tags": ["release"], "steps": [
        "Release {version} of {P} is blocked.",
        "Blocker: {blocker}.",
        "Unblocked: {resolution}. {version} went out on {date}."],
     "questions": [
        ("What held up {P} {version}?", [1]),
        ("When was {P} {version} finally released?", [2])],
     "instances": [
        {"project": "kestrel", "day": 125, "version": "3.4", "blocker": "Play review rejected it over the background location permission",
         "resolution": "added the in-app disclosure screen they asked for", "date": "April 30"},
        {"project": "quarry", "day": 166, "version": "0.19", "blocker": "the index format change broke rolling upgrades",
         "resolution": "added a compatibility reader for the old segments", "date": "June 11"}]},

    {"type": "event", "tags": ["experiment"], "steps": [
        "Ran an experiment in {P}: {experiment}.",
        "Result: {result}.",
        "Decision: {decision}."],
     "questions": [
        ("What came out of the {topic} experiment in {P}?", [1]),
        ("Are we keeping the {topic} change?", [2])],
     "instances": [
        {"project": "lumen", "day": 138, "topic": "chart prefetching",
         "experiment": "prefetch the next dashboard's chart data on hover",
         "result": "time to first chart dropped from 1.9 s to 0.7 s, with 12 percent more API calls",
         "decision": "keep it, but only for users on desktop"},
        {"project": "meridian", "day": 84, "topic": "feature compression",
         "experiment": "store online feature vectors as float16 instead of float32",
         "result": "memory halved and model AUC moved by less than 0.001",
         "decision": "roll it out to every feature group"}]},

    {"type": "event", "tags": ["data"], "steps": [
        "Data quality alert in {P}: {symptom}.",
        "The cause: {cause}.",
        "Backfilled the affected range ({range}) and added a check that {check}."],
     "questions": [
        ("Where did the bad data in {P} come from?", [1]),
        ("Which dates had to be reloaded after the {P} data problem?", [2])],
     "instances": [
        {"project": "tidewater", "day": 41, "symptom": "revenue in the finance mart doubled for two days",
         "cause": "the currency loader ran twice after a scheduler restart and the merge was not idempotent",
         "range": "January 12 to 13", "check": "fails the load when a day's row count jumps more than 50 percent"},
        {"project": "meridian", "day": 157, "symptom": "the user_age feature was null for a quarter of rows",
         "cause": "an upstream schema change renamed birth_date to date_of_birth",
         "range": "May 20 to 24", "check": "compares upstream schemas against a contract before every run"}]},
]
