"""The call database's schema, as numbered migration steps (CallStore.migrate runs them).

Each step is recorded in ``schema_migrations`` with its version (its place in
MIGRATIONS), so a database from an older release is brought forward, never
rebuilt. Each step is written to be re-run (IF NOT EXISTS): databases migrated
before a step and its version row committed together may hold half of one.
"""

from __future__ import annotations

from collections.abc import Callable

from ivr.store.chat_tables import chat_tables
from ivr.store.engine import Database, Guard, table


def _m1_initial(db: Database) -> None:
    db.create_table(
        table(
            "calls",
            {
                "call_id": str,
                "channel_id": str,
                "caller_number": str,
                "caller_name": str,
                "dialled": str,
                "started_at": str,
                "answered_at": str,
                "ended_at": str,
                "duration_s": float,
                "outcome": str,
                "destination": str,
                "last_step": str,
                "ended_by": str,
            },
            pk="call_id",
            not_null={"channel_id", "started_at"},
        )
    )
    db.create_index("calls", ["started_at"])
    db.create_table(
        table(
            "call_events",
            {"id": int, "call_id": str, "at": str, "kind": str, "detail": str},
            pk="id",
            foreign_keys=[("call_id", "calls", "call_id")],
        )
    )
    db.create_index("call_events", ["call_id", "at"])
    db.create_table(
        table(
            "decisions",
            {
                "id": int,
                "call_id": str,
                "at": str,
                "action": str,
                "destination": str,
                "intent": str,
                "rule": str,
                "reason": str,
                "candidates": str,
                "evidence": str,
            },
            pk="id",
            foreign_keys=[("call_id", "calls", "call_id")],
        )
    )
    db.create_index("decisions", ["call_id"])


def _m2_decision_message_and_offers(db: Database) -> None:
    """Issue 3: a Decision also names a prompt to play and the offers it makes."""
    columns = db.columns("decisions")
    for name in ("message", "offers"):
        if name not in columns:
            db.add_column("decisions", name, str)


def _m3_caller_history(db: Database) -> None:
    """Issue 5: caller history by pseudonym (ivr/callers), never by number.

    ``caller_calls`` is keyed by call_id so an adopted call (after a restart) updates its
    row rather than counting twice; ``linked_call_id`` ties a re-dial to the abandoned
    call before it. ``caller_flags`` keeps every flag ever set (cleared or expired rows
    stay, for audit); the lookups read both tables by pseudonym and time.
    """
    db.create_table(
        table(
            "caller_calls",
            {
                "call_id": str,
                "pseudonym": str,
                "at": str,
                "outcome": str,
                "destination": str,
                "ended_at": str,
                "abandoned": int,
                "linked_call_id": str,
            },
            pk="call_id",
            not_null={"pseudonym", "at"},
        )
    )
    db.create_index("caller_calls", ["pseudonym", "at"])
    db.create_table(
        table(
            "caller_flags",
            {
                "id": int,
                "pseudonym": str,
                "flag": str,
                "set_by": str,
                "reason": str,
                "set_at": str,
                "expires_at": str,
                "cleared_at": str,
                "cleared_by": str,
            },
            pk="id",
            not_null={"pseudonym", "flag", "set_at"},
        )
    )
    db.create_index("caller_flags", ["pseudonym", "flag"])


def _m4_sms_outbox(db: Database) -> None:
    """Issue 5: SMS outbox (stored before sent; ivr/notify) and post-call survey replies.

    ``reference`` is the per-message idempotency key sent to the provider. No foreign key
    to ``calls``: the outbox commits on its own connection, possibly before the call log's
    writer has stored the call row.
    """
    db.create_table(
        table(
            "sms_outbox",
            {
                "id": int,
                "reference": str,
                "call_id": str,
                "to_number": str,
                "body": str,
                "kind": str,
                "created_at": str,
                "state": str,  # queued | sending | sent | failed
                "attempts": int,
                "next_attempt_at": str,
                "last_attempt_at": str,
                "sent_at": str,
                "last_error": str,
                "provider_id": str,
            },
            pk="id",
            not_null={"reference", "to_number", "body", "kind", "created_at", "state"},
            defaults={"attempts": 0, "last_error": "", "provider_id": ""},
        )
    )
    db.create_index("sms_outbox", ["reference"], unique=True)
    db.create_index("sms_outbox", ["state", "next_attempt_at"])
    db.create_index("sms_outbox", ["to_number", "kind"])
    db.create_index("sms_outbox", ["call_id"])
    db.create_table(
        table(
            "survey_responses",
            {
                "id": int,
                "outbox_id": int,
                "call_id": str,
                "q1_overall": int,
                "q2_time_to_answer": int,
                "q3_dealt_with": int,
                "comment": str,
                "received_at": str,
            },
            pk="id",
            not_null={"outbox_id", "received_at"},
            foreign_keys=[("outbox_id", "sms_outbox", "id")],
        )
    )
    db.create_index("survey_responses", ["outbox_id"], unique=True)


