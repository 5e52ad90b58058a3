"""Synthetic reports for the benchmarks, written by PostgreSQL itself (generate_series).

One definition shared by ``manage.py bench_aggregation`` (the statistics benchmark) and
``manage.py seed_bench`` (a million reports, officers and staff for the page benchmarks in
``bench/``): a million rows go in about a minute and a half, where the ORM would take hours.

Only the categorical answers are filled in. The free text (place, narrative, crime
reference) is left empty: it is stored encrypted (incidents/fields.py), and an empty value
stays empty under that scheme, so raw SQL never has to write ciphertext.
"""

from __future__ import annotations

from typing import Any

from incidents.choices import AssaultKind
from incidents.models import choice_mask

# The dates spread over 3,500 days from the start of 2017/18 (nine and a half financial
# years); the report is filed a few hours after the assault.
INSERT_INCIDENTS = """
INSERT INTO incidents_incident (
    reference, officer_id, force_id, status, occurred_on, setting, place, injury, other_officers_assaulted,
    duty_type, single_crewed, backup_wait, reported_to_force, recorded_as_crime, crime_reference, outcome,
    narrative, share_identity, created_at, updated_at, submitted_at, rejection_reason, reviewed_injury,
    assault_mask, reviewed_assault_mask, reason_mask
)
SELECT %s || g,
       o.user_id, o.force_id,
       (ARRAY['submitted','verified','verified','verified','in_review','rejected'])[1 + g %% 6],
       d.day,
       (ARRAY['street','custody_suite','police_vehicle','private_dwelling','licensed_premises'])[1 + g %% 5],
       '',
       (ARRAY['none','none','minor','medical','serious'])[1 + (g * 3 + g / 44) %% 5],
       0,
       (ARRAY['response','custody','neighbourhood','public_order'])[1 + g %% 4],
       CASE WHEN g %% 3 = 0 THEN 'yes' WHEN g %% 3 = 1 THEN 'no' ELSE '' END,
       '',
       (ARRAY['yes','yes','no','not_yet'])[1 + (g * 7 + g / 44) %% 4],
       CASE WHEN (g * 7 + g / 44) %% 4 < 2 THEN (ARRAY['yes','yes','no','dont_know'])[1 + (g * 13 + g / 44) %% 4]
            ELSE 'no' END,
       '',
       'no_action_yet',
       '',
       (g %% 5 <> 0),
       d.filed, d.filed, d.filed,
       CASE WHEN g %% 6 = 5 THEN 'mistake' ELSE '' END,
       '',
       0, 0, 0
FROM generate_series(1, %s) AS g
CROSS JOIN LATERAL (
    SELECT DATE '2017-04-01' + (g::bigint * 7919 %% 3500)::int AS day,
           (DATE '2017-04-01' + (g::bigint * 7919 %% 3500)::int) + make_interval(hours => 8 + (g %% 14)) AS filed
) AS d
JOIN (SELECT ROW_NUMBER() OVER (ORDER BY user_id) - 1 AS n, user_id, force_id
      FROM incidents_officerprofile WHERE user_id = ANY(%s)) AS o
  ON o.n = g %% %s
"""

INSERT_OFFICERS = """
INSERT INTO incidents_user (password, is_superuser, first_name, last_name, is_staff, is_active, date_joined, email)
SELECT %s, FALSE, '', '', FALSE, TRUE, NOW() - INTERVAL '3 years', %s || g || '@' || %s
FROM generate_series(1, %s) AS g
"""
INSERT_EMAILS = """
INSERT INTO account_emailaddress (user_id, email, verified, "primary")
SELECT id, email, TRUE, TRUE FROM incidents_user WHERE email LIKE %s
"""
INSERT_PROFILES = """
INSERT INTO incidents_officerprofile (user_id, force_id, display_name, collar_number, usual_duty, service_band,
                                      created_at)
SELECT u.id, (%s::bigint[])[1 + u.n %% %s], 'Officer ' || u.n, (1000 + u.n %% 9000)::text,
       (ARRAY['response','custody','neighbourhood','public_order'])[1 + u.n %% 4],
       (ARRAY['under_2','2_to_5','5_to_10','10_to_20','over_20'])[1 + u.n %% 5],
       u.date_joined
FROM (SELECT id, date_joined, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n
      FROM incidents_user WHERE email LIKE %s) AS u
"""

BENCH_KINDS = ["push", "grab", "punch", "kick", "spit", "trip", "threat"]
INSERT_ASSAULTS = """
INSERT INTO incidents_incidentassault (incident_id, kind)
SELECT id, (%s::text[])[1 + id %% 7] FROM incidents_incident WHERE reference LIKE %s
"""
CLEAR_ASSAULTS = """
DELETE FROM incidents_incidentassault
WHERE incident_id IN (SELECT id FROM incidents_incident WHERE reference LIKE %s)
"""
# The bit summary the services keep beside the rows (Incident.assault_mask).
SET_MASKS = """
UPDATE incidents_incident SET assault_mask = (%s::int[])[1 + id %% 7] WHERE reference LIKE %s
"""


def synthetic_officers(
    cursor: Any,
    *,
    email_prefix: str,
    domain: str,
    count: int,
    forces: list[int],
    password: str,
    verified_emails: bool = False,
) -> list[int]:
    """``count`` officers (``<email_prefix><n>@<domain>``, each with an OfficerProfile) spread
    evenly over ``forces`` (primary keys); their user ids in order."""
    pattern = f"{email_prefix}%@{domain}"
    cursor.execute(INSERT_OFFICERS, [password, email_prefix, domain, count])
    if verified_emails:
        cursor.execute(INSERT_EMAILS, [pattern])
    cursor.execute(INSERT_PROFILES, [forces, len(forces), pattern])
    cursor.execute("SELECT id FROM incidents_user WHERE email LIKE %s ORDER BY id", [pattern])
    return [row[0] for row in cursor.fetchall()]


def synthetic_incidents_insert(cursor: Any, *, prefix: str, count: int, officer_ids: list[int]) -> None:
    """``count`` reports (references ``prefix`` + 1..count) shared round-robin among
    ``officer_ids`` (users with an OfficerProfile), each with one assault row and its mask."""
    cursor.execute(INSERT_INCIDENTS, [prefix, count, officer_ids, len(officer_ids)])
    cursor.execute(INSERT_ASSAULTS, [BENCH_KINDS, prefix + "%"])
    cursor.execute(SET_MASKS, [[choice_mask(AssaultKind, [kind]) for kind in BENCH_KINDS], prefix + "%"])
    cursor.execute("ANALYZE incidents_incident")
    cursor.execute("ANALYZE incidents_incidentassault")