def _m5_callbacks(db: Database) -> None:
    """Issue 5: accepted callbacks (a caller's place in a queue, kept across restarts).

    ``number`` is the number to ring back: it has to be stored to be dialled, and is
    blanked when the callback is finished (``ivr.queues.book``). ``attempts`` counts
    callbacks placed: it is committed *before* each originate, so a crash can never
    ring the caller twice for the same attempt.
    """
    db.create_table(
        table(
            "callbacks",
            {
                "call_id": str,
                "queue": str,
                "priority": int,
                "joined_at": float,
                "seq": int,
                "flags": str,
                "intent": str,
                "number": str,
                "accepted_at": float,
                "promised_by": float,
                "attempts": int,
                "ready_at": float,
                "state": str,  # waiting | placing | done | failed
                "outcome": str,
                "late_sms": int,
                "updated_at": float,
            },
            pk="call_id",
            not_null={"queue", "number", "state"},
            defaults={"attempts": 0, "ready_at": 0.0, "outcome": "", "late_sms": 0},
        )
    )
    db.create_index("callbacks", ["state"])
    db.create_table(
        table(
            "callback_attempts",
            {
                "id": int,
                "call_id": str,
                "attempt": int,
                "agent_id": str,
                "channel_id": str,
                "started_at": float,
                "ended_at": float,
                "outcome": str,  # answered | no-answer | busy | failed | interrupted
                "detail": str,
            },
            pk="id",
            not_null={"call_id", "attempt", "started_at"},
        )
    )
    db.create_index("callback_attempts", ["call_id", "attempt"], unique=True)


def _m6_callback_rings(db: Database) -> None:
    """A callback whose agent did not answer is rung again as the same caller attempt.

    The caller's attempt count is guarded by ``callbacks.attempts`` (compare-and-set in
    ``begin_attempt``); each ring is a row of its own, unique by its channel id.
    """
    db.execute("DROP INDEX IF EXISTS idx_callback_attempts_call_id_attempt")
    db.create_index("callback_attempts", ["call_id", "attempt"])
    db.create_index("callback_attempts", ["channel_id"], unique=True)


def _m7_retention(db: Database) -> None:
    """Retention (ivr/store/retention.py): which calls are blanked, indexes on the ages.

    ``personal_cleared`` = 1 once a call's numbers are blanked; the partial index
    finds the calls not yet blanked without reading the ones that are.
    """
    db.add_column("calls", "personal_cleared", int, 0)
    db.create_index(
        "calls", ["started_at"], name="idx_calls_not_cleared", where="personal_cleared = 0"
    )
    db.create_index("sms_outbox", ["created_at"])
    db.create_index("callbacks", ["accepted_at"])
    db.create_index("caller_calls", ["at"])


def _m8_no_none_destinations(db: Database) -> None:
    """Calls that went nowhere were stored with the text 'None' as their destination.

    (``str(None)`` of a decision that asks again.) Repaired to "", as the session
    now writes them.
    """
    db.execute("UPDATE calls SET destination = '' WHERE destination = 'None'")
    db.execute("UPDATE caller_calls SET destination = '' WHERE destination = 'None'")


# The audit trail is append-only: the database itself refuses to change or remove a row.
# Retention (ivr.store.retention, after [console] audit_days) lifts the DELETE guard
# inside one write transaction and puts it back before it commits.
AUDIT_NO_UPDATE = Guard("audit_no_update", "audit", "UPDATE", "the audit trail is append-only")
AUDIT_NO_DELETE = Guard("audit_no_delete", "audit", "DELETE", "the audit trail is append-only")


def _m9_console(db: Database) -> None:
    """Issue 12: the console's people, their sign-in sessions, and the audit trail.

    ``console_sessions.id_hash`` is the SHA-256 of the cookie's value: a copy of the
    database does not sign anyone in. ``users.disabled_at`` is "" while the user may
    sign in; a disabled user is kept (the audit names them).
    """
    db.create_table(
        table(
            "users",
            {
                "name": str,
                "role": str,
                "phone": str,
                "password_hash": str,
                "created_at": str,
                "password_changed_at": str,
                "disabled_at": str,
            },
            pk="name",
            not_null={"role", "password_hash", "created_at"},
            defaults={"phone": "", "disabled_at": ""},
        )
    )
    db.create_table(
        table(
            "console_sessions",
            {
                "id_hash": str,
                "user": str,
                "csrf_token": str,
                "created_at": str,
                "last_seen": str,
                "client": str,
            },
            pk="id_hash",
            not_null={"user", "csrf_token", "created_at", "last_seen"},
            foreign_keys=[("user", "users", "name")],
        )
    )
    db.create_index("console_sessions", ["user"])
    db.create_index("console_sessions", ["last_seen"])
    db.create_table(
        table(
            "audit",
            {"id": int, "at": str, "who": str, "action": str, "detail": str, "client": str},
            pk="id",
            not_null={"at", "who", "action", "detail"},
            defaults={"client": ""},
        )
    )
    db.create_index("audit", ["at"])
    AUDIT_NO_UPDATE.make(db)
    AUDIT_NO_DELETE.make(db)


def _m10_console_routing(db: Database) -> None:
    """Issue 12: operators' diverts and incident messages (ivr.console.diverts, .messages).

    Rows are never deleted: a cancelled one keeps who cancelled it and when, so the
    record shows what callers were told and where they were sent, and by whom. Times
    are stored as ISO strings (UTC), like every other time in this database.
    """
    db.create_table(
        table(
            "diverts",
            {
                "id": int,
                "source": str,
                "target": str,
                "reason": str,
                "set_by": str,
                "starts_at": str,
                "until": str,
                "cancelled_at": str,
                "cancelled_by": str,
            },
            pk="id",
            not_null={"source", "target", "set_by", "starts_at", "until"},
        )
    )
    db.create_index("diverts", ["until"])
    db.create_table(
        table(
            "incident_messages",
            {
                "id": int,
                "prompt_id": str,
                "scope": str,
                "set_by": str,
                "starts_at": str,
                "until": str,
                "cancelled_at": str,
                "cancelled_by": str,
            },
            pk="id",
            not_null={"prompt_id", "scope", "set_by", "starts_at", "until"},
        )
    )
    db.create_index("incident_messages", ["until"])


def _m11_consolefin(db: Database) -> None:
    """Issue 12: an audit row names the sign-in session it came from (``session``: the
    first hex digits of the session's hash, never its id; "" for the bearer token, the
    command line, or a refusal before any session).

    Adding a column is no UPDATE: the append-only triggers stay as they are.
    """
    db.add_column("audit", "session", str, "")


RULESETS_NO_UPDATE = Guard(
    "rulesets_no_update", "rulesets", "UPDATE", "ruleset versions are append-only"
)
RULESETS_NO_DELETE = Guard(
    "rulesets_no_delete", "rulesets", "DELETE", "ruleset versions are append-only"
)


def _m12_rulesets(db: Database) -> None:
    """Issue 13: every published ruleset (ivr.rulesets), and the version each decision
    was made by. ``files`` is the whole folder, zlib-compressed JSON; a rollback is a new
    row, so rows are never changed or removed (triggers)."""
    db.create_table(
        table(
            "rulesets",
            {
                "version": int,
                "at": str,
                "author": str,
                "kind": str,
                "comment": str,
                "digest": str,
                "size": int,
                "files": bytes,
            },
            pk="version",
            not_null={"at", "author", "kind", "digest", "files"},
            defaults={"comment": ""},
        )
    )
    db.create_index("rulesets", ["digest"])
    RULESETS_NO_UPDATE.make(db)
    RULESETS_NO_DELETE.make(db)
    if "ruleset_version" not in db.columns("decisions"):
        db.add_column("decisions", "ruleset_version", int)


def _m13_msgprompts(db: Database) -> None:
    """Issue 12: the incident messages admins add as text (ivr.console.message_prompts).

    The audio is a WAV in the [messages] sounds folder; the row keeps the text it was
    rendered from and who added it. Retired rows stay (retired_at set): past calls'
    records name their ids, so an id is never given to a different text.
    """
    db.create_table(
        table(
            "message_prompts",
            {
                "id": str,
                "text": str,
                "created_by": str,
                "created_at": str,
                "retired_at": str,
                "retired_by": str,
            },
            pk="id",
            not_null={"text", "created_by", "created_at"},
        )
    )


def _m14_replay(db: Database) -> None:
    """Issue 13: the full RoutingInputs of an engine decision (ivr.replay.codec, versioned
    JSON; NULL on rows written before, and on decisions that are not the engine's)."""
    if "inputs" not in db.columns("decisions"):
        db.add_column("decisions", "inputs", str)


# Views for the common questions (Datasette, sqlite3, psql): a view changes by being
# dropped and made again, so each is (name, SELECT), in SQL both engines run but for the
# JSON fields and time differences (asked of the Database). Times are the stored UTC
# text, and the intervals and days are UTC ones (column names say so): UK intervals
# come from ``ivr export``, which cuts them on the UK clock.
KPI_VIEW_NAMES: tuple[str, ...] = (
    "v_calls_by_interval",
    "v_outcomes_by_day",
    "v_abandoned_by_step",
    "v_queue_abandoned",
    "v_queue_answered",
    "v_decisions_by_rule",
    "v_operator_moves",
    "v_dialled",
)
_NOT_CALLBACK = "COALESCE(dialled, '') != 'callback'"


def _count(condition: str) -> str:
    return f"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _round1(expr: str) -> str:
    return f"round(CAST({expr} AS NUMERIC), 1)"


def kpi_views(db: Database) -> tuple[tuple[str, str], ...]:
    j, n = db.json_text, db.json_number
    quarter = (
        "CASE WHEN CAST(substr(started_at, 15, 2) AS INTEGER) < 15 THEN '00'"
        " WHEN CAST(substr(started_at, 15, 2) AS INTEGER) < 30 THEN '15'"
        " WHEN CAST(substr(started_at, 15, 2) AS INTEGER) < 45 THEN '30' ELSE '45' END"
    )
    transferred = _count("outcome = 'transferred'")
    abandoned = _count("outcome = 'abandoned'")
    deflected = _count("outcome IN ('deflected', 'deflected:chat')")
    callbacks = _count("outcome = 'callback'")
    views = (
        (
            "SELECT substr(started_at, 1, 14) || " + quarter + " || ':00Z' AS interval_start_utc,"
            " count(*) AS calls,"
            f" {transferred} AS transferred,"
            f" {abandoned} AS abandoned,"
            # A call sent to live chat is a deflection too (issue 17; v_outcomes_by_day
            # counts it apart).
            f" {deflected} AS deflected,"
            f" {callbacks} AS callbacks,"
            f" {_round1('avg(duration_s)')} AS average_duration_s"
            f" FROM calls WHERE {_NOT_CALLBACK} GROUP BY 1"
        ),
        (
            "SELECT substr(started_at, 1, 10) AS day_utc, outcome, count(*) AS calls"
            f" FROM calls WHERE {_NOT_CALLBACK} GROUP BY 1, 2"
        ),
        (
            f"SELECT last_step, count(*) AS calls, {_round1('avg(duration_s)')} AS average_after_s"
            " FROM calls WHERE outcome = 'abandoned' GROUP BY 1"
        ),
        (
            f"SELECT call_id, at, {j('detail', 'queue')} AS queue,"
            f" {n('detail', 'waited_s')} AS waited_s"
            " FROM call_events WHERE kind = 'queue-abandoned'"
        ),
        (
            f"SELECT j.call_id, {j('j.detail', 'queue')} AS queue, j.at AS joined,"
            " min(c.at) AS answered,"
            f" {_round1(db.seconds_between('j.at', 'min(c.at)'))} AS waited_s"
            " FROM call_events j JOIN call_events c ON c.call_id = j.call_id"
            " AND c.kind = 'connected' AND c.id > j.id"
            f" AND {j('c.detail', 'destination')} = {j('j.detail', 'queue')}"
            # Only the place the answer ended: a rejoin (A, B, A) is one answer, not two.
            " AND NOT EXISTS (SELECT 1 FROM call_events k WHERE k.call_id = j.call_id"
            " AND k.kind = 'queue-joined' AND k.id > j.id AND k.id < c.id)"
            " WHERE j.kind = 'queue-joined' GROUP BY j.id"
        ),
        "SELECT rule, action, destination, count(*) AS decisions FROM decisions GROUP BY 1, 2, 3",
        (
            f"SELECT call_id, at, {j('evidence', 'from')} AS moved_from,"
            f" destination AS moved_to, {j('evidence', 'by')} AS moved_by,"
            f" {j('evidence', 'reason_code')} AS reason_code,"
            f" {j('evidence', 'reason')} AS reason"
            f" FROM decisions WHERE rule = 'operator-move' AND {db.json_valid('evidence')}"
        ),
        (
            f"SELECT dialled, count(*) AS calls, {abandoned} AS abandoned"
            f" FROM calls WHERE {_NOT_CALLBACK} GROUP BY 1"
        ),
    )
    return tuple(zip(KPI_VIEW_NAMES, views, strict=True))


def _make_views(db: Database) -> None:
    for name, select in kpi_views(db):
        db.execute(f"DROP VIEW IF EXISTS {name}")
        db.execute(f"CREATE VIEW {name} AS {select}")


def _m15_kpis(db: Database) -> None:
    """Issue 14: views for the common questions (KPI_VIEWS), for Datasette and sqlite3.

    Read-only conveniences: dropped and made again, so a changed view replaces the old.
    """
    _make_views(db)


def _m16_draftapi(db: Database) -> None:
    """Issue 13: the admins' shared rules draft (ivr.rulesets.draft_store): only the files
    an admin edited, whole, over the live version; the rest are the live version's."""
    db.create_table(
        table(
            "rules_draft",
            {"name": str, "text": str, "updated_by": str, "updated_at": str, "based_on": int},
            pk="name",
            not_null={"text", "updated_by", "updated_at"},
        )
    )


def _m17_fix14a(db: Database) -> None:
    """Issue 14 review: the views name their UTC intervals and days as UTC, and
    v_queue_answered counts a rejoined queue's answer once (KPI_VIEWS made again)."""
    _make_views(db)


def _m18_chat(db: Database) -> None:
    """Issue 17: live chat's links, chats and transcripts (ivr.store.chat_tables)."""
    chat_tables(db)


def _m19_chativr(db: Database) -> None:
    """Issue 17: v_calls_by_interval counts a call sent to chat (``deflected:chat``) as
    deflected (KPI_VIEWS made again)."""
    _make_views(db)


def _m20_chatweb(db: Database) -> None:
    """Issue 17: a person's skills apart from their role (ivr.console.identity.Skill):
    "chat" lets them answer live chats. Names, comma-separated; "" for none."""
    db.add_column("users", "skills", str, "")


def _m21_ha(db: Database) -> None:
    """Issue 19: the leases that say which node holds what (ivr.ha): the ARI application
    of one Asterisk, today. ``generation`` goes up at each takeover, so a node that lost
    its lease cannot renew it by name alone. Times are the database's own clock
    (seconds since 1970), the same for every node."""
    db.create_table(
        table(
            "node_leases",
            {
                "name": str,
                "holder": str,
                "generation": int,
                "expires_at": float,
                "acquired_at": float,
                "renewed_at": float,
            },
            pk="name",
            not_null={"holder", "generation", "expires_at", "acquired_at", "renewed_at"},
        )
    )
    # Which Asterisk (and ARI application) a call came through: with several Asterisk
    # nodes on one database, a node closes only its own interrupted calls, and the board
    # shows the others' calls as theirs. "" on calls from before.
    db.add_column("calls", "origin", str, "")
    db.create_index("calls", ["outcome", "origin"])


def _m22_claims(db: Database) -> None:
    """Issue 19: work done once across nodes (ivr.queues.book, ivr.notify.outbox): a
    callback or a text is claimed by one node's origin (its Asterisk and ARI app) until
    ``claim_until`` (the database's clock, seconds since 1970; renewed while it lives).
    "" and 0: nobody's (rows from before, which any node may take)."""
    for name in ("callbacks", "sms_outbox"):
        db.add_column(name, "claimed_by", str, "")
        db.add_column(name, "claim_until", float, 0.0)


MIGRATIONS: tuple[Callable[[Database], None], ...] = (
    _m1_initial,
    _m2_decision_message_and_offers,
    _m3_caller_history,
    _m4_sms_outbox,
    _m5_callbacks,
    _m6_callback_rings,
    _m7_retention,
    _m8_no_none_destinations,
    _m9_console,
    _m10_console_routing,
    _m11_consolefin,
    _m12_rulesets,
    _m13_msgprompts,
    _m14_replay,
    _m15_kpis,
    _m16_draftapi,
    _m17_fix14a,
    _m18_chat,
    _m19_chativr,
    _m20_chatweb,
    _m21_ha,
    _m22_claims,
)
